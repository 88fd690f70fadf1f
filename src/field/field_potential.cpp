#include "nnfield/field/field_potential.hpp"

#include <stdexcept>

namespace nnfield {

FieldPotential::FieldPotential(FieldTheory& theory, std::vector<double> X, std::vector<double> Y)
    : m_theory(theory), m_X(std::move(X)), m_Y(std::move(Y)) {
  if (m_X.size() != std::size_t(theory.ny()) || m_Y.size() != std::size_t(theory.ny()))
    throw std::invalid_argument("field dynamics: X and Y need ny values");
}

double FieldPotential::evaluate(const double* q, double, double* grad, double* data_power) {
  ++m_gradients;
  if (data_power) *data_power = 0.0;
  return m_theory.gradient(q, m_X.data(), m_Y.data(), grad);
}

double FieldPotential::loss(const double* q, double, bool) { return m_theory.loss(q, m_X.data(), m_Y.data()); }

}  // namespace nnfield
