#include "nnfield/analysis/depth_fit.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nnfield {

LineFit weighted_line_fit(const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& w) {
  if (x.size() != y.size() || x.size() != w.size()) throw std::invalid_argument("weighted_line_fit: size mismatch");
  double sw = 0, sx = 0, sy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sw += w[i];
    sx += w[i] * x[i];
    sy += w[i] * y[i];
  }
  LineFit fit;
  if (x.size() < 2 || !(sw > 0)) return fit;
  // Centred sums: no cancellation when x is far from 0.
  const double xm = sx / sw, ym = sy / sw;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += w[i] * (x[i] - xm) * (x[i] - xm);
    sxy += w[i] * (x[i] - xm) * (y[i] - ym);
  }
  if (!(sxx > 0)) return fit;
  fit.ok = true;
  fit.slope = sxy / sxx;
  fit.intercept = ym - fit.slope * xm;
  return fit;
}

namespace {

// For fixed lambda: the linear least-squares plateau and amplitude, and the residual.
PlateauFit fixed_lambda_fit(const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& w,
                            double lambda) {
  // Basis functions 1 and e_i = lambda^(x_i - x_0) (shifted so e stays O(1)).
  std::vector<double> e(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) e[i] = std::pow(lambda, x[i] - x[0]);
  PlateauFit fit;
  fit.lambda = lambda;
  const LineFit line = weighted_line_fit(e, y, w);  // y = plateau + amplitude' e
  if (!line.ok) {
    fit.residual = INFINITY;
    return fit;
  }
  fit.ok = true;
  fit.plateau = line.intercept;
  fit.amplitude = line.slope * std::pow(lambda, -x[0]);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double r = y[i] - line.intercept - line.slope * e[i];
    fit.residual += w[i] * r * r;
  }
  return fit;
}

}  // namespace

PlateauFit exponential_plateau_fit(const std::vector<double>& x, const std::vector<double>& y,
                                   const std::vector<double>& w) {
  PlateauFit best;
  if (x.size() < 4 || x.size() != y.size() || x.size() != w.size()) return best;
  const double span = *std::max_element(x.begin(), x.end()) - *std::min_element(x.begin(), x.end());
  if (!(span > 0)) return best;
  const double log_lo = std::log(0.05), log_hi = std::log(50.0 * span);
  const auto at = [&](double log_xi) { return fixed_lambda_fit(x, y, w, std::exp(-1.0 / std::exp(log_xi))); };
  const int grid = 240;
  int k_best = 0;
  best = at(log_lo);
  for (int k = 1; k < grid; ++k) {
    const PlateauFit f = at(log_lo + (log_hi - log_lo) * k / (grid - 1));
    if (f.ok && f.residual < best.residual) {
      best = f;
      k_best = k;
    }
  }
  // Golden-section refinement between the grid neighbours of the best point.
  const double h = (log_hi - log_lo) / (grid - 1);
  double a = log_lo + h * std::max(0, k_best - 1), b = log_lo + h * std::min(grid - 1, k_best + 1);
  const double g = 0.5 * (std::sqrt(5.0) - 1.0);
  double c = b - g * (b - a), d = a + g * (b - a);
  PlateauFit fc = at(c), fd = at(d);
  for (int it = 0; it < 100 && b - a > 1e-12; ++it) {
    if (fc.residual < fd.residual) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = at(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = at(d);
    }
  }
  const PlateauFit refined = fc.residual < fd.residual ? fc : fd;
  if (refined.ok && refined.residual <= best.residual) best = refined;
  // The best xi at the top of the grid: no decay visible, the plateau is not determined.
  if (k_best == grid - 1) best.ok = false;
  return best;
}

}  // namespace nnfield
