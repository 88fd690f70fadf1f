#include "nnfield/data/initial_state.hpp"

#include <cmath>
#include <stdexcept>

#include "nnfield/bbd/bbd_variables.hpp"
#include "nnfield/data/continuum_config.hpp"
#include "nnfield/config/toml_quote.hpp"
#include "nnfield/data/continuum_data.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/numerics/rng.hpp"
#include "nnfield/numerics/smooth_field.hpp"

namespace nnfield {

namespace {

// Fields w_k (k = 0..2r) and phi from the smooth-field configuration.
struct ContinuumFields {
  std::vector<SmoothField> w;
  SmoothField phi;
};

ContinuumFields make_fields(const SmoothFieldConfig& c, const NetworkConfig& net, Rng& rng, bool with_mean) {
  const int K = net.shape.K();
  ContinuumFields f{{}, SmoothField(net.Lx, net.Ly)};
  for (int k = 0; k < K; ++k) {
    SmoothField wk = SmoothField::random(net.Lx, net.Ly, c.cutoff_x, c.cutoff_y, c.w_amplitude, rng);
    if (with_mean) wk.set_mean(c.w_mean.empty() ? 1.0 / K : c.w_mean[std::size_t(k)]);
    f.w.push_back(std::move(wk));
  }
  f.phi = SmoothField::random(net.Lx, net.Ly, c.cutoff_x, c.cutoff_y, c.phi_amplitude, rng);
  for (const FieldMode& m : c.modes) {
    if (m.field == ModeField::phi)
      f.phi.add_mode(m.kx, m.ky, m.amplitude, m.phase);
    else
      f.w[std::size_t(m.offset + net.shape.r)].add_mode(m.kx, m.ky, m.amplitude, m.phase);
  }
  return f;
}

// W[m,i,k] = w_k((m+1) ax, i ay);  z^(m)_i = phi(m ax, i ay), m = 1..M.
void sample_fields(const ContinuumFields& f, const NetworkConfig& net, double* W, double* z) {
  const NetworkShape& s = net.shape;
  const double ax = net.Lx / s.M, ay = net.Ly / s.N;
  for (int m = 0; m < s.M; ++m)
    for (int i = 0; i < s.N; ++i) {
      for (int k = 0; k < s.K(); ++k) W[s.w_index(m, i, k)] = f.w[std::size_t(k)]((m + 1) * ax, i * ay);
      z[s.b_index(m, i)] = f.phi((m + 1) * ax, i * ay);
    }
}

// W, b and z of a network sampled from continuum data with the critical gain (docs/theory.md 4.1).
void take_sampled_network(const ContinuumData& data, const ModelConfig& config, const double* X, double* W, double* b,
                          std::vector<double>& z) {
  const NetworkShape& s = config.network.shape;
  SampledNetwork net;
  try {
    net = sample_network(data, s.M, s.N, X);
  } catch (const std::domain_error& e) {
    throw ConfigError(config.source_path + ": init.kind = " + toml_quote(name(config.init.kind)) + ": " + e.what());
  }
  std::copy(net.W.begin(), net.W.end(), W);
  std::copy(net.b.begin(), net.b.end(), b);
  z = net.z;
}

// q = [W, b] of init.kind; z receives the neurons where the kind builds them in BBD variables.
void initial_parameters(const ModelConfig& config, const double* X0, const InitialState& from_file, Rng& rng,
                        double* W, double* b, std::vector<double>& z) {
  const NetworkShape& s = config.network.shape;
  const std::size_t nw = s.num_weights();
  const InitConfig& init = config.init;
  const std::vector<double> X(X0, X0 + s.N);
  switch (init.kind) {
    case InitKind::random: {
      const double sw = init.sigma_w / std::sqrt(double(s.K()));
      for (std::size_t j = 0; j < nw; ++j) W[j] = sw * rng.normal();
      for (std::size_t j = 0; j < s.num_biases(); ++j) b[j] = init.sigma_b * rng.normal();
      break;
    }
    case InitKind::file:
      std::copy(from_file.W.begin(), from_file.W.end(), W);
      std::copy(from_file.b.begin(), from_file.b.end(), b);
      break;
    case InitKind::critical: {
      // docs/theory.md 4.1: continuum data in BBD variables (phi, w_k for k != 0, the gain deviation
      // c), w_0 from the critical gain g = 1 + ax c at this spacing, biases from Eq. 6
      // with the input X(0) the run starts on. The input link takes the w fields on x = 0.
      const ContinuumFields f = make_fields(init.smooth, config.network, rng, true);
      ContinuumData critical(config.network.Lx, config.network.Ly, s.r, config.network.activation);
      critical.phi = f.phi;
      critical.w = f.w;
      critical.w_in = f.w;
      critical.c = SmoothField::random(config.network.Lx, config.network.Ly, init.smooth.cutoff_x,
                                       init.smooth.cutoff_y, init.smooth.c_amplitude, rng);
      take_sampled_network(critical, config, X.data(), W, b, z);
      break;
    }
    case InitKind::continuum:
      // The same construction from the [continuum] fields (continuum_config.hpp), which are
      // seeded per field name: the same network function at every (M, N).
      take_sampled_network(continuum_data_from_config(config), config, X.data(), W, b, z);
      break;
    case InitKind::smooth: {
      const ContinuumFields f = make_fields(init.smooth, config.network, rng, true);
      sample_fields(f, config.network, W, z.data());
      from_bbd(s, config.network.activation, W, z.data(), X.data(), b);
      break;
    }
  }

}

// v = [W', b'] of init.velocity (zero is left as it is); z: the neurons of the parameters.
void initial_velocities(const ModelConfig& config, const double* X0, const double* Xdot0,
                        const InitialState& from_file, Rng& rng, ParameterState& st, std::vector<double>& z) {
  const NetworkShape& s = config.network.shape;
  const std::size_t nw = s.num_weights();
  const InitConfig& init = config.init;
  const double* W = st.q.data();
  const double* b = st.q.data() + nw;
  const std::vector<double> X(X0, X0 + s.N), Xdot(Xdot0, Xdot0 + s.N);
  double* Wdot = st.v.data();
  double* bdot = st.v.data() + nw;
  if (init.velocity == InitVelocity::random) {
    for (auto& v : st.v) v = init.sigma_v * rng.normal();
  } else if (init.velocity == InitVelocity::file) {
    if (from_file.Wdot.empty())
      throw ConfigError(config.source_path + ": init.velocity = \"file\" but " + init.file +
                        " has no /Wdot and /bdot");
    std::copy(from_file.Wdot.begin(), from_file.Wdot.end(), Wdot);
    std::copy(from_file.bdot.begin(), from_file.bdot.end(), bdot);
  } else if (init.velocity == InitVelocity::smooth || init.velocity == InitVelocity::continuum) {
    // Velocities in BBD variables: W' and z' from smooth fields, b' from d/dt of Eq. 6.
    if (init.kind == InitKind::random || init.kind == InitKind::file) to_bbd(s, config.network.activation, W, b, X.data(), z.data());
    ContinuumFields fd{{}, SmoothField(config.network.Lx, config.network.Ly)};
    if (init.velocity == InitVelocity::smooth) {
      fd = make_fields(init.smooth_velocity, config.network, rng, false);
    } else {
      ContinuumBoundary cb = continuum_boundary_from_config(config);
      fd.w = std::move(cb.w_dot);
      fd.phi = std::move(cb.phi_dot);
    }
    std::vector<double> zdot(s.num_biases());
    sample_fields(fd, config.network, Wdot, zdot.data());
    from_bbd_velocity(s, config.network.activation, W, Wdot, z.data(), zdot.data(), X.data(), Xdot.data(),
                      bdot);
  }
}

}  // namespace

ParameterState make_initial_state(const ModelConfig& config, const DataStream& data) {
  const NetworkShape& s = config.network.shape;
  const std::size_t nw = s.num_weights(), P = s.num_params();
  ParameterState st{std::vector<double>(P, 0.0), std::vector<double>(P, 0.0)};
  double* W = st.q.data();
  double* b = st.q.data() + nw;
  Rng rng(derive_seed(config.seed, "init"));
  const InitConfig& init = config.init;

  // X(0) and X'(0) of the first presented sample: Eq. 6 needs a single input.
  const int N = s.N, B = data.batch();
  std::vector<double> X(std::size_t(B) * N), Y(X.size()), Xdot(X.size());
  data.at(0.0, X.data(), Y.data(), Xdot.data(), nullptr);

  InitialState from_file;
  if (init.kind == InitKind::file || init.velocity == InitVelocity::file) {
    try {
      from_file = read_initial_state(init.file, s);
    } catch (const std::exception& e) {
      throw ConfigError(config.source_path + ": init.file: " + e.what());
    }
  }

  std::vector<double> z(s.num_biases());
  initial_parameters(config, X.data(), from_file, rng, W, b, z);
  initial_velocities(config, X.data(), Xdot.data(), from_file, rng, st, z);
  return st;
}

namespace {

// The next `lines` x N x cells draws of `draw`, keeping the columns first .. first + width - 1
// into `out` (lines x width x cells); the others are drawn and dropped.
template <class Draw>
void draw_columns(int lines, int N, int cells, int first, int width, Draw&& draw, double* out) {
  for (int m = 0; m < lines; ++m)
    for (int i = 0; i < N; ++i)
      for (int k = 0; k < cells; ++k) {
        const double value = draw();
        if (i >= first && i < first + width) *out++ = value;
      }
}

}  // namespace

bool initial_state_by_columns(const ModelConfig& config) {
  return config.init.kind == InitKind::random &&
         (config.init.velocity == InitVelocity::zero || config.init.velocity == InitVelocity::random);
}

ParameterState make_initial_columns(const ModelConfig& config, int first, int width) {
  if (!initial_state_by_columns(config))
    throw std::logic_error("make_initial_columns: init.kind is not drawn value by value");
  const NetworkShape& s = config.network.shape;
  const NetworkShape block{s.M, width, s.r};
  const std::size_t P = block.num_params(), nw = block.num_weights();
  ParameterState st{std::vector<double>(P, 0.0), std::vector<double>(P, 0.0)};
  Rng rng(derive_seed(config.seed, "init"));
  const InitConfig& init = config.init;
  // The draws of initial_parameters and initial_velocities, in their order.
  const double sw = init.sigma_w / std::sqrt(double(s.K()));
  draw_columns(s.M, s.N, s.K(), first, width, [&] { return sw * rng.normal(); }, st.q.data());
  draw_columns(s.M, s.N, 1, first, width, [&] { return init.sigma_b * rng.normal(); }, st.q.data() + nw);
  if (init.velocity == InitVelocity::random) {
    draw_columns(s.M, s.N, s.K(), first, width, [&] { return init.sigma_v * rng.normal(); }, st.v.data());
    draw_columns(s.M, s.N, 1, first, width, [&] { return init.sigma_v * rng.normal(); }, st.v.data() + nw);
  }
  return st;
}

}  // namespace nnfield
