#include "nnfield/data/data.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "nnfield/data/continuum_config.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/data/initial_state.hpp"
#include "nnfield/core/network.hpp"
#include "nnfield/numerics/rng.hpp"
#include "nnfield/numerics/smooth_field.hpp"

namespace nnfield {

namespace {

void generate_inputs(Samples& d, const DataConfig& cfg, double Ly, Rng& rng) {
  const int N = d.N;
  for (int s = 0; s < d.S; ++s) {
    double* x = d.X.data() + std::size_t(s) * N;
    if (cfg.x_kind == InputKind::smooth) {
      const SmoothField f = SmoothField::random(1.0, Ly, 0, cfg.x_cutoff, cfg.x_scale, rng);
      for (int i = 0; i < N; ++i) x[i] = f(0.0, Ly * i / N);
    } else {
      for (int i = 0; i < N; ++i) x[i] = cfg.x_scale * rng.normal();
    }
  }
}

// Y = teacher(X) + noise, the teacher a random network of the same width.
void teacher_targets(Samples& d, const ModelConfig& config) {
  const TeacherConfig& t = config.data.teacher;
  NetworkShape shape{t.M > 0 ? t.M : config.network.shape.M, d.N,
                     t.r >= 0 ? t.r : config.network.shape.r};
  const Activation act = t.activation.value_or(config.network.activation);
  Rng rng(derive_seed(config.seed, "teacher"));
  std::vector<double> W(shape.num_weights()), b(shape.num_biases());
  const double sw = t.sigma_w / std::sqrt(double(shape.K()));
  for (auto& w : W) w = sw * rng.normal();
  for (auto& v : b) v = t.sigma_b * rng.normal();
  Network teacher(shape, act, Loss::mse);
  teacher.forward(W.data(), b.data(), d.X.data(), d.S);
  teacher.output(d.Y.data());
  for (auto& y : d.Y) y += t.noise * rng.normal();
}

// The whole initial network's output on the stream's samples, on this process.
std::vector<double> whole_initial_output(const ModelConfig& config, const DataStream& inputs) {
  const NetworkShape& s = config.network.shape;
  const Samples& d = inputs.samples();
  const ParameterState init = make_initial_state(config, inputs);
  Network net(s, config.network.activation, config.network.loss);
  net.forward(init.q.data(), init.q.data() + s.num_weights(), d.X.data(), d.S);
  std::vector<double> Z0(d.X.size());
  net.output(Z0.data());
  return Z0;
}

// data.source = "continuum": the continuum data set (continuum_config.hpp), P samples with
// X_s(i ay). Without a given Y the targets are Z0_s + scale * misfit_s, Z0_s the output of
// the run's own initial network on X_s, so each misfit Y_s - Z0_s is exactly the given
// field (times ax in the weakly nonlinear scaling, docs/theory.md 4.2). The initial network
// is built on the first presented sample, as the run builds it.
void continuum_samples(Samples& d, const ModelConfig& config, const InitialOutput& initial_output) {
  const NetworkShape& s = config.network.shape;
  const double Lx = config.network.Lx, Ly = config.network.Ly, ax = Lx / s.M;
  const ContinuumDataSet set = continuum_data_set_from_config(config);
  std::vector<double> y(std::size_t(s.N));
  for (int i = 0; i < s.N; ++i) y[std::size_t(i)] = i * Ly / s.N;
  d.S = set.P;
  d.X = set.inputs(y, ax);
  std::vector<double> Z0(d.X.size(), 0.0);
  if (!set.target_given) {
    Samples x_only = d;
    x_only.Y.assign(d.X.size(), 0.0);
    const DataStream stream(std::move(x_only), config.data, config.seed);
    Z0 = initial_output ? initial_output(stream) : whole_initial_output(config, stream);
  }
  d.Y = set.targets(Z0.data(), s.N, Lx, Ly, ax);
}

}  // namespace

Samples make_samples(const ModelConfig& config, const InitialOutput& initial_output) {
  const DataConfig& cfg = config.data;
  const int N = config.network.shape.N;
  Samples d;
  d.N = N;
  if (cfg.source == DataSource::continuum) {
    continuum_samples(d, config, initial_output);
    return d;
  }
  if (cfg.source == DataSource::file) {
    DataFile f;
    try {
      f = read_data_file(cfg.file, N);
    } catch (const H5Error& e) {
      throw ConfigError(config.source_path + ": data.file: " + e.what());
    }
    d.S = f.S;
    d.X = std::move(f.X);
    d.Y = std::move(f.Y);
    return d;
  }
  Rng rng(derive_seed(config.seed, "data"));
  d.S = cfg.source == DataSource::pair ? 1 : cfg.samples;
  d.X.assign(std::size_t(d.S) * N, 0.0);
  d.Y.assign(std::size_t(d.S) * N, 0.0);
  if (cfg.source == DataSource::pair && !cfg.x.empty())
    d.X = cfg.x;
  else
    generate_inputs(d, cfg, config.network.Ly, rng);
  if (cfg.source == DataSource::teacher) {
    teacher_targets(d, config);
  } else if (cfg.source == DataSource::pair && !cfg.y.empty()) {
    d.Y = cfg.y;
  } else {
    for (auto& y : d.Y) y = cfg.y_scale * rng.normal();
  }
  return d;
}

SampleOrder::SampleOrder(int S, DataOrder order, std::uint64_t seed) : m_S(S), m_order(order), m_seed(seed) {
  for (auto& p : m_permutation) p.assign(std::size_t(S), 0);
}

const std::vector<int>& SampleOrder::permutation(long epoch) const {
  for (int slot = 0; slot < 2; ++slot)
    if (m_epoch[slot] == epoch) return m_permutation[slot];
  const int slot = m_next_slot;
  m_next_slot = 1 - m_next_slot;
  std::vector<int>& perm = m_permutation[slot];
  std::iota(perm.begin(), perm.end(), 0);
  Rng rng(derive_seed(m_seed, std::uint64_t(epoch)));  // Fisher-Yates
  for (int i = m_S - 1; i > 0; --i) std::swap(perm[std::size_t(i)], perm[rng.index(std::size_t(i) + 1)]);
  m_epoch[slot] = epoch;
  return perm;
}

int SampleOrder::operator[](long j) const {
  switch (m_order) {
    case DataOrder::sequential: return int(j % m_S);
    case DataOrder::shuffle: return permutation(j / m_S)[std::size_t(j % m_S)];
    case DataOrder::random: {
      Rng rng(derive_seed(m_seed, std::uint64_t(j)));
      return int(rng.index(std::size_t(m_S)));
    }
  }
  return 0;
}

DataStream::DataStream(Samples samples, const DataConfig& config, std::uint64_t seed, SourceMotion motion)
    : m_samples(std::move(samples)),
      m_motion(std::move(motion)),
      m_presentation(config.presentation),
      m_tau(config.tau),
      m_batch(config.presentation == Presentation::full_batch ? m_samples.S : 1),
      m_order(m_samples.S, config.order, derive_seed(seed, "order")) {
  if (m_motion.moves() && m_motion.width() != m_samples.N)
    throw std::invalid_argument("DataStream: the source's motion is sampled on another width");
}

DataStream::Segment DataStream::segment(double t, bool left_limit) const {
  Segment seg{0, 0.0};
  if (!varies_in_time(m_presentation)) return seg;
  // Segment j covers [j tau, (j+1) tau) with the boundaries computed as j * tau,
  // exactly as breakpoints() reports them, so a switch never hides in round-off.
  const double tt = std::max(t, 0.0);
  long j = long(std::floor(tt / m_tau));
  if (double(j + 1) * m_tau <= tt) ++j;
  if (j > 0 && double(j) * m_tau > tt) --j;
  double u = (tt - double(j) * m_tau) / m_tau;
  if (left_limit && j > 0 && u <= 1e-12) {  // on a switch, up to round-off: the segment before
    --j;
    u = 1.0;
  }
  seg.j = j;
  seg.u = u;
  return seg;
}

int DataStream::presented(double t, bool left_limit) const {
  if (m_presentation == Presentation::full_batch) return -1;
  if (m_presentation == Presentation::fixed) return 0;
  return m_order[segment(t, left_limit).j];
}

void DataStream::at(double t, double* X, double* Y, double* Xdot, double* Ydot, bool left_limit) const {
  presentation_at(t, X, Y, Xdot, Ydot, left_limit);
  m_motion.add(t, 0, X, Y, m_batch);
  m_motion.add(t, 1, Xdot, Ydot, m_batch);
}

void DataStream::presentation_at(double t, double* X, double* Y, double* Xdot, double* Ydot, bool left_limit) const {
  const int N = m_samples.N;
  const std::size_t row = std::size_t(N) * sizeof(double);
  if (m_presentation == Presentation::full_batch) {
    std::copy(m_samples.X.begin(), m_samples.X.end(), X);
    std::copy(m_samples.Y.begin(), m_samples.Y.end(), Y);
    if (Xdot) std::fill(Xdot, Xdot + m_samples.X.size(), 0.0);
    if (Ydot) std::fill(Ydot, Ydot + m_samples.Y.size(), 0.0);
    return;
  }
  const Segment seg = segment(t, left_limit);
  const int a = presented(t, left_limit);
  if (m_presentation != Presentation::blend) {
    std::memcpy(X, m_samples.x(a), row);
    std::memcpy(Y, m_samples.y(a), row);
    if (Xdot) std::fill(Xdot, Xdot + N, 0.0);
    if (Ydot) std::fill(Ydot, Ydot + N, 0.0);
    return;
  }
  // C^2 smoothstep: s(0)=0, s(1)=1, s' and s'' vanish at both ends.
  const double u = seg.u;
  const int c = m_order[seg.j + 1];
  const double s = u * u * u * (10.0 + u * (-15.0 + 6.0 * u));
  const double ds = 30.0 * u * u * (1.0 - u) * (1.0 - u) / m_tau;
  const double *xa = m_samples.x(a), *xc = m_samples.x(c), *ya = m_samples.y(a), *yc = m_samples.y(c);
  for (int i = 0; i < N; ++i) {
    X[i] = xa[i] + s * (xc[i] - xa[i]);
    Y[i] = ya[i] + s * (yc[i] - ya[i]);
    if (Xdot) Xdot[i] = ds * (xc[i] - xa[i]);
    if (Ydot) Ydot[i] = ds * (yc[i] - ya[i]);
  }
}

void DataStream::second_derivatives(double t, double* Xddot, double* Yddot, bool left_limit) const {
  const std::size_t n = std::size_t(m_batch) * std::size_t(m_samples.N);
  if (Xddot) std::fill(Xddot, Xddot + n, 0.0);
  if (Yddot) std::fill(Yddot, Yddot + n, 0.0);
  m_motion.add(t, 2, Xddot, Yddot, m_batch);
  if (m_presentation != Presentation::blend) return;
  const Segment seg = segment(t, left_limit);
  const int a = m_order[seg.j], c = m_order[seg.j + 1];
  const double u = seg.u;
  const double dds = 60.0 * u * (1.0 - u) * (1.0 - 2.0 * u) / (m_tau * m_tau);  // s''(u) / tau^2
  for (int i = 0; i < m_samples.N; ++i) {
    if (Xddot) Xddot[i] += dds * (m_samples.x(c)[i] - m_samples.x(a)[i]);
    if (Yddot) Yddot[i] += dds * (m_samples.y(c)[i] - m_samples.y(a)[i]);
  }
}

double SwitchTimes::operator()() {
  // j tau computed as segment() computes the boundaries, so a switch never hides in round-off.
  for (;; ++m_j) {
    const double t = double(m_j) * m_tau;
    if (!(t <= m_t1)) return std::numeric_limits<double>::infinity();
    if (t > m_t0) {
      ++m_j;
      return t;
    }
  }
}

SwitchTimes DataStream::breakpoints(double t0, double t1) const {
  // Switched data jump at j tau; blended data are only C^2 there (the third derivative
  // jumps). Both are stops for the integrators: a step across them loses its order.
  // A moving source is smooth in time: no stops of its own.
  if (!varies_in_time(m_presentation)) return SwitchTimes(1.0, t0, -std::numeric_limits<double>::infinity());
  return SwitchTimes(m_tau, t0, t1);
}

BatchSampler::BatchSampler(int S, int batch, DataOrder order, std::uint64_t seed)
    : m_order(S, order, seed), m_batch(std::size_t(batch)) {}

const std::vector<int>& BatchSampler::next() {
  for (auto& i : m_batch) i = m_order[m_drawn++];
  return m_batch;
}

}  // namespace nnfield
