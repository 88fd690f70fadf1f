#pragma once
// Smooth functions on the physical domain x in [0, Lx] (depth, not periodic) and
// y in [0, Ly) (width, periodic): a seeded random field with a spectral cutoff plus
// explicit modes, plus an optional closed-form expression e(x, y) from a model file,
//   f(x, y) = mean + sum_{p,q} a_pq cos(pi p x / Lx + 2 pi q y / Ly + theta_pq) + e(x, y).
// Sampling the same field on lattices of different spacing gives the continuum
// initial data the field-limit work needs.
#include <memory>
#include <vector>

#include "nnfield/numerics/expression.hpp"
#include "nnfield/numerics/rng.hpp"

namespace nnfield {

class SmoothField {
 public:
  SmoothField(double Lx, double Ly) : m_Lx(Lx), m_Ly(Ly) {}

  // Random modes 0 <= p <= cutoff_x, -cutoff_y <= q <= cutoff_y (q >= 0 when p = 0,
  // since cos is even), Gaussian amplitudes scaled so the field's mean square over
  // the domain is rms^2 (the (0,0) mode is left to `mean`).
  static SmoothField random(double Lx, double Ly, int cutoff_x, int cutoff_y, double rms, Rng& rng);

  void set_mean(double mean) { m_mean = mean; }
  void add_mode(int kx, int ky, double amplitude, double phase);
  // Adds e to the field (replacing an expression set before). Its derivatives
  // d^(nx+ny) e / dx^nx dy^ny for nx <= kMaxDx, ny <= kMaxDy are built here, once,
  // so derivative() stays const and safe to call from several threads.
  void set_expression(const Expression& e);
  static constexpr int kMaxDx = 6, kMaxDy = 4;

  double operator()(double x, double y) const;
  // d^(nx+ny) f / dx^nx dy^ny, analytic: each mode's cos(theta) becomes
  // (pi kx/Lx)^nx (2 pi ky/Ly)^ny cos(theta + (nx+ny) pi/2); the expression's
  // derivatives are symbolic (beyond kMaxDx, kMaxDy they are derived on every call).
  // Used by the field limit's Taylor shifts in depth (docs/field-limit.md).
  double derivative(int nx, int ny, double x, double y) const;

 private:
  struct Mode {
    int kx, ky;
    double amplitude, phase;
  };
  // The expression and its derivative table, row nx, column ny; immutable and shared,
  // so copying a field stays cheap.
  struct ExpressionTable {
    std::vector<Expression> d;  // (kMaxDx+1) x (kMaxDy+1)
    const Expression& at(int nx, int ny) const { return d[std::size_t(nx * (kMaxDy + 1) + ny)]; }
  };
  double m_Lx, m_Ly;
  double m_mean = 0.0;
  std::vector<Mode> m_modes;
  std::shared_ptr<const ExpressionTable> m_expression;
};

}  // namespace nnfield
