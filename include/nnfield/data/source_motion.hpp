#pragma once
// A data source that moves in time (docs/field-limit.md section 11): continuum.X,
// continuum.Y or continuum.misfit written as expressions of t as well as of (x, y). The
// samples of a data set hold the sources at t = 0; the motion is the displacement every
// sample's boundary carries at time t, on the width nodes of one lattice or grid:
//
//   X_s(y, t) = X_s(y) + scale [X(0, y, t) - X(0, y, 0)]
//   Y_s(y, t) = Y_s(y) + [Y(Lx, y, t) - Y(Lx, y, 0)]                   (continuum.Y given)
//             = Y_s(y) + scale [misfit(Lx, y, t) - misfit(Lx, y, 0)]   (otherwise)
//
// with scale = ax in the weakly nonlinear scaling (misfit_scaling = "depth"), else 1: the
// input moves by O(ax), as the samples of a data set differ by O(ax) (section 10), because
// the layer maps are near the identity only linearly about the data's phi. The time
// derivatives are symbolic (Expression::derivative('t')), so the data's power
// dL/dX . X' + dL/dY . Y' and the BBD sweep's X'' have no finite-difference error.
#include <array>
#include <vector>

#include "nnfield/numerics/expression.hpp"

namespace nnfield {

class SourceMotion {
 public:
  SourceMotion() = default;  // no motion
  // X(x, y, t) moves the input (scaled by x_scale), Y(x, y, t) the target (scaled by
  // y_scale), both sampled at width nodes y and depth 0 (X) or Lx (Y).
  SourceMotion(const Expression& X, const Expression& Y, double x_scale, double y_scale, double Lx,
               std::vector<double> y);

  bool moves() const { return m_moves; }
  int width() const { return int(m_y.size()); }
  // Adds the motion's time derivative of order 0 (the displacement), 1 or 2 at t to `rows`
  // rows of X and Y, each of width() values; X or Y may be null.
  void add(double t, int order, double* X, double* Y, int rows) const;

 private:
  std::array<Expression, 3> m_X, m_Y;  // d^k/dt^k of the sources, k = 0, 1, 2
  double m_x_scale = 1.0, m_y_scale = 1.0, m_Lx = 1.0;
  std::vector<double> m_y;
  bool m_moves = false;
};

}  // namespace nnfield
