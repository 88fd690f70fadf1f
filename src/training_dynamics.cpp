#include "nnfield/training_dynamics.hpp"

#include <stdexcept>

namespace nnfield {

void TrainingDynamics::at_breakpoint(State& x, double t) {
  const double jump = m_landscape.loss(x.data(), t) - m_landscape.loss(x.data(), t, /*left_limit=*/true);
  x[state_size() - 1] += jump;  // data_work is the last entry of every layout
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

EnergyParts GradientFlow::energy(const State& x, double t) {
  const std::size_t P = num_params();
  return {0.0, m_landscape.loss(x.data(), t), x[P], x[P + 1]};
}

State GradientFlow::initial_state(const std::vector<double>& q, const std::vector<double>&) const {
  State x(state_size(), 0.0);
  std::copy(q.begin(), q.end(), x.begin());
  return x;
}

Damped::Damped(LossLandscape& landscape, double gamma) : TrainingDynamics(landscape), m_gamma(gamma) {}

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

State Damped::initial_state(const std::vector<double>& q, const std::vector<double>& v) const {
  const std::size_t P = num_params();
  State x(state_size(), 0.0);
  std::copy(q.begin(), q.end(), x.begin());
  if (!v.empty()) std::copy(v.begin(), v.end(), x.begin() + std::ptrdiff_t(P));
  return x;
}

std::unique_ptr<TrainingDynamics> make_training_dynamics(const DynamicsConfig& config, LossLandscape& landscape) {
  if (config.kind == "damped") return std::make_unique<Damped>(landscape, config.gamma);
  if (config.kind == "gradient_flow") return std::make_unique<GradientFlow>(landscape, config.eta);
  throw std::invalid_argument("dynamics '" + config.kind + "' is not a continuous-time system");
}

}  // namespace nnfield
