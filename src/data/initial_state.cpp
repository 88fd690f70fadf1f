#include "nnfield/data/initial_state.hpp"

#include <algorithm>
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

// W[m,j,k] = w_k((m+1) ax, i ay);  z^(m)_j = phi(m ax, i ay), m = 1..M, at the site i of
// the window's column j.
void sample_fields(const ContinuumFields& f, const NetworkConfig& net, const ColumnWindow& window, double* W,
                   double* z) {
  const NetworkShape s{net.shape.M, window.width, net.shape.r};
  const double ax = net.Lx / s.M, ay = net.Ly / net.shape.N;
  for (int m = 0; m < s.M; ++m)
    for (int j = 0; j < s.N; ++j) {
      const int i = window.site(j);
      for (int k = 0; k < s.K(); ++k) W[s.w_index(m, j, k)] = f.w[std::size_t(k)]((m + 1) * ax, i * ay);
      z[s.b_index(m, j)] = f.phi((m + 1) * ax, i * ay);
    }
}

// The next `lines` x N x cells draws of `draw`, in one process's order, kept on the window's
// columns (lines x window.width x cells): the values of the columns it does not hold are
// drawn and dropped, so that a block's values are the whole state's.
template <class Draw>
void draw_on_window(int lines, int cells, const ColumnWindow& window, Draw&& draw, double* out) {
  const std::size_t c = std::size_t(cells);
  for (int m = 0; m < lines; ++m)
    for (int i = 0; i < window.N(); ++i) {
      const int j = window.column_of(i);
      double* at = j < 0 ? nullptr : out + (std::size_t(m) * std::size_t(window.width) + std::size_t(j)) * c;
      for (std::size_t k = 0; k < c; ++k) {
        const double value = draw();
        if (at) at[k] = value;
      }
    }
}

// W, b and z of a network sampled from continuum data with the critical gain (docs/theory.md 4.1).
void take_sampled_network(const ContinuumData& data, const ModelConfig& config, const ColumnWindow& window,
                          const double* X, double* W, double* b, std::vector<double>& z) {
  const LatticeGeometry lattice{config.network.shape, config.network.Lx, config.network.Ly};
  try {
    sample_network_columns(data, lattice, window, X, W, z.data(), b);
  } catch (const std::domain_error& e) {
    throw ConfigError(config.source_path + ": init.kind = " + toml_quote(name(config.init.kind)) + ": " + e.what());
  }
}

// What the window holds: the parameters q = [W, b] and velocities v of its columns, the
// first presented input X(0), X'(0) there, the neurons z where a kind builds them.
struct WindowState {
  WindowState(const NetworkShape& whole, const ColumnWindow& w)
      : window(w), shape{whole.M, w.width, whole.r}, q(shape.num_params(), 0.0), v(q.size(), 0.0),
        z(shape.num_biases()) {}
  ColumnWindow window;
  NetworkShape shape;  // the window's columns
  std::vector<double> q, v, X, Xdot, z;
  double* W() { return q.data(); }
  double* b() { return q.data() + shape.num_weights(); }
};

// q = [W, b] of init.kind; z receives the neurons where the kind builds them in BBD variables.
void initial_parameters(const ModelConfig& config, InitialState& from_file, Rng& rng, WindowState& st) {
  const NetworkShape& s = config.network.shape;
  const InitConfig& init = config.init;
  switch (init.kind) {
    case InitKind::random: {
      const double sw = init.sigma_w / std::sqrt(double(s.K()));
      draw_on_window(s.M, s.K(), st.window, [&] { return sw * rng.normal(); }, st.W());
      draw_on_window(s.M, 1, st.window, [&] { return init.sigma_b * rng.normal(); }, st.b());
      break;
    }
    case InitKind::file:
      std::copy(from_file.W.begin(), from_file.W.end(), st.W());
      std::copy(from_file.b.begin(), from_file.b.end(), st.b());
      std::vector<double>().swap(from_file.W);  // not held twice
      std::vector<double>().swap(from_file.b);
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
      take_sampled_network(critical, config, st.window, st.X.data(), st.W(), st.b(), st.z);
      break;
    }
    case InitKind::continuum:
      // The same construction from the [continuum] fields (continuum_config.hpp), which are
      // seeded per field name: the same network function at every (M, N).
      take_sampled_network(continuum_data_from_config(config), config, st.window, st.X.data(), st.W(), st.b(), st.z);
      break;
    case InitKind::smooth: {
      const ContinuumFields f = make_fields(init.smooth, config.network, rng, true);
      sample_fields(f, config.network, st.window, st.W(), st.z.data());
      from_bbd(st.shape, config.network.activation, st.W(), st.z.data(), st.X.data(), st.b());
      break;
    }
  }
}

// v = [W', b'] of init.velocity (zero is left as it is).
void initial_velocities(const ModelConfig& config, const InitialState& from_file, Rng& rng, WindowState& st) {
  const NetworkShape& s = config.network.shape;
  const InitConfig& init = config.init;
  const std::size_t nw = st.shape.num_weights();
  double* Wdot = st.v.data();
  double* bdot = st.v.data() + nw;
  if (init.velocity == InitVelocity::random) {
    draw_on_window(s.M, s.K(), st.window, [&] { return init.sigma_v * rng.normal(); }, Wdot);
    draw_on_window(s.M, 1, st.window, [&] { return init.sigma_v * rng.normal(); }, bdot);
  } else if (init.velocity == InitVelocity::file) {
    if (from_file.Wdot.empty())
      throw ConfigError(config.source_path + ": init.velocity = \"file\" but " + init.file +
                        " has no /Wdot and /bdot");
    std::copy(from_file.Wdot.begin(), from_file.Wdot.end(), Wdot);
    std::copy(from_file.bdot.begin(), from_file.bdot.end(), bdot);
  } else if (init.velocity == InitVelocity::smooth || init.velocity == InitVelocity::continuum) {
    // Velocities in BBD variables: W' and z' from smooth fields, b' from d/dt of Eq. 6.
    const Activation act = config.network.activation;
    if (init.kind == InitKind::random || init.kind == InitKind::file)
      to_bbd(st.shape, act, st.W(), st.b(), st.X.data(), st.z.data());
    ContinuumFields fd{{}, SmoothField(config.network.Lx, config.network.Ly)};
    if (init.velocity == InitVelocity::smooth) {
      fd = make_fields(init.smooth_velocity, config.network, rng, false);
    } else {
      ContinuumBoundary cb = continuum_boundary_from_config(config);
      fd.w = std::move(cb.w_dot);
      fd.phi = std::move(cb.phi_dot);
    }
    std::vector<double> zdot(st.shape.num_biases());
    sample_fields(fd, config.network, st.window, Wdot, zdot.data());
    from_bbd_velocity(st.shape, act, st.W(), Wdot, st.z.data(), zdot.data(), st.X.data(), st.Xdot.data(), bdot);
  }
}

// The ghost columns a block's construction reads on each side: Eq. 6 (the biases of the
// smooth and continuum kinds) reads the r senders of each layer; the BBD velocities of random
// or file parameters need their neurons, a forward pass, whose light cone widens by r a layer.
int ghost_columns(const ModelConfig& config) {
  const NetworkShape& s = config.network.shape;
  const InitConfig& init = config.init;
  if (init.kind == InitKind::smooth || init.kind == InitKind::critical || init.kind == InitKind::continuum)
    return s.r;
  const bool bbd_velocity = init.velocity == InitVelocity::smooth || init.velocity == InitVelocity::continuum;
  return bbd_velocity ? s.M * s.r : 0;
}

}  // namespace

ParameterState make_initial_state(const ModelConfig& config, const DataStream& data) {
  return make_initial_columns(config, data, 0, config.network.shape.N);
}

ParameterState make_initial_columns(const ModelConfig& config, const DataStream& data, int first, int width) {
  const NetworkShape& s = config.network.shape;
  WindowState st(s, ColumnWindow(WidthBlock{s.N, first, width}, ghost_columns(config)));
  Rng rng(derive_seed(config.seed, "init"));
  const InitConfig& init = config.init;

  // X(0) and X'(0) of the first presented sample: Eq. 6 needs a single input.
  {
    const int N = s.N, B = data.batch();
    std::vector<double> X(std::size_t(B) * N), Y(X.size()), Xdot(X.size());
    data.at(0.0, X.data(), Y.data(), Xdot.data(), nullptr);
    for (int j = 0; j < st.window.width; ++j) {
      st.X.push_back(X[std::size_t(st.window.site(j))]);
      st.Xdot.push_back(Xdot[std::size_t(st.window.site(j))]);
    }
  }

  InitialState from_file;
  if (init.kind == InitKind::file || init.velocity == InitVelocity::file) {
    try {
      from_file = read_initial_columns(init.file, s, st.window);
    } catch (const std::exception& e) {
      throw ConfigError(config.source_path + ": init.file: " + e.what());
    }
  }

  initial_parameters(config, from_file, rng, st);
  initial_velocities(config, from_file, rng, st);
  const std::vector<int> cells{s.K(), 1};
  return {block_of_window(std::move(st.q), st.window, s.M, cells),
          block_of_window(std::move(st.v), st.window, s.M, cells)};
}

}  // namespace nnfield
