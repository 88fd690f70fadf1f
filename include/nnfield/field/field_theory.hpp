#pragma once
// The field solver's mechanics (docs/theory.md section 4, 4.3, 4.4; docs/field-limit.md sections 6-8): a
// discrete field theory on a depth x width grid whose parameters are the link fields,
// with the loss computed by a forward depth sweep and its exact gradient by the
// transposed (reverse) sweep. Two depth schemes (field/depth_scheme.hpp, chosen by field.form):
//
//   exact     the lattice shift: one layer map per depth step, hx = ax, hy = ay.
//             phi(x + ax) = S(phi, x) is Eq. 1, so this *is* the discrete network.
//   midpoint  the truncated theory of order p = 1, 2, 3 as a depth ODE integrated by RK4
//             (order 4 in hx) on a coarse grid, link fields interpolated in depth:
//               p = 1 (transport)  phi_x = f(phi, x),                     f = (S - phi)/ax
//               p = 2 (midpoint)   phi_x = f(psi1, x - ax/2),
//                 psi1 = phi + (ax/4) f(phi, x) - (3ax/4) f(phi - (ax/2) f(phi, x), x - ax/2)
//             p = 2 is the modified equation of the exact layer map, f - (ax/2)(f_phi f
//             + f_x) + O(ax^2), written without derivatives (docs/theory.md 4.3 (iii)): its ax-flow
//             matches the map to O(ax^3), so the local error is O(ax^(p+1)), the global
//             error O(ax^p). psi1 is phi(x - ax/2) on the trajectory to O(ax^3): the
//             shorter psi0 = phi - (ax/2) f(phi, x) misses it by (3/8) ax^2 phi_xx, and as
//             f_phiphi = S_phiphi/ax is O(1/ax) that put an O(ax) error into F_phi (the
//             adjoint and the training dynamics converged at order 1; docs/field-limit.md
//             section 8). Both are first order in depth: no spurious roots, no stiffness
//             (linear symbol u and u - u^2/2 + 3u^3/8 per ax, u = G(kappa) - 1).
//               p = 3              phi_x = (4/3) f(psi2, x - ax/2) - (1/6)(f(phi, x) + f(P, x - ax)),
//                 psi2 and P phi(x - ax/2) and phi(x - ax) to O(ax^4) by nested evaluations
//                 (depth_scheme_nested.cpp; symbol u - u^2/2 + u^3/3 - u^4/4 + u^5/6).
//
// where S(phi, x)(y) = sum_k w_k(x, y) sigma(phi(x, y + (k-r) ay)) + beta(x, y): the link
// fields at the *sending* depth x (node a of the grid is the link leaving x_a), width
// shifts exact (WidthShiftOperator). The input link (Eq. 1 with h^(0) = X) is exact in depth on
// every grid: phi(ax, y) = sum_k w_in_k(y) X(y + (k-r) ay) + b_in(y) (the 1D input theory).
// The loss is the 1D output theory on x = Lx: (1/ay) int dy l(phi(Lx, y), Y(y)), i.e.
// ry sum_b l(Z_b, Y_b) with ry = hy/ay.
//
// Grid: neuron lines x_a = ax + a hx, a = 0..nx-1, hx = (Lx - ax)/(nx - 1), from the first
// neuron line to the output line; nx - 1 = round((M - 1)/rx) depth intervals. Width
// y_b = b hy, ny = N/ry.
//
// Parameters q (one flat vector, this order):
//   w_in (ny, K), b_in (ny), w (nx, ny, K), beta (nx, ny)
// Kinetic energy: sum_j mass_j q_j'^2 / 2, the quadrature of (1/(ax ay)) int int q'^2/2: a
// node stands for mass = (hx/ax) omega_a ry lattice links, omega_a = the share of depth the
// sweep gives node a (stage weights times interpolation weights; 1 in the bulk). Nodes
// the sweep never reads have mass 0 and stay frozen (the exact form's last row).
// With the loss gradient exact for this discrete theory, gradient flow and damped
// dynamics of q conserve/balance the field theory's own energy exactly (docs/theory.md section 4).
//
// Split along the width over the processes of `mpirun -np K nnfield run` (docs/cluster.md),
// a FieldTheory holds one contiguous block of the ny width nodes: every array of width
// (q's rows, X, Y, phi, adjoints) has the block's columns, ny() is the block's width, the
// width shifts exchange ghosts or gather rows (WidthShiftOperator), and the loss, the one
// sum over the width in a sweep, runs through the blocks in width order, so every value is
// the one-process value, bit for bit (the data power, another such sum, is not split).
//
// Not thread-safe: a FieldTheory owns its sweep workspace. Use one per thread.
#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "nnfield/config/config_choices.hpp"
#include "nnfield/core/activation.hpp"
#include "nnfield/core/field_grid.hpp"
#include "nnfield/core/loss.hpp"
#include "nnfield/core/width_halo.hpp"
#include "nnfield/core/width_shift.hpp"
#include "nnfield/field/depth_scheme.hpp"

namespace nnfield {

struct FieldSettings {
  DepthForm form = DepthForm::midpoint;  // exact or midpoint (the solver integrates no other form)
  int p = 1;               // midpoint: 1 (transport), 2 or 3
  int rx = 1, ry = 1;      // coarse graining: hx ~ rx ax, hy = ry ay
  int q = 5;               // degree of the depth interpolation of the link fields (Lagrange on q+1 nodes)
  int depth_substeps = 1;  // RK4 steps per depth interval
};

class FieldTheory : private DepthLayer {
 public:
  // split_width: this process's block of the width nodes, split over every process
  // (processes.hpp; one process holds them all).
  FieldTheory(const LatticeGeometry& lattice, Activation activation, Loss loss, const FieldSettings& settings,
              bool split_width = false);

  const LatticeGeometry& lattice() const { return m_lattice; }
  const FieldSettings& settings() const { return m_settings; }
  Activation activation() const { return m_activation; }
  Loss loss() const { return m_loss; }
  int nx() const { return m_nx; }
  int ny() const { return m_ny; }  // this process's width nodes: all of them unless split
  const WidthHalo& halo() const { return m_halo; }
  int r() const { return m_lattice.shape.r; }
  int K() const { return m_lattice.shape.K(); }
  double ax() const { return m_lattice.ax(); }
  double ay() const { return m_lattice.ay(); }
  double hx() const { return m_hx; }
  double hy() const { return m_lattice.Ly / m_halo.block().N; }
  double x(int a) const { return ax() + a * m_hx; }  // neuron line a
  double y(int b) const { return (m_halo.block().first + b) * hy(); }  // width node b of this block

  // Layout of q.
  std::size_t num_params() const { return m_beta_offset + std::size_t(m_nx) * m_ny; }
  std::size_t w_in_offset() const { return 0; }
  std::size_t b_in_offset() const { return std::size_t(m_ny) * K(); }
  std::size_t w_offset() const { return b_in_offset() + std::size_t(m_ny); }
  std::size_t beta_offset() const { return m_beta_offset; }
  // Kinetic-energy weight of every parameter (0: frozen).
  const std::vector<double>& mass() const { return m_mass; }

  // The loss of parameters q for input X (ny) and target Y (ny) on the grid's width
  // nodes. phi, if given, receives the neurons on every line (nx, ny).
  double loss(const double* q, const double* X, const double* Y, double* phi = nullptr);
  // The loss and its exact gradient dL/dq (num_params). Optional outputs: phi (nx, ny)
  // and the adjoint (nx, ny) = dl/dphi per lattice neuron (the discrete adjoint divided
  // by ry: one width node carries ry neurons), the counterpart of backprop's dl/dz^(m).
  double gradient(const double* q, const double* X, const double* Y, double* grad, double* phi = nullptr,
                  double* adjoint = nullptr);
  // The data power dL/dt at fixed q of moving boundary data: dL/dX . X' + dL/dY . Y' (X', Y'
  // ny each), given grad = dL/dq and phi (nx, ny) from gradient() at the same (q, X, Y). X
  // enters only through the input link phi0 = sum_k w_in_k X(y + (k-r) ay) + b_in, whose
  // adjoint is dL/db_in, and Y only through the output line's loss.
  double data_power(const double* q, const double* grad, const double* phi, const double* Y, const double* X_dot,
                    const double* Y_dot);
  // The gain g = sum_k w_k sigma'(phi(x, y + (k-r) ay)) of the link leaving each line (nx, ny),
  // given phi (nx, ny) from a sweep: the critical-regime report (docs/theory.md 4.1, 4.2).
  void gain(const double* q, const double* phi, double* g);
  // The frozen coefficients s_k = w_k sigma'(phi(y + (k-r) ay)) per line: (nx, ny, K) (depth_stability.hpp).
  std::vector<double> link_coefficients(const double* q, const double* phi);

  // The tangent (forward-mode) sweep, data fixed: the neurons' velocities phi' on every line
  // (nx, ny) for parameter velocities v (num_params) at q; phi (nx, ny) optionally.
  void tangent(const double* q, const double* v, const double* X, double* phi_dot, double* phi = nullptr);
  // The nodes whose link fields depth interval a (line a -> a+1) reads, ascending: {a} for the
  // exact form, the interpolation stencils of its RK4 stages for the midpoint form.
  const std::vector<int>& interval_nodes(int a) const { return m_interval_nodes[std::size_t(a)]; }
  int max_interval_nodes() const;
  // gradient() that also splits the power dL/dq . v by depth interval (field energy flow,
  // field_energy_flow.hpp): exchange (nx-1, max_interval_nodes(), ny), entry [a, s, b] = the part
  // of sum_{params of node interval_nodes(a)[s] at width b} (dL/dq) v that the reverse sweep
  // collects in interval a (0 where s is past the interval's node list). Summed over the
  // intervals it is the node's g.v. The adjoint here is raw: dL/dphi (nx, ny), not divided by ry.
  double gradient_with_exchange(const double* q, const double* v, const double* X, const double* Y, double* grad,
                                double* phi, double* raw_adjoint, double* exchange);

  // Evaluations of the layer function S per sweep (cost accounting for benchmarks).
  long layer_evaluations() const { return m_layer_evaluations; }

 private:
  // Link fields at one evaluation depth: w (ny, K) and beta (ny) as a weighted sum of nodes.
  struct DepthSample {
    std::vector<int> nodes;
    std::vector<double> weights;
  };
  // One right-hand-side evaluation of the sweep: where it samples the link fields, per
  // LinkSide (at its depth x, x - ax/2, x - ax; only the sides the scheme reads are filled).
  struct Stage {
    std::array<DepthSample, kLinkSides> side;
    double x = 0.0;
  };
  void build_stages();
  DepthSample interpolation(double x) const;
  void link_fields(const double* q, const DepthSample& s, double* w, double* beta) const;
  void scatter_link_gradient(const DepthSample& s, const double* w_bar, const double* beta_bar, double* grad) const;
  // The layer map of the current stage (DepthLayer, depth_scheme.hpp), exact or spectral
  // width shifts through m_shift; map_transpose scatters the link-field gradient into m_grad.
  void map(LinkSide side, const double* y, double* S) override;
  void map_transpose(LinkSide side, const double* y, const double* S_bar, double* y_bar) override;
  void map_tangent(LinkSide side, const double* y, const double* y_dot, double* S_dot) override;
  void activate(const double* y);
  // Load the link fields (and, for the tangent, their velocities v) of stage j.
  void enter_stage(const double* q, int stage, const double* v = nullptr);
  void input_layer(const double* q, const double* X, double* phi0);
  double output_loss(const double* Z, const double* Y, double* Z_bar) const;
  double sweep(const double* q, const double* X, const double* Y, double* phi_nodes, bool keep_stages);

  LatticeGeometry m_lattice;
  Activation m_activation;
  Loss m_loss;
  FieldSettings m_settings;
  WidthHalo m_halo;  // the width nodes this theory holds
  std::unique_ptr<DepthScheme> m_scheme;
  int m_nx = 0, m_ny = 0;
  double m_hx = 0.0;
  std::size_t m_beta_offset = 0;
  std::vector<double> m_mass;
  WidthShiftOperator m_shift;
  std::vector<Stage> m_stages;  // every right-hand-side evaluation of the sweep, in order
  std::vector<std::vector<int>> m_interval_nodes;  // per depth interval: the nodes its stages read
  // The stage being evaluated, and where its transpose puts the link-field gradient.
  const Stage* m_stage = nullptr;
  double* m_grad = nullptr;
  // gradient_with_exchange: the velocities to split the power with, and where to put it.
  const double* m_exchange_v = nullptr;
  double* m_exchange = nullptr;
  void exchange_snapshot(int interval, const double* grad);
  void exchange_collect(int interval, const double* grad);
  std::vector<double> m_stage_state;  // (stages, ny): the state each stage's F is evaluated at
  // Workspace (ny or (K, ny)): the neurons on the line being swept and their adjoint; the
  // link fields of the stage on each side (w, beta) and their velocities (wd, betad); sigma
  // and sigma' of the row, the shifted rows (sigma, and sigma' y_dot); w_k S_bar per shift
  // and its sum shifted back; the link-field adjoints; the exchange's gradient snapshot.
  std::vector<double> m_phi_line, m_phi_line_bar;
  std::array<std::vector<double>, kLinkSides> m_w, m_beta, m_wd, m_betad;
  std::vector<double> m_sig, m_dsig, m_sigma_dot, m_shifted, m_shifted_d, m_weighted_S_bar, m_shifted_back;
  std::vector<double> m_wbar, m_betabar, m_snapshot;
  long m_layer_evaluations = 0;
};

}  // namespace nnfield
