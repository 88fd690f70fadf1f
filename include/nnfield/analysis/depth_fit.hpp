#pragma once
// Least-squares fits used for depth scales (docs/theory.md section 5): a weighted straight line
// (log-linear fits of |c^(m) - c*| ~ A exp(-m/xi)) and an exponential approach to an unknown
// plateau, y_m = y_inf + A lambda^m (to find c* where the network has not reached it).
#include <vector>

namespace nnfield {

struct LineFit {
  bool ok = false;
  double slope = 0.0, intercept = 0.0;
};
// Minimises sum_i w_i (y_i - intercept - slope x_i)^2 (w_i > 0). Needs two distinct x.
LineFit weighted_line_fit(const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& w);

struct PlateauFit {
  bool ok = false;
  double plateau = 0.0, amplitude = 0.0;
  double lambda = 0.0;  // per-step factor, 0 < lambda < 1; xi = -1/ln lambda
  double residual = 0.0;  // weighted sum of squares at the optimum
};
// Minimises sum_i w_i (y_i - plateau - amplitude lambda^x_i)^2 over (plateau, amplitude,
// lambda): for fixed lambda the first two are linear least squares (variable projection);
// lambda = exp(-1/xi) is found on a logarithmic grid of xi in [0.05, 50 (x_max - x_min)] and
// refined by golden-section search. ok = false when the best xi sits at the grid's upper end
// (no visible decay: the plateau is not determined) or there are fewer than 4 points.
PlateauFit exponential_plateau_fit(const std::vector<double>& x, const std::vector<double>& y,
                                   const std::vector<double>& w);

}  // namespace nnfield
