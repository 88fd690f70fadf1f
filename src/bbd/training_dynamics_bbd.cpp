#include "nnfield/bbd/training_dynamics_bbd.hpp"

#include <algorithm>
#include <stdexcept>

#include "nnfield/bbd/bbd_variables.hpp"

namespace nnfield {

namespace {
constexpr double kNoIntervalEnd = 1e300;

const NetworkShape& shape_of(LossLandscape& l) { return l.network().shape(); }

// The neurons z^(1..M) (and z' if wanted) from the kinematics rows 1..M.
void copy_neurons(const std::vector<double>& layers, int N, double* out, std::size_t n) {
  std::copy(layers.begin() + N, layers.begin() + N + std::ptrdiff_t(n), out);
}
}  // namespace

// ---- damped ---------------------------------------------------------------

DampedBbd::DampedBbd(LossLandscape& landscape, double gamma, bool track_energy_flow)
    : TrainingDynamics(landscape), m_gamma(gamma) {
  const NetworkShape& s = shape_of(landscape);
  if (landscape.data().batch() != 1)
    throw std::invalid_argument("BBD variables need one presented sample at a time (not full_batch)");
  if (track_energy_flow) m_flow = std::make_unique<EnergyFlow>(s, landscape.network().loss_kind());
  m_kinematics.resize(s);
  for (auto* v : {&m_q, &m_v, &m_a}) v->assign(s.num_params(), 0.0);
  for (auto* v : {&m_X, &m_Xd, &m_Xdd}) v->assign(std::size_t(s.N), 0.0);
}

std::size_t DampedBbd::num_integrals() const {
  const NetworkShape& s = m_landscape.network().shape();
  return m_flow ? std::size_t(s.M - 1) * std::size_t(s.N) : 0;
}

void DampedBbd::to_parameters(const double* x, double t, bool left_limit) {
  const NetworkShape& s = shape_of(m_landscape);
  const std::size_t nw = s.num_weights(), P = num_params();
  if (left_limit) m_landscape.set_interval_end(t);
  m_landscape.data_at(t, m_X.data(), m_Xd.data(), m_Xdd.data(), nullptr, nullptr);
  if (left_limit) m_landscape.set_interval_end(kNoIntervalEnd);
  const double *W = x, *z = x + nw, *Wd = x + P, *zd = x + P + nw;
  std::copy(W, W + nw, m_q.begin());
  std::copy(Wd, Wd + nw, m_v.begin());
  from_bbd_sweep(s, m_landscape.network().activation(), W, Wd, z, zd, m_X.data(), m_Xd.data(), m_q.data() + nw,
                 m_v.data() + nw, m_h, m_hd);
}

double DampedBbd::accelerate(double t, double* power) {
  const NetworkShape& s = shape_of(m_landscape);
  const std::size_t nw = s.num_weights(), P = num_params();
  const double loss = m_landscape.evaluate(m_q.data(), t, m_a.data(), power);
  for (std::size_t j = 0; j < P; ++j) m_a[j] = -m_gamma * m_v[j] - m_a[j];  // (W, b) accelerations
  const Motion motion{m_q.data(),      m_v.data(), m_a.data(),  m_q.data() + nw, m_v.data() + nw,
                      m_a.data() + nw, m_X.data(), m_Xd.data(), m_Xdd.data()};
  bbd_forward_sweep(s, m_landscape.network().activation(), motion, m_kinematics);
  return loss;
}

void DampedBbd::rhs(const State& x, State& dxdt, double t) {
  const NetworkShape& s = shape_of(m_landscape);
  const std::size_t nw = s.num_weights(), nz = s.num_biases(), P = num_params();
  to_parameters(x.data(), t);
  double power = 0.0;
  accelerate(t, &power);
  std::copy(x.begin() + std::ptrdiff_t(P), x.begin() + std::ptrdiff_t(2 * P), dxdt.begin());  // (W, z)' = (W', z')
  std::copy(m_a.begin(), m_a.begin() + std::ptrdiff_t(nw), dxdt.begin() + std::ptrdiff_t(P));  // W''
  copy_neurons(m_kinematics.zdd, s.N, dxdt.data() + P + nw, nz);                              // z''
  double v2 = 0.0;
  for (double v : m_v) v2 += v * v;
  dxdt[2 * P] = m_gamma * v2;
  dxdt[2 * P + 1] = power;
  if (m_flow) m_flow->integral_rate(m_kinematics, dxdt.data() + 2 * P + 2);
}

void DampedBbd::at_breakpoint(State& x, double t) {
  // The data switch at t: (W, b) and their velocities are continuous, the neurons
  // are not. Map with the old input, back with the new one; book the loss jump.
  const NetworkShape& s = shape_of(m_landscape);
  const std::size_t nw = s.num_weights(), nz = s.num_biases(), P = num_params();
  to_parameters(x.data(), t, /*left_limit=*/true);
  const double before = m_landscape.loss(m_q.data(), t, /*left_limit=*/true);
  const Motion motion{m_q.data(), m_v.data(), nullptr, m_q.data() + nw, m_v.data() + nw, nullptr,
                      m_X.data(), m_Xd.data(), nullptr};
  if (m_flow) bbd_forward_sweep(s, m_landscape.network().activation(), motion, m_before);  // old input
  m_landscape.data_at(t, m_X.data(), m_Xd.data(), m_Xdd.data(), nullptr, nullptr);
  bbd_forward_sweep(s, m_landscape.network().activation(), motion, m_kinematics);  // new input
  if (m_flow) m_flow->integral_jump(m_before, m_kinematics, x.data() + 2 * P + 2);
  copy_neurons(m_kinematics.z, s.N, x.data() + nw, nz);
  copy_neurons(m_kinematics.zd, s.N, x.data() + P + nw, nz);
  x[data_work_index()] += m_landscape.loss(m_q.data(), t) - before;
}

EnergyParts DampedBbd::energy(const State& x, double t) {
  const std::size_t P = num_params();
  to_parameters(x.data(), t);
  double v2 = 0.0;
  for (double v : m_v) v2 += v * v;
  return {0.5 * v2, m_landscape.loss(m_q.data(), t), x[2 * P], x[2 * P + 1]};
}

void DampedBbd::bbd_state(const State& x, double t, BbdState& out) {
  const NetworkShape& s = shape_of(m_landscape);
  const std::size_t nw = s.num_weights(), P = num_params();
  to_parameters(x.data(), t);
  double power = 0.0;
  out.loss = accelerate(t, &power);
  out.kinematics = m_kinematics;
  out.set_motion(m_q.data(), m_v.data(), m_a.data(), nw, P);
  out.X = m_X;
  out.Xd = m_Xd;
  out.Xdd = m_Xdd;
  out.Y.assign(m_X.size(), 0.0);
  out.Yd.assign(m_X.size(), 0.0);
  m_landscape.data_at(t, nullptr, nullptr, nullptr, out.Y.data(), out.Yd.data());
  out.I.assign(x.begin() + std::ptrdiff_t(2 * P + 2), x.end());
}

void DampedBbd::parameters(const State& x, double t, std::vector<double>& q, std::vector<double>& v) {
  to_parameters(x.data(), t);
  q = m_q;
  v = m_v;
}

State DampedBbd::initial_state(const std::vector<double>& q, const std::vector<double>& v) {
  const NetworkShape& s = shape_of(m_landscape);
  const std::size_t nw = s.num_weights(), nz = s.num_biases(), P = num_params();
  m_landscape.data_at(0.0, m_X.data(), m_Xd.data(), nullptr, nullptr, nullptr);
  const std::vector<double> zero(P, 0.0);
  const std::vector<double>& vel = v.empty() ? zero : v;
  const Motion motion{q.data(), vel.data(), nullptr, q.data() + nw, vel.data() + nw, nullptr,
                      m_X.data(), m_Xd.data(), nullptr};
  bbd_forward_sweep(s, m_landscape.network().activation(), motion, m_kinematics);
  State x(state_size(), 0.0);
  std::copy(q.begin(), q.begin() + std::ptrdiff_t(nw), x.begin());
  copy_neurons(m_kinematics.z, s.N, x.data() + nw, nz);
  std::copy(vel.begin(), vel.begin() + std::ptrdiff_t(nw), x.begin() + std::ptrdiff_t(P));
  copy_neurons(m_kinematics.zd, s.N, x.data() + P + nw, nz);
  return x;
}

// ---- gradient flow --------------------------------------------------------

GradientFlowBbd::GradientFlowBbd(LossLandscape& landscape, double eta) : TrainingDynamics(landscape), m_eta(eta) {
  const NetworkShape& s = shape_of(landscape);
  if (landscape.data().batch() != 1)
    throw std::invalid_argument("BBD variables need one presented sample at a time (not full_batch)");
  m_kinematics.resize(s);
  for (auto* v : {&m_q, &m_g}) v->assign(s.num_params(), 0.0);
  for (auto* v : {&m_X, &m_Xd}) v->assign(std::size_t(s.N), 0.0);
}

void GradientFlowBbd::to_parameters(const double* x, double t, bool left_limit) {
  const NetworkShape& s = shape_of(m_landscape);
  const std::size_t nw = s.num_weights();
  if (left_limit) m_landscape.set_interval_end(t);
  m_landscape.data_at(t, m_X.data(), m_Xd.data(), nullptr, nullptr, nullptr);
  if (left_limit) m_landscape.set_interval_end(kNoIntervalEnd);
  std::copy(x, x + nw, m_q.begin());
  from_bbd_sweep(s, m_landscape.network().activation(), x, nullptr, x + nw, nullptr, m_X.data(), nullptr,
                 m_q.data() + nw, nullptr, m_h, m_hd);
}

void GradientFlowBbd::rhs(const State& x, State& dxdt, double t) {
  const NetworkShape& s = shape_of(m_landscape);
  const std::size_t nw = s.num_weights(), nz = s.num_biases(), P = num_params();
  to_parameters(x.data(), t);
  double power = 0.0;
  m_landscape.evaluate(m_q.data(), t, m_g.data(), &power);
  double g2 = 0.0;
  for (double& g : m_g) {
    g2 += g * g;
    g *= -m_eta;  // now q' = -eta dl/dq
  }
  // z' from (W', b') and X' by the forward velocity sweep (d/dt Eq. 1).
  const Motion motion{m_q.data(), m_g.data(), nullptr, m_q.data() + nw, m_g.data() + nw, nullptr,
                      m_X.data(), m_Xd.data(), nullptr};
  bbd_forward_sweep(s, m_landscape.network().activation(), motion, m_kinematics);
  std::copy(m_g.begin(), m_g.begin() + std::ptrdiff_t(nw), dxdt.begin());
  copy_neurons(m_kinematics.zd, s.N, dxdt.data() + nw, nz);
  dxdt[P] = m_eta * g2;
  dxdt[P + 1] = power;
}

void GradientFlowBbd::at_breakpoint(State& x, double t) {
  const NetworkShape& s = shape_of(m_landscape);
  const std::size_t nw = s.num_weights(), nz = s.num_biases();
  to_parameters(x.data(), t, /*left_limit=*/true);
  const double before = m_landscape.loss(m_q.data(), t, /*left_limit=*/true);
  m_landscape.data_at(t, m_X.data(), nullptr, nullptr, nullptr, nullptr);
  const Motion motion{m_q.data(), nullptr, nullptr, m_q.data() + nw, nullptr, nullptr, m_X.data(), nullptr, nullptr};
  bbd_forward_sweep(s, m_landscape.network().activation(), motion, m_kinematics);
  copy_neurons(m_kinematics.z, s.N, x.data() + nw, nz);
  x[data_work_index()] += m_landscape.loss(m_q.data(), t) - before;
}

EnergyParts GradientFlowBbd::energy(const State& x, double t) {
  const std::size_t P = num_params();
  to_parameters(x.data(), t);
  return {0.0, m_landscape.loss(m_q.data(), t), x[P], x[P + 1]};
}

void GradientFlowBbd::bbd_state(const State& x, double t, BbdState& out) {
  const NetworkShape& s = shape_of(m_landscape);
  const std::size_t nw = s.num_weights();
  to_parameters(x.data(), t);
  out.loss = m_landscape.evaluate(m_q.data(), t, m_g.data(), nullptr);
  for (double& g : m_g) g *= -m_eta;
  out.set_motion(m_q.data(), m_g.data(), nullptr, nw, num_params());
  for (auto* d : {&out.X, &out.Xd, &out.Xdd, &out.Y, &out.Yd}) d->assign(std::size_t(s.N), 0.0);
  m_landscape.data_at(t, out.X.data(), out.Xd.data(), out.Xdd.data(), out.Y.data(), out.Yd.data());
  const Motion motion{out.W.data(), out.Wd.data(), nullptr, out.b.data(), out.bd.data(), nullptr,
                      out.X.data(), out.Xd.data(), nullptr};
  bbd_forward_sweep(s, m_landscape.network().activation(), motion, out.kinematics);
  out.I.clear();
}

void GradientFlowBbd::parameters(const State& x, double t, std::vector<double>& q, std::vector<double>& v) {
  to_parameters(x.data(), t);
  q = m_q;
  v.clear();
}

State GradientFlowBbd::initial_state(const std::vector<double>& q, const std::vector<double>&) {
  const NetworkShape& s = shape_of(m_landscape);
  const std::size_t nw = s.num_weights(), nz = s.num_biases();
  m_landscape.data_at(0.0, m_X.data(), nullptr, nullptr, nullptr, nullptr);
  const Motion motion{q.data(), nullptr, nullptr, q.data() + nw, nullptr, nullptr, m_X.data(), nullptr, nullptr};
  bbd_forward_sweep(s, m_landscape.network().activation(), motion, m_kinematics);
  State x(state_size(), 0.0);
  std::copy(q.begin(), q.begin() + std::ptrdiff_t(nw), x.begin());
  copy_neurons(m_kinematics.z, s.N, x.data() + nw, nz);
  return x;
}

std::unique_ptr<TrainingDynamics> make_bbd_dynamics(const DynamicsConfig& config, LossLandscape& landscape,
                                                    bool track_energy_flow) {
  if (config.kind == "damped") return std::make_unique<DampedBbd>(landscape, config.gamma, track_energy_flow);
  if (config.kind == "gradient_flow") return std::make_unique<GradientFlowBbd>(landscape, config.eta);
  throw std::invalid_argument("dynamics '" + config.kind + "' cannot run in BBD variables");
}

}  // namespace nnfield
