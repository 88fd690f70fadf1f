#pragma once
// The static depth sweeps of the truncated field theory at order p (docs/theory.md 4.3 bullet 2,
// 4.4, 4.5; docs/field-limit-sweeps.md): the forward sweep phi from the bias field, and
// the adjoint sweep dl/dphi from the output line back to the input line. Weights fixed in
// time; depth grid hx = ax, width grid = the lattice's width (exact width shifts: the
// neighbour y + k ay is a lattice neighbour).
//
// Forward, the implicit form (i) of Eq. 6 at the sending depth x (docs/field-limit.md §3):
//
//   T_p[phi](x; +ax) = sum_k w_k(x + ax, y) sigma(phi(x, y + k ay)) + beta(x + ax, y) =: S(x, y)   (F)
//
// with T_p[f](x; h) = sum_{n<=p} h^n/n! d_x^n f. In the scaled derivatives
// v_n = ax^n/n! d_x^n phi (n = 0..p-1), v_p = S - sum_{n<p} v_n, and d_x v_n = (n+1) v_{n+1}/ax:
//
//   d_x v_n     = (n+1) v_{n+1} / ax,                 n = 0..p-2
//   d_x v_{p-1} = p (S(x, v_0) - sum_{n<p} v_n) / ax                                          (ODE)
//
// an ODE of order p in depth (for p = 1: phi_x = (S - phi)/ax, a neural-ODE forward pass).
// Integrated from the first neuron line x = ax (phi there is the input link, exact in depth:
// Eq. 1 with h^(0) = X) to the output line x = Lx. Initial higher derivatives: v_n from p exact
// layer maps (phi at x = ax .. (p+1) ax) and the one-sided Fornberg stencil on those p+1 nodes,
// error O(ax^(p+1)) in v_n. (The p = 1 relation v_1 = S - v_0, v_{n>=2} = 0 instead limits p = 3
// to measured order 2: the error v_2 = O(ax^2) moves phi by O(ax^2).)
//
// Adjoint. Backprop in gamma^(m) = dl/dh^(m) (at x = m ax) keeps every coefficient at the
// source depth x: gamma^(m-1)_j = sum_k W[m-1, j-k+r, k] sigma'(z^(m)_{j-k+r}) gamma^(m)_{j-k+r},
// whose link W[m-1] has its receiving point at x. Its receiving side gamma(x - ax) expanded
// the same way (form (i) applied to the backward map, receiving side expanded about the source):
//
//   T_p[gamma](x; -ax) = sum_k w_k(x, y - k ay) sigma'(phi(x, y - k ay)) gamma(x, y - k ay) =: Q(x, y)   (A)
//
// the same ODE in the reversed depth s = -x with u_n = (-ax)^n/n! d_x^n gamma, started the same way. For p = 1 this is
// exactly the adjoint ODE of the forward p = 1 ODE, -gamma_x = (J^T - 1) gamma / ax. Final condition
// on x = Lx - ax: the output link exact, gamma = W[M-1]^T dl/dZ (the 1D output theory, like the
// input link on x = ax). Reported as delta(x, y) = dl/dphi = sigma'(phi) gamma, the counterpart
// of backprop's delta^(m) = dl/dz^(m); delta(Lx) = dl/dZ.
//
// Schemes: classical RK4 (order 4: per step e^z - e_4(z) = O(z^5) against the truncation's
// O(z^(p+1)), z = hx lambda, so it resolves the truncated theory for p <= 3), and explicit Euler
// (order 1), which at p = 1 with hx = ax *is* the lattice: one Euler step of (ODE) is
// v_0 + ax (S - v_0)/ax = S, Eq. 1 (and likewise for (A)). For the same reason RK4 at hx = ax
// and p = 4 is the lattice again (its step is e_4(hx A), the roots obey e_4(lambda) = G), so
// p = 4 needs a higher-order integrator or hx < ax; p is limited to 1..3 here. RK4 needs the
// known fields at half-steps: the link fields are functions of depth (evaluated there), and
// phi for the adjoint's coefficients by cubic Hermite interpolation from phi and phi_x at the
// nodes (error O(ax^4)).
#include <functional>
#include <vector>

#include "nnfield/core/activation.hpp"
#include "nnfield/data/continuum_data.hpp"
#include "nnfield/core/field_grid.hpp"

namespace nnfield {

// The bulk link whose receiving point is at depth x, on the width lattice y_i = i ay:
// w (N, K), w[i*K + k] = w_{k-r}(x, y_i), and its bias beta (N). Smooth in x: the sweeps
// evaluate it between lattice links (RK4 stages) and at x = Lx + ax (the smooth
// continuation of the last link, needed by the last forward stage).
using LinkFieldsAt = std::function<void(double x, double* w, double* beta)>;

// The known fields of a static sweep.
struct SweepFields {
  LatticeGeometry lattice;
  Activation activation = Activation::tanh;
  LinkFieldsAt links;
  std::vector<double> phi_first;  // (N): phi on x = ax, from the input link (exact in depth)
};

// From continuum data at the lattice's spacing: w_k = ContinuumData::weight (critical gain) and
// beta(x, y) = phi(x, y) - sum_k w_k(x, y) sigma(phi(x - ax, y + (k-r) ay)), Eq. 6 as a field of the
// receiving point, so the lattice samples both exactly (net.W, net.b). phi_first from Eq. 1 on the
// sampled input link (net.W[0], net.b[0], net.X). The link fields refer to `data`: keep it alive.
SweepFields continuum_sweep_fields(const ContinuumData& data, const SampledNetwork& net);

enum class DepthScheme { euler, rk4 };

struct DepthSweepOptions {
  int p = 1;  // truncation order, 1..3 (see Schemes above)
  DepthScheme scheme = DepthScheme::rk4;
};

struct ForwardSweep {
  int M = 0, N = 0;
  std::vector<double> phi;   // (M, N): phi at x = m ax, row m-1 (the layout of z in bbd_variables.hpp)
  std::vector<double> dphi;  // (M, N): phi_x at the same nodes
  std::vector<double> output() const;  // Z_p(y_i) = phi(Lx, y_i): the last row
};

// The BBD-variables view (docs/theory.md section 3, 4.1): phi is given data, so the adjoint's coefficients
// sigma'(phi) are exact. phi and phi_x of the continuum at x = m ax, m = 1..M. The adjoint on
// this state measures the adjoint sweep's own truncation, separately from the forward error
// (which at fixed (w, beta) enters the adjoint amplified by 1/ax, docs/field-limit-sweeps.md).
ForwardSweep continuum_forward_state(const ContinuumData& data, const LatticeGeometry& lattice);

// Throws std::invalid_argument for p outside 1..3 or M < 3.
ForwardSweep forward_depth_sweep(const SweepFields& fields, const DepthSweepOptions& options);

// delta (M, N), row m-1 = dl/dphi at x = m ax; row M-1 is dl_dZ (N) itself.
std::vector<double> adjoint_depth_sweep(const SweepFields& fields, const ForwardSweep& forward,
                                        const std::vector<double>& dl_dZ, const DepthSweepOptions& options);

}  // namespace nnfield
