#include "nnfield/dynamics/training_dynamics.hpp"

#include "nnfield/bbd/training_dynamics_bbd.hpp"

#include <stdexcept>

namespace nnfield {

void TrainingDynamics::parameters(const State& x, double, std::vector<double>& q, std::vector<double>& v) {
  q.assign(x.begin(), x.begin() + std::ptrdiff_t(num_params()));
  v.clear();
}

void Damped::parameters(const State& x, double, std::vector<double>& q, std::vector<double>& v) {
  const std::size_t P = num_params();
  q.assign(x.begin(), x.begin() + std::ptrdiff_t(P));
  v.assign(x.begin() + std::ptrdiff_t(P), x.begin() + std::ptrdiff_t(2 * P));
}

void TrainingDynamics::at_breakpoint(State& x, double t) {
  const double jump = m_landscape.loss(x.data(), t) - m_landscape.loss(x.data(), t, /*left_limit=*/true);
  x[data_work_index()] += jump;
}

GradientFlow::GradientFlow(LossLandscape& landscape, double eta) : TrainingDynamics(landscape), m_eta(eta) {}

void GradientFlow::rhs(const State& x, State& dxdt, double t) {
  const std::size_t P = num_params();
  double power = 0.0;
  m_landscape.evaluate(x.data(), t, dxdt.data(), &power);
  double g2 = 0.0;
  for (std::size_t j = 0; j < P; ++j) {
    g2 += dxdt[j] * dxdt[j];
    dxdt[j] *= -m_eta;
  }
  dxdt[P] = m_eta * g2;  // dissipation rate
  dxdt[P + 1] = power;   // work done by the data
}

void GradientFlow::bbd_state(const State& x, double t, BbdState& out) {
  const NetworkShape& s = m_landscape.network().shape();
  const std::size_t P = num_params(), nw = s.num_weights();
  std::vector<double> v(P);
  out.loss = m_landscape.evaluate(x.data(), t, v.data(), nullptr);
  for (auto& g : v) g *= -m_eta;  // q' = -eta dl/dq
  out.set_motion(x.data(), v.data(), nullptr, nw, P);
  for (auto* d : {&out.X, &out.Xd, &out.Xdd, &out.Y, &out.Yd}) d->assign(std::size_t(s.N), 0.0);
  m_landscape.data_at(t, out.X.data(), out.Xd.data(), out.Xdd.data(), out.Y.data(), out.Yd.data());
  Motion motion{out.W.data(), out.Wd.data(), nullptr, out.b.data(), out.bd.data(), nullptr,
                out.X.data(), out.Xd.data(), nullptr};
  bbd_forward_sweep(s, m_landscape.network().activation(), motion, out.kinematics);
  out.I.clear();
}

EnergyParts GradientFlow::energy(const State& x, double t) {
  const std::size_t P = num_params();
  return {0.0, m_landscape.loss(x.data(), t), x[P], x[P + 1]};
}

State GradientFlow::initial_state(const std::vector<double>& q, const std::vector<double>&) {
  State x(state_size(), 0.0);
  std::copy(q.begin(), q.end(), x.begin());
  return x;
}

Damped::Damped(LossLandscape& landscape, double gamma, bool track_energy_flow)
    : TrainingDynamics(landscape), m_gamma(gamma) {
  const NetworkShape& s = landscape.network().shape();
  if (track_energy_flow) {
    if (landscape.data().batch() != 1)
      throw std::invalid_argument("the BBD energy flow needs one presented sample at a time (not full_batch)");
    m_flow = std::make_unique<EnergyFlow>(s, landscape.network().loss_kind());
  }
  m_kinematics.resize(s);
  for (auto* v : {&m_X, &m_Xd, &m_Xdd}) v->assign(std::size_t(s.N), 0.0);
}

void Damped::sweep(const double* q, const double* v, const double* a, double t) {
  const std::size_t nw = m_landscape.network().shape().num_weights();
  m_landscape.data_at(t, m_X.data(), m_Xd.data(), m_Xdd.data(), nullptr, nullptr);
  Motion motion{q, v, a, q + nw, v + nw, a ? a + nw : nullptr, m_X.data(), m_Xd.data(), m_Xdd.data()};
  bbd_forward_sweep(m_landscape.network().shape(), m_landscape.network().activation(), motion, m_kinematics);
}

void Damped::rhs(const State& x, State& dxdt, double t) {
  const std::size_t P = num_params();
  const double* v = x.data() + P;
  double* a = dxdt.data() + P;
  double power = 0.0;
  m_landscape.evaluate(x.data(), t, a, &power);  // a = dl/dq for now
  double v2 = 0.0;
  for (std::size_t j = 0; j < P; ++j) {
    dxdt[j] = v[j];
    a[j] = -m_gamma * v[j] - a[j];
    v2 += v[j] * v[j];
  }
  dxdt[2 * P] = m_gamma * v2;
  dxdt[2 * P + 1] = power;
  if (m_flow) {  // the densities' time integrals advance with the accelerations
    sweep(x.data(), v, a, t);
    m_flow->integral_rate(m_kinematics, dxdt.data() + 2 * P + 2);
  }
}

void Damped::at_breakpoint(State& x, double t) {
  TrainingDynamics::at_breakpoint(x, t);  // the loss jump: work done by the data
  if (!m_flow) return;
  const std::size_t P = num_params();
  m_landscape.set_interval_end(t);  // the data just before t
  sweep(x.data(), x.data() + P, nullptr, t);
  m_before = m_kinematics;
  m_landscape.set_interval_end(1e300);
  sweep(x.data(), x.data() + P, nullptr, t);
  m_flow->integral_jump(m_before, m_kinematics, x.data() + 2 * P + 2);
}

void Damped::bbd_state(const State& x, double t, BbdState& out) {
  const std::size_t P = num_params(), nw = m_landscape.network().shape().num_weights();
  const double* q = x.data();
  const double* v = x.data() + P;
  std::vector<double> a(P);
  double power = 0.0;
  out.loss = m_landscape.evaluate(q, t, a.data(), &power);
  for (std::size_t j = 0; j < P; ++j) a[j] = -m_gamma * v[j] - a[j];
  sweep(q, v, a.data(), t);
  out.kinematics = m_kinematics;
  out.set_motion(q, v, a.data(), nw, P);
  out.X = m_X;
  out.Xd = m_Xd;
  out.Xdd = m_Xdd;
  out.Y.assign(m_X.size(), 0.0);
  out.Yd.assign(m_X.size(), 0.0);
  m_landscape.data_at(t, nullptr, nullptr, nullptr, out.Y.data(), out.Yd.data());
  out.I.assign(x.begin() + std::ptrdiff_t(2 * P + 2), x.end());
}

void Damped::force(const double* q, double* dpdt, double t) {
  const std::size_t P = num_params();
  m_landscape.evaluate(q, t, dpdt, nullptr);
  for (std::size_t j = 0; j < P; ++j) dpdt[j] = -dpdt[j];
}

EnergyParts Damped::energy(const State& x, double t) {
  const std::size_t P = num_params();
  double v2 = 0.0;
  for (std::size_t j = P; j < 2 * P; ++j) v2 += x[j] * x[j];
  return {0.5 * v2, m_landscape.loss(x.data(), t), x[2 * P], x[2 * P + 1]};
}

State Damped::initial_state(const std::vector<double>& q, const std::vector<double>& v) {
  const std::size_t P = num_params();
  State x(state_size(), 0.0);
  std::copy(q.begin(), q.end(), x.begin());
  if (!v.empty()) std::copy(v.begin(), v.end(), x.begin() + std::ptrdiff_t(P));
  return x;
}

double effective_eta(const ModelConfig& config) {
  const double ax = config.network.Lx / config.network.shape.M;
  return config.dynamics.eta_scaling == "depth" ? config.dynamics.eta * ax : config.dynamics.eta;
}

std::unique_ptr<TrainingDynamics> make_training_dynamics(const DynamicsConfig& config, LossLandscape& landscape,
                                                         bool track_energy_flow) {
  if (config.variables == "bbd") return make_bbd_dynamics(config, landscape, track_energy_flow);
  if (config.kind == "damped") return std::make_unique<Damped>(landscape, config.gamma, track_energy_flow);
  if (config.kind == "gradient_flow") return std::make_unique<GradientFlow>(landscape, config.eta);
  throw std::invalid_argument("dynamics '" + config.kind + "' is not a continuous-time system");
}

}  // namespace nnfield
