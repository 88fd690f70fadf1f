#pragma once
// The concrete depth schemes (include/nnfield/field/depth_scheme.hpp): the lattice map,
// the midpoint flow of order 1 and its order-2 right-hand side.
#include <vector>

#include "nnfield/field/depth_scheme.hpp"
#include "nnfield/numerics/runge_kutta.hpp"

namespace nnfield {

// form = exact: one layer map per interval, f = S. The grid is the lattice (hx = ax).
class LatticeMapScheme final : public DepthScheme {
 public:
  explicit LatticeMapScheme(std::size_t ny) : m_S_bar(ny) {}
  int intervals(int M, int rx) const override;
  int stages() const override { return 1; }
  double stage_depth(int, double) const override { return 0.0; }
  double stage_share(int) const override { return 1.0; }
  void advance(double hx, std::size_t n, double* y, const StageRhs& rhs) override;
  void advance_transpose(double hx, std::size_t n, double* y_bar, const StageRhsTranspose& rhs_transpose) override;

 protected:
  void rate(DepthLayer& layer, LinkSide side, const double* y, double* f) override;
  void rate_transpose(DepthLayer& layer, LinkSide side, const double* y, const double* f_bar,
                      double* y_bar) override;
  void rate_tangent(DepthLayer& layer, LinkSide side, const double* y, const double* y_dot, double* f_dot) override;

 private:
  std::vector<double> m_next, m_S_bar;  // the next line (n values), the map's adjoint
};

// form = midpoint, p = 1: phi_x = f = (S - phi)/ax by `substeps` RK4 steps per interval.
class MidpointScheme : public DepthScheme {
 public:
  MidpointScheme(double ax, int substeps, std::size_t ny) : m_ax(ax), m_substeps(substeps), m_S_bar(ny) {}
  int intervals(int M, int rx) const override;
  int stages() const override { return method().stages() * m_substeps; }
  double stage_depth(int stage, double hx) const override;
  double stage_share(int stage) const override;
  void advance(double hx, std::size_t n, double* y, const StageRhs& rhs) override;
  void advance_transpose(double hx, std::size_t n, double* y_bar, const StageRhsTranspose& rhs_transpose) override;

 protected:
  // The depth integrator: classical RK4, order 4 in hx, so the truncation order p sets the error.
  static const ExplicitRungeKutta& method() { return classical_rk4(); }
  void rate(DepthLayer& layer, LinkSide side, const double* y, double* f) override;
  void rate_transpose(DepthLayer& layer, LinkSide side, const double* y, const double* f_bar,
                      double* y_bar) override;
  void rate_tangent(DepthLayer& layer, LinkSide side, const double* y, const double* y_dot, double* f_dot) override;
  double ax() const { return m_ax; }

 private:
  // The RK substep h = hx / substeps, with the workspace sized for n values.
  double substep(double hx, std::size_t n);
  double m_ax;
  int m_substeps;
  // RK workspace (resized to the state: ny, or 2 ny for the tangent's pair) and the map's adjoint.
  std::vector<double> m_rates, m_stage_state, m_S_bar;
};

// form = midpoint, p = 2: F = f(psi1; x - ax/2), the derivative-free modified equation.
class MidpointOrder2Scheme final : public MidpointScheme {
 public:
  MidpointOrder2Scheme(double ax, int substeps, std::size_t ny);
  bool reads_behind() const override { return true; }
  void rhs(DepthLayer& layer, const double* y, double* F) override;
  void rhs_transpose(DepthLayer& layer, const double* y, const double* F_bar, double* y_bar) override;
  void rhs_tangent(DepthLayer& layer, const double* y, const double* y_dot, double* F, double* F_dot) override;

 private:
  void intermediate_states(DepthLayer& layer, const double* y);
  // f1, psi0, F0, psi1 of the last intermediate_states(); adjoints of psi1 and psi0, and
  // of F0 and f1; velocities of f1, psi0, F0 and psi1.
  std::vector<double> m_f1, m_psi0, m_F0, m_psi1;
  std::vector<double> m_psi1_bar, m_psi0_bar, m_F0_bar, m_f1_bar;
  std::vector<double> m_f1_dot, m_psi0_dot, m_F0_dot, m_psi1_dot;
};

}  // namespace nnfield
