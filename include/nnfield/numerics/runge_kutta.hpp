#pragma once
// Explicit Runge-Kutta steps for the depth sweeps (field/field_sweeps.cpp and the
// reference sweeps of analysis/depth_sweep.cpp): the one place where a tableau is written
// down, shared by the forward step, its tangent (the same step on a (state, velocity)
// pair) and its transpose (the discrete adjoint), and by the field solver's quadrature
// weights (a stage of weight b_s stands for b_s h of depth).
//
// The methods offered read, at stage s, only the previous stage's rate:
//   y_s = y + a_s h k_{s-1}   (y_0 = y),   k_s = F(x + c_s h, y_s),
//   y  <- y + (h / den) sum_s num_s k_s,   b_s = num_s / den.
// Classical RK4 is of this form (a = c = 0, 1/2, 1/2, 1; b = (1, 2, 2, 1)/6). The weights
// are kept as integers over a common denominator so that h b_s = (h / den) num_s is the
// same double in every use (forward, transpose, mass weights) to the last bit.
//
// Time integration (training time) is Boost.Odeint's job (dynamics/integrator.cpp); these
// steps are for the depth direction, where the sweeps must be transposed exactly.
#include <algorithm>
#include <cstddef>
#include <vector>

namespace nnfield {

struct ExplicitRungeKutta {
  std::vector<double> c;      // stage positions in units of h
  std::vector<double> a;      // stage s reads y + a[s] h k_{s-1} (a[0] = 0)
  std::vector<double> num;    // weight numerators
  double den = 1.0;           // common denominator
  int order = 1;

  int stages() const { return int(c.size()); }
  double weight(int s) const { return num[std::size_t(s)] / den; }              // b_s
  double step_weight(int s, double h) const { return h / den * num[std::size_t(s)]; }  // h b_s
};

// The classical fourth-order method.
const ExplicitRungeKutta& classical_rk4();
// Forward Euler (one stage, order 1).
const ExplicitRungeKutta& forward_euler();

// One step of size h on n values. k holds stages() rows of n, ys one row of n (workspace).
// rate(s, ys, ks) evaluates stage s at the state ys into ks.
template <class Rate>
void rk_step(const ExplicitRungeKutta& m, double h, std::size_t n, double* y, double* k, double* ys, Rate&& rate) {
  const int S = m.stages();
  std::copy_n(y, n, ys);
  for (int s = 0; s < S; ++s) {
    double* ks = k + std::size_t(s) * n;
    rate(s, static_cast<const double*>(ys), ks);
    if (s + 1 < S) {
      const double c = m.a[std::size_t(s) + 1] * h;
      for (std::size_t i = 0; i < n; ++i) ys[i] = y[i] + c * ks[i];
    }
  }
  const double scale = h / m.den;
  for (std::size_t i = 0; i < n; ++i) {
    double acc = m.num[0] * k[i];
    for (int s = 1; s < S; ++s) acc += m.num[std::size_t(s)] * k[std::size_t(s) * n + i];
    y[i] += scale * acc;
  }
}

// The transpose of rk_step: y_bar (the adjoint after the step) becomes the adjoint before
// it. k_bar is stages() rows of n and ys_bar one row (workspace). rate_transpose(s, k_bar_s,
// ys_bar) must overwrite ys_bar with J_s^T k_bar_s at the state stage s was evaluated at
// (the caller keeps those), accumulating any parameter gradient itself.
template <class RateTranspose>
void rk_step_transpose(const ExplicitRungeKutta& m, double h, std::size_t n, double* y_bar, double* k_bar,
                       double* ys_bar, RateTranspose&& rate_transpose) {
  const int S = m.stages();
  for (int s = 0; s < S; ++s) {
    const double w = m.step_weight(s, h);
    for (std::size_t i = 0; i < n; ++i) k_bar[std::size_t(s) * n + i] = w * y_bar[i];
  }
  for (int s = S - 1; s >= 0; --s) {
    rate_transpose(s, static_cast<const double*>(k_bar + std::size_t(s) * n), ys_bar);
    const double c = s > 0 ? m.a[std::size_t(s)] * h : 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      y_bar[i] += ys_bar[i];
      if (s > 0) k_bar[std::size_t(s - 1) * n + i] += c * ys_bar[i];
    }
  }
}

}  // namespace nnfield
