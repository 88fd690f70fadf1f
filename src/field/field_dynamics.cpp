#include "nnfield/field/field_dynamics.hpp"

#include <stdexcept>

namespace nnfield {

FieldDynamics::FieldDynamics(FieldTheory& theory, std::vector<double> X, std::vector<double> Y)
    : m_theory(theory), m_X(std::move(X)), m_Y(std::move(Y)), m_grad(theory.num_params()),
      m_inv_mass(theory.num_params()) {
  if (m_X.size() != std::size_t(theory.ny()) || m_Y.size() != std::size_t(theory.ny()))
    throw std::invalid_argument("field dynamics: X and Y need ny values");
  const std::vector<double>& m = theory.mass();
  for (std::size_t j = 0; j < m.size(); ++j) m_inv_mass[j] = m[j] > 0 ? 1.0 / m[j] : 0.0;
}

double FieldDynamics::gradient(const double* q) {
  ++m_gradients;
  return m_theory.gradient(q, m_X.data(), m_Y.data(), m_grad.data());
}

FieldGradientFlow::FieldGradientFlow(FieldTheory& theory, std::vector<double> X, std::vector<double> Y, double eta)
    : FieldDynamics(theory, std::move(X), std::move(Y)), m_eta(eta) {}

void FieldGradientFlow::rhs(const State& x, State& dxdt, double) {
  const std::size_t P = num_params();
  gradient(x.data());
  double d = 0.0;
  for (std::size_t j = 0; j < P; ++j) {
    dxdt[j] = -m_eta * m_grad[j] * m_inv_mass[j];
    d += m_eta * m_grad[j] * m_grad[j] * m_inv_mass[j];  // = sum m q'^2 / eta
  }
  dxdt[P] = d;
}

State FieldGradientFlow::initial_state(const std::vector<double>& q, const std::vector<double>&) const {
  State x(state_size(), 0.0);
  std::copy(q.begin(), q.end(), x.begin());
  return x;
}

FieldEnergy FieldGradientFlow::energy(const State& x) {
  FieldEnergy e;
  e.potential = m_theory.loss(x.data(), m_X.data(), m_Y.data());
  e.dissipated = x[num_params()];
  return e;
}

FieldDamped::FieldDamped(FieldTheory& theory, std::vector<double> X, std::vector<double> Y, double gamma)
    : FieldDynamics(theory, std::move(X), std::move(Y)), m_gamma(gamma) {}

void FieldDamped::rhs(const State& x, State& dxdt, double) {
  const std::size_t P = num_params();
  gradient(x.data());
  const std::vector<double>& m = m_theory.mass();
  double d = 0.0;
  for (std::size_t j = 0; j < P; ++j) {
    const double v = x[P + j];
    dxdt[j] = v;
    dxdt[P + j] = -m_gamma * v - m_grad[j] * m_inv_mass[j];
    d += m_gamma * m[j] * v * v;
  }
  dxdt[2 * P] = d;
}

void FieldDamped::force(const double* q, double* dpdt, double) {
  gradient(q);
  for (std::size_t j = 0; j < num_params(); ++j) dpdt[j] = -m_grad[j] * m_inv_mass[j];
}

State FieldDamped::initial_state(const std::vector<double>& q, const std::vector<double>& v) const {
  const std::size_t P = num_params();
  State x(state_size(), 0.0);
  std::copy(q.begin(), q.end(), x.begin());
  if (!v.empty())
    for (std::size_t j = 0; j < P; ++j) x[P + j] = m_inv_mass[j] > 0 ? v[j] : 0.0;
  return x;
}

FieldEnergy FieldDamped::energy(const State& x) {
  const std::size_t P = num_params();
  const std::vector<double>& m = m_theory.mass();
  FieldEnergy e;
  for (std::size_t j = 0; j < P; ++j) e.kinetic += 0.5 * m[j] * x[P + j] * x[P + j];
  e.potential = m_theory.loss(x.data(), m_X.data(), m_Y.data());
  e.dissipated = x[2 * P];
  return e;
}

}  // namespace nnfield
