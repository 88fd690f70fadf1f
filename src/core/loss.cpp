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

}  // namespace nnfield
