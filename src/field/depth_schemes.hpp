#pragma once
// The concrete depth schemes (include/nnfield/field/depth_scheme.hpp): the lattice map,
// the midpoint flow of order 1 and its nested right-hand sides of orders 2 and 3.
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

// The derivative-free modified equation of order p = 2, 3 as nested evaluations of f: evaluation
// e reads the link fields of `side` at the state y + ax sum_{j<e} a[j] k_j (k_j the earlier
// evaluations' rates), and F = sum_e d[e] k_e. One table per order (depth_scheme_nested.cpp).
struct NestedEvaluation {
  LinkSide side;
  std::vector<double> a;  // coefficients of k_0..k_{e-1}, in units of ax; empty: the state is y
};
struct NestedRhs {
  std::vector<NestedEvaluation> evaluations;  // evaluation 0 reads y itself, the others do not
  std::vector<double> d;                      // F = sum_e d[e] k_e
  bool interpolates_output_line = true;       // DepthScheme::interpolates_output_line
};
const NestedRhs& nested_rhs(int p);

// form = midpoint, p = 2, 3: F from the nested evaluations of nested_rhs(p).
class NestedMidpointScheme final : public MidpointScheme {
 public:
  NestedMidpointScheme(int p, double ax, int substeps, std::size_t ny);
  bool reads(LinkSide side) const override;
  double side_weight(LinkSide side) const override;
  bool interpolates_output_line() const override { return m_rhs.interpolates_output_line; }
  void rhs(DepthLayer& layer, const double* y, double* F) override;
  void rhs_transpose(DepthLayer& layer, const double* y, const double* F_bar, double* y_bar) override;
  void rhs_tangent(DepthLayer& layer, const double* y, const double* y_dot, double* F, double* F_dot) override;

 private:
  // The states of evaluations 0..E-1 and the rates k_0..k_{last-1} (k of the last one too if
  // `all`); y_dot given: their velocities as well (states_dot, k_dot for every evaluation).
  void evaluate(DepthLayer& layer, const double* y, bool all);
  void combine(const std::vector<double>& from, const double* base, const std::vector<std::vector<double>>& k,
               double* out) const;
  const NestedRhs& m_rhs;
  std::size_t m_n;
  // Per evaluation: its state, rate, their adjoints and their velocities; the summed adjoint
  // of the states that are not y.
  std::vector<std::vector<double>> m_state, m_k, m_state_bar, m_k_bar, m_state_dot, m_k_dot;
  std::vector<double> m_y_bar_sum;
};

}  // namespace nnfield
