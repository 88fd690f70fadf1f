#pragma once
// How the field solver steps through depth: the depth scheme, the policy that replaces
// every `form == exact` / `p == 2` branch of the sweeps. A scheme knows
//
//   * the rate it integrates, given the layer map S(y) = sum_k w_k T_k sigma(y) + beta
//     (Eq. 1 with exact or spectral width shifts T_k, provided by a DepthLayer):
//       exact     f = S             (one lattice layer per step: phi_next = S(phi))
//       midpoint  f = (S - y)/ax    (Eq. 1 read as a depth ODE, phi_x = f)
//   * how a depth interval advances: the exact form applies the map once; the midpoint
//     form takes `depth_substeps` classical RK4 steps (numerics/runge_kutta.hpp) of hx;
//   * the right-hand side F(y) at a stage: F = f(y) (exact, p = 1), or the derivative-free
//     modified equation of order p = 2, 3 (NestedRhs, depth_scheme_nested.cpp): nested
//     evaluations of f at states predicted half and one lattice step behind, e.g. p = 2's
//       f1 = f(y; x), psi0 = y - (ax/2) f1, F0 = f(psi0; x - ax/2),
//       psi1 = y + (ax/4) f1 - (3ax/4) F0,   F = f(psi1; x - ax/2),
//     whose ax-flow matches the exact layer map to O(ax^(p+1)) (docs/field-limit.md 6-8);
//   * where each stage samples the link fields and what share of depth it stands for
//     (the quadrature behind the kinetic-energy weights).
//
// Forward, transpose (the discrete adjoint) and tangent (forward mode) of each piece
// live side by side, so the reverse sweep is the exact transpose of the forward sweep.
// A scheme owns scratch rows: one per FieldTheory, not shared across threads.
#include <complex>
#include <cstddef>
#include <memory>
#include <vector>

#include "nnfield/numerics/function_ref.hpp"

namespace nnfield {

struct FieldSettings;

// Which link fields a layer evaluation uses: those at the stage's depth x, or those half a
// lattice step (x - ax/2; p = 2, 3) or one lattice step (x - ax; p = 3) behind it.
enum class LinkSide { at, half_behind, step_behind };
inline constexpr int kLinkSides = 3;
// How far behind the stage's depth a side reads, in lattice steps ax.
inline constexpr double link_side_lag(LinkSide side) {
  return side == LinkSide::at ? 0.0 : side == LinkSide::half_behind ? 0.5 : 1.0;
}

// The layer map of one stage, with the link fields of both sides already loaded
// (implemented by FieldTheory). Rows are the ny width nodes of one depth line.
class DepthLayer {
 public:
  // S = sum_k w_k T_k sigma(y) + beta.
  virtual void map(LinkSide side, const double* y, double* S) = 0;
  // y_bar += (dS/dy)^T S_bar; the link fields' gradient is collected by the layer.
  virtual void map_transpose(LinkSide side, const double* y, const double* S_bar, double* y_bar) = 0;
  // S_dot for the neurons' velocity y_dot and the link-field velocities the layer holds.
  virtual void map_tangent(LinkSide side, const double* y, const double* y_dot, double* S_dot) = 0;

 protected:
  ~DepthLayer() = default;
};

class DepthScheme {
 public:
  // rhs(s, y_s, k_s): the right-hand side of stage s of the interval at state y_s, into k_s.
  using StageRhs = FunctionRef<void(int stage, const double* y, double* k)>;
  // rhs_transpose(s, k_bar_s, y_bar_s): overwrite y_bar_s with J_s^T k_bar_s at the state
  // stage s was evaluated at (the caller keeps those states).
  using StageRhsTranspose = FunctionRef<void(int stage, const double* k_bar, double* y_bar)>;

  virtual ~DepthScheme() = default;

  // Depth intervals of a grid for a lattice of M layers coarse-grained by rx.
  virtual int intervals(int M, int rx) const = 0;
  // Right-hand-side evaluations per depth interval, their depth from the interval's first
  // line (for an interval of length hx), and the share of the interval each stands for.
  virtual int stages() const = 0;
  virtual double stage_depth(int stage, double hx) const = 0;
  virtual double stage_share(int stage) const = 0;
  // Whether F reads the link fields of a side, and the part of the stage's depth share the
  // side's link fields carry: F's sensitivity to them at leading order (p = 2: all on
  // x - ax/2; p = 3: 4/3 there, -1/6 at x and at x - ax; the parts add up to 1).
  virtual bool reads(LinkSide side) const { return side == LinkSide::at; }
  virtual double side_weight(LinkSide side) const { return side == LinkSide::at ? 1.0 : 0.0; }
  // Whether the output line's link fields are interpolation nodes on the lattice's own lines
  // (rx = 1), where the output line carries no link of the network. p = 3 reads them there
  // only at the last interval's stages, with shares that cancel (-1/6 at x, 4/3 at x - ax/2:
  // a net depth share of -0.004 at M = 32), so a mass there would be meaningless and freezing
  // the node costs an order: p = 3 interpolates from the lines that carry links (the output
  // line's then has mass 0, frozen, as in the exact form). p = 1, 2 keep it (their share
  // there is small and positive). On a coarse grid (rx > 1) the output line's node is the
  // link fields' sample near Lx, read by the whole last interval: every scheme keeps it.
  virtual bool interpolates_output_line() const { return true; }

  // One depth interval of length hx on n values: y <- step(y).
  virtual void advance(double hx, std::size_t n, double* y, const StageRhs& rhs) = 0;
  // Its transpose: y_bar (the adjoint after the interval) becomes the adjoint before it.
  virtual void advance_transpose(double hx, std::size_t n, double* y_bar, const StageRhsTranspose& rhs_transpose) = 0;

  // F(y) at one stage, its transpose (y_bar += J^T F_bar) and its tangent (F and F_dot).
  virtual void rhs(DepthLayer& layer, const double* y, double* F);
  virtual void rhs_transpose(DepthLayer& layer, const double* y, const double* F_bar, double* y_bar);
  virtual void rhs_tangent(DepthLayer& layer, const double* y, const double* y_dot, double* F, double* F_dot);

 protected:
  // The rate f of one layer evaluation, from the map S (exact: f = S; midpoint: (S - y)/ax).
  virtual void rate(DepthLayer& layer, LinkSide side, const double* y, double* f) = 0;
  virtual void rate_transpose(DepthLayer& layer, LinkSide side, const double* y, const double* f_bar,
                              double* y_bar) = 0;
  virtual void rate_tangent(DepthLayer& layer, LinkSide side, const double* y, const double* y_dot,
                            double* f_dot) = 0;
};

// The scheme of the settings (form exact, or midpoint of order p with depth_substeps)
// for lattice spacing ax and ny width nodes.
std::unique_ptr<DepthScheme> make_depth_scheme(const FieldSettings& settings, double ax, std::size_t ny);

// The midpoint form's linear symbol per lattice step: ax F for f = (u/ax) phi with frozen
// coefficients, u = G(kappa) - 1 (depth_stability.hpp). Evaluated from the scheme's own
// nested evaluations: u (p = 1), u - u^2/2 + 3u^3/8 (p = 2), u - u^2/2 + u^3/3 - u^4/4 + u^5/6
// (p = 3): the log series of G to order p plus the form's own higher terms.
std::complex<double> midpoint_symbol(int p, std::complex<double> u);

}  // namespace nnfield
