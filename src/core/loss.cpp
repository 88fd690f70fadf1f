// Per-site losses and their derivatives (docs/theory.md section 1).
#include "nnfield/core/loss.hpp"

#include <cmath>
#include <stdexcept>

namespace nnfield {

namespace {
double logistic(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}
}  // namespace

const std::vector<std::string>& loss_names() {
  static const std::vector<std::string> names{"mse", "logistic"};
  return names;
}

Loss loss_from_name(std::string_view name) {
  const auto& names = loss_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (name == names[i]) return static_cast<Loss>(i);
  throw std::invalid_argument("unknown loss '" + std::string(name) + "' (valid: mse, logistic)");
}

std::string loss_name(Loss l) { return loss_names().at(static_cast<std::size_t>(l)); }

double loss_value(Loss l, double Z, double Y) {
  switch (l) {
    case Loss::mse: return 0.5 * (Z - Y) * (Z - Y);
    case Loss::logistic: return std::max(Z, 0.0) + std::log1p(std::exp(-std::fabs(Z))) - Y * Z;
  }
  return 0.0;
}

double loss_dZ(Loss l, double Z, double Y) {
  switch (l) {
    case Loss::mse: return Z - Y;
    case Loss::logistic: return logistic(Z) - Y;
  }
  return 0.0;
}

double loss_dY(Loss l, double Z, double Y) {
  switch (l) {
    case Loss::mse: return Y - Z;
    case Loss::logistic: return -Z;
  }
  return 0.0;
}

double loss_dZZ(Loss l, double Z, double /*Y*/) {
  switch (l) {
    case Loss::mse: return 1.0;
    case Loss::logistic: { const double s = logistic(Z); return s * (1.0 - s); }
  }
  return 0.0;
}

double loss_row(Loss l, const double* Z, const double* Y, double scale, double* dZ, double* dY, std::size_t n,
                double start) {
  double total = start;
  if (l == Loss::mse) {
    // Inline arithmetic, so the loops vectorise. The values pass through dZ before they are
    // summed: a product feeding the sum directly would be contracted into a fused
    // multiply-add and round differently from loss_value.
    for (std::size_t i = 0; i < n; ++i) dZ[i] = 0.5 * (Z[i] - Y[i]) * (Z[i] - Y[i]);
    for (std::size_t i = 0; i < n; ++i) total += dZ[i];
    for (std::size_t i = 0; i < n; ++i) dZ[i] = scale * (Z[i] - Y[i]);
    if (dY)
      for (std::size_t i = 0; i < n; ++i) dY[i] = scale * (Y[i] - Z[i]);
    return total;
  }
  for (std::size_t i = 0; i < n; ++i) {
    total += loss_value(l, Z[i], Y[i]);
    dZ[i] = scale * loss_dZ(l, Z[i], Y[i]);
    if (dY) dY[i] = scale * loss_dY(l, Z[i], Y[i]);
  }
  return total;
}

}  // namespace nnfield
