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
    : m_theory(theory), m_mass(theory.mass()), m_pair(std::move(owned)), m_data(data ? *data : *m_pair), m_sweeps(theory, 1) {
  if (m_data.width() != theory.ny()) throw std::invalid_argument("field dynamics: the data need ny values a sample");
  const std::size_t n = std::size_t(theory.ny());
  for (auto* v : {&m_X, &m_Y, &m_Xdot, &m_Ydot}) v->assign(n * std::size_t(m_data.batch()), 0.0);
}

void FieldPotential::load_data(double t, bool left_limit) {
  m_data.at(t, m_X.data(), m_Y.data(), m_Xdot.data(), m_Ydot.data(), left_limit);
}

// A batch of B samples (full_batch): one boundary theory per sample on the same bulk, each
// sample its own sweep, and the loss, gradient and data power their means, as the network's.
double FieldPotential::evaluate(const double* q, double t, double* grad, double* data_power) {
  load_data(t, t >= m_interval_end);
  const bool moving = data_power && !m_data.piecewise_constant();
  const std::size_t B = std::size_t(m_data.batch()), n = std::size_t(m_theory.ny()), P = m_theory.num_params();
  m_gradients += long(B);
  const auto X = [&](std::size_t s) { return m_X.data() + s * n; };
  const auto Y = [&](std::size_t s) { return m_Y.data() + s * n; };
  // Fixed or switched data are constant between breakpoints: no power there.
  const auto power = [&](FieldTheory& theory, std::size_t s, const double* g, const double* phi) {
    return theory.data_power(q, g, phi, m_Y.data() + s * n, m_Xdot.data() + s * n, m_Ydot.data() + s * n);
  };
  const SampleSweeps::SampleExtra power_ref(power);
  SampleSweeps::Sums sums = m_sweeps.gradient(q, B, X, Y, grad, moving ? &power_ref : nullptr);
  if (B > 1) {
    const double mean = 1.0 / double(B);
    for (std::size_t j = 0; j < P; ++j) grad[j] *= mean;
    sums.loss *= mean;
    sums.extra *= mean;
  }
  if (data_power) *data_power = sums.extra;
  return sums.loss;
}

double FieldPotential::loss(const double* q, double t, bool left_limit) {
  load_data(t, left_limit);
  const std::size_t B = std::size_t(m_data.batch()), n = std::size_t(m_theory.ny());
  const double L = m_sweeps.loss(
      q, B, [&](std::size_t s) { return m_X.data() + s * n; }, [&](std::size_t s) { return m_Y.data() + s * n; });
  return B == 1 ? L : L / double(B);
}

void FieldPotential::data_at(double t, double* X, double* Y) const { m_data.at(t, X, Y, nullptr, nullptr); }

}  // namespace nnfield
