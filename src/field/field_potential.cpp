#include "nnfield/field/field_potential.hpp"

#include <algorithm>
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
  if (m_data.width() != theory.ny()) throw std::invalid_argument("field dynamics: the data need ny values a sample");
  const std::size_t n = std::size_t(theory.ny());
  for (auto* v : {&m_X, &m_Y, &m_Xdot, &m_Ydot}) v->assign(n * std::size_t(m_data.batch()), 0.0);
  m_phi.assign(std::size_t(theory.nx()) * n, 0.0);
  if (m_data.batch() > 1) m_sample_grad.assign(theory.num_params(), 0.0);
}

void FieldPotential::load_data(double t, bool left_limit) {
  m_data.at(t, m_X.data(), m_Y.data(), m_Xdot.data(), m_Ydot.data(), left_limit);
}

// A batch of B samples (full_batch): one boundary theory per sample on the same bulk, each
// sample its own sweep, and the loss, gradient and data power their means, as the network's.
double FieldPotential::evaluate(const double* q, double t, double* grad, double* data_power) {
  load_data(t, t >= m_interval_end);
  const bool moving = data_power && !m_data.piecewise_constant();
  const int B = m_data.batch();
  const std::size_t n = std::size_t(m_theory.ny()), P = m_theory.num_params();
  double L = 0.0, power = 0.0;
  for (int s = 0; s < B; ++s) {
    ++m_gradients;
    const std::size_t row = std::size_t(s) * n;
    double* g = B == 1 ? grad : m_sample_grad.data();  // one sample: straight into grad
    L += m_theory.gradient(q, m_X.data() + row, m_Y.data() + row, g, moving ? m_phi.data() : nullptr);
    // Fixed or switched data are constant between breakpoints: no power there.
    if (moving)
      power += m_theory.data_power(q, g, m_phi.data(), m_Y.data() + row, m_Xdot.data() + row, m_Ydot.data() + row);
    if (B == 1) continue;
    if (s == 0) std::fill(grad, grad + P, 0.0);
    for (std::size_t j = 0; j < P; ++j) grad[j] += g[j];
  }
  if (B > 1) {
    const double mean = 1.0 / B;
    for (std::size_t j = 0; j < P; ++j) grad[j] *= mean;
    L *= mean;
    power *= mean;
  }
  if (data_power) *data_power = power;
  return L;
}

double FieldPotential::loss(const double* q, double t, bool left_limit) {
  load_data(t, left_limit);
  const int B = m_data.batch();
  const std::size_t n = std::size_t(m_theory.ny());
  double L = 0.0;
  for (int s = 0; s < B; ++s) L += m_theory.loss(q, m_X.data() + std::size_t(s) * n, m_Y.data() + std::size_t(s) * n);
  return B == 1 ? L : L / B;
}

void FieldPotential::data_at(double t, double* X, double* Y) const { m_data.at(t, X, Y, nullptr, nullptr); }

}  // namespace nnfield
