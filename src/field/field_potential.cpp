#include "nnfield/field/field_potential.hpp"

#include <stdexcept>

namespace nnfield {

FieldPotential::FieldPotential(FieldTheory& theory, const DataStream& data)
    : m_theory(theory), m_data(data), m_X(std::size_t(theory.ny())), m_Y(std::size_t(theory.ny())) {
  if (data.width() != theory.ny() || data.batch() != 1)
    throw std::invalid_argument("field dynamics: the data need one sample of ny values at a time");
  if (data.time_dependent() && !data.piecewise_constant())
    throw std::invalid_argument("field dynamics: blended data need dL/dX, which the field theory does not give");
}

namespace {

std::unique_ptr<const DataStream> one_pair(std::vector<double> X, std::vector<double> Y) {
  if (X.size() != Y.size()) throw std::invalid_argument("field dynamics: X and Y need ny values");
  const int n = int(X.size());
  return std::make_unique<const DataStream>(Samples{1, n, std::move(X), std::move(Y)}, DataConfig{}, 0);
}

}  // namespace

FieldPotential::FieldPotential(FieldTheory& theory, std::vector<double> X, std::vector<double> Y)
    : m_theory(theory), m_pair(one_pair(std::move(X), std::move(Y))), m_data(*m_pair),
      m_X(std::size_t(theory.ny())), m_Y(std::size_t(theory.ny())) {
  if (m_data.width() != theory.ny()) throw std::invalid_argument("field dynamics: X and Y need ny values");
}

void FieldPotential::load_data(double t, bool left_limit) {
  m_data.at(t, m_X.data(), m_Y.data(), nullptr, nullptr, left_limit);
}

double FieldPotential::evaluate(const double* q, double t, double* grad, double* data_power) {
  ++m_gradients;
  load_data(t, t >= m_interval_end);
  if (data_power) *data_power = 0.0;  // fixed or switched data: constant between breakpoints
  return m_theory.gradient(q, m_X.data(), m_Y.data(), grad);
}

double FieldPotential::loss(const double* q, double t, bool left_limit) {
  load_data(t, left_limit);
  return m_theory.loss(q, m_X.data(), m_Y.data());
}

void FieldPotential::data_at(double t, double* X, double* Y) const { m_data.at(t, X, Y, nullptr, nullptr); }

}  // namespace nnfield
