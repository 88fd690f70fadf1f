#include "nnfield/field/field_potential.hpp"

#include <stdexcept>

namespace nnfield {

namespace {

std::unique_ptr<const DataStream> one_pair(std::vector<double> X, std::vector<double> Y) {
  if (X.size() != Y.size()) throw std::invalid_argument("field dynamics: X and Y need ny values");
  const int n = int(X.size());
  return std::make_unique<const DataStream>(Samples{1, n, std::move(X), std::move(Y)}, DataConfig{}, 0);
}

}  // namespace

FieldPotential::FieldPotential(FieldTheory& theory, const DataStream& data)
    : FieldPotential(theory, nullptr, &data) {}

FieldPotential::FieldPotential(FieldTheory& theory, std::vector<double> X, std::vector<double> Y)
    : FieldPotential(theory, one_pair(std::move(X), std::move(Y)), nullptr) {}

// m_pair is initialised before m_data (declaration order): `data` or the owned pair.
FieldPotential::FieldPotential(FieldTheory& theory, std::unique_ptr<const DataStream> owned, const DataStream* data)
    : m_theory(theory), m_pair(std::move(owned)), m_data(data ? *data : *m_pair) {
  if (m_data.width() != theory.ny() || m_data.batch() != 1)
    throw std::invalid_argument("field dynamics: the data need one sample of ny values at a time");
  const std::size_t n = std::size_t(theory.ny());
  for (auto* v : {&m_X, &m_Y, &m_Xdot, &m_Ydot}) v->assign(n, 0.0);
  m_phi.assign(std::size_t(theory.nx()) * n, 0.0);
}

void FieldPotential::load_data(double t, bool left_limit) {
  m_data.at(t, m_X.data(), m_Y.data(), m_Xdot.data(), m_Ydot.data(), left_limit);
}

double FieldPotential::evaluate(const double* q, double t, double* grad, double* data_power) {
  ++m_gradients;
  load_data(t, t >= m_interval_end);
  const bool moving = data_power && !m_data.piecewise_constant();
  const double L = m_theory.gradient(q, m_X.data(), m_Y.data(), grad, moving ? m_phi.data() : nullptr);
  // Fixed or switched data are constant between breakpoints: no power there.
  if (data_power)
    *data_power = moving ? m_theory.data_power(q, grad, m_phi.data(), m_Y.data(), m_Xdot.data(), m_Ydot.data()) : 0.0;
  return L;
}

double FieldPotential::loss(const double* q, double t, bool left_limit) {
  load_data(t, left_limit);
  return m_theory.loss(q, m_X.data(), m_Y.data());
}

void FieldPotential::data_at(double t, double* X, double* Y) const { m_data.at(t, X, Y, nullptr, nullptr); }

}  // namespace nnfield
