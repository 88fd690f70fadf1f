#pragma once
// Energy flow through the network in BBD variables (BBD paper Eqs. 9-13, 18-32 with
// the errata of docs/theory.md section 3; derivations in docs/bbd.md).
//
// Every term of E = 1/2|W'|^2 + 1/2|b'|^2 + l is assigned to neuron sites (i, m),
// m = 1..M. A link layer m' (from layer m' to m'+1) gives its receiving site the share
// s_r and its sending site the share s_s of each term:
//   s_r = s_s = 1/2 for m' >= 1;  s_r = 1, s_s = 0 for m' = 0 (X is data, not a site).
// With b'^(m')_a = z'^(m'+1)_a - U'^(m')_a, per receiving site a:
//   1/2 |b'_a|^2 = 1/2 z'_a^2 - z'_a U'_a + 1/2 U'_a^2,
// and the sending share of 1/2 U'_a^2 is the time integral (Eq. 18)
//   I^(m)_i = 1/2 sum_{a <- i} int_0^t u^(m)_{a,k} U''^(m)_a dt,
// which is why sum e = E + C0 with C0 = -1/4 sum_{m=1}^{M-1} |U'^(m)(0)|^2 (erratum 5).
// Densities (Eqs. 18, 24, 29):
//   e_i^(m) = 1/2 z'^2
//     + s_r [ 1/2 sum_k W'^2 - z' U' + 1/2 U'^2 ]_{in-links}
//     + s_s sum_{out-links (a,k)} [ 1/2 W'^2 - z'^(m+1)_a u_{a,k} ] + I_i^(m)
//     + l_i                                                    (output sites only)
// Continuity (Eqs. 10, 26, 31 corrected):
//   e' = -gamma D + sum_k J_in(k) - sum_out J_out - K_out
//   D      = s_r sum_in p_W W' + s_s sum_out p_W W' + p_z z'                 (Eqs. 12, 27)
//   J      = 1/2 [ z'_i u'_{i,k} - (z''_i - U''_i) W_{i,k} h'_j ]          (Eqs. 13, 22)
//   K_in   = -(z''_i - U''_i) W^(0)_{i,k} X'_j                              (Eq. 27)
//   K_out  = Z' dl/dZ - dl/dt = -(dl/dY) Y'                                 (Eq. 32, erratum 4)
// with momenta p_W = W' - b' h and p_z^(m) = b'^(m-1) - sum_out b'^(m)_a W sigma'(z^(m)).
#include <vector>

#include "nnfield/bbd/bbd_kinematics.hpp"
#include "nnfield/core/loss.hpp"
#include "nnfield/core/width_halo.hpp"

namespace nnfield {

// A site's balance reads its neighbours through its links: the senders of its in-links and
// the receivers of its out-links, r columns away. Every array is therefore read on a window
// of the columns the network holds plus r ghost columns on each side (width_halo.hpp): the
// periodic images on one process, the neighbouring blocks' columns on a network split along
// its width, so a block's sites get the whole network's bits (each site sums its terms in
// the same order); the sums over the width (layer totals, C0) run through the blocks in
// width order. Under a split every call is collective.
class EnergyFlow {
 public:
  // The whole network on one process.
  EnergyFlow(NetworkShape shape, Loss loss);
  // The block of columns `halo` holds; `shape` is the block's (N its width), and so are the
  // arrays passed in and the results.
  EnergyFlow(NetworkShape shape, Loss loss, const WidthHalo& halo);

  // Everything at one instant. `k` comes from bbd_forward_sweep with accelerations;
  // W, Wd, Wdd are the weights and their derivatives (M,N,K); Y, Yd the target (N);
  // I the time integrals ((M-1), N; null = all zero).
  void evaluate(const BbdKinematics& k, const double* W, const double* Wd, const double* Wdd, const double* Y,
                const double* Yd, const double* I, double gamma);

  // dI/dt for the ODE ((M-1), N): 1/2 sum_{a <- i} u^(m)_{a,k} U''^(m)_a.
  void integral_rate(const BbdKinematics& k, double* dI);
  // Data that switch at t make the link velocities u, U' jump; the time integrals
  // take the jump along the straight path between the two sides,
  //   dI_i += 1/2 sum_{a <- i} (u_before + u_after)/2 (U'_after - U'_before)_a,
  // which sums to 1/4 (|U'_after|^2 - |U'_before|^2): sum e = E + C0 survives the switch.
  void integral_jump(const BbdKinematics& before, const BbdKinematics& after, double* I);
  // C0 = -1/4 sum_{m=1}^{M-1} |U'^(m)|^2 at the start of the time integrals (erratum 5).
  double time_integral_constant(const BbdKinematics& k) const;

  // Results of evaluate(), canonical index order (docs/theory.md section 1; row m-1 holds site layer m):
  const std::vector<double>& density() const { return m_density; }        // (M,N)
  const std::vector<double>& decay() const { return m_decay; }            // (M,N)
  const std::vector<double>& current() const { return m_current; }        // (M,N,K): into (i,m) from in-link k
  const std::vector<double>& boundary_out() const { return m_boundary_out; }  // (N): K_out
  const std::vector<double>& rate() const { return m_rate; }              // (M,N): e' from the motion
  const std::vector<double>& residual() const { return m_residual; }      // (M,N)
  const std::vector<double>& layer() const { return m_layer; }            // (M): sum_i e over the whole width
  // Per site: the largest magnitude of the terms in its balance (to make residuals relative).
  const std::vector<double>& scale() const { return m_scale; }            // (M,N)

 private:
  // `lines` lines of N sites of `cells` values -> the window's lines, ghosts filled (collective).
  void to_window(const std::vector<double>& columns, int lines, int cells, std::vector<double>& window) const;
  // The window of every array of `k` and of W, W', W'' that a balance reads.
  void fill_window(const BbdKinematics& k, const double* W, const double* Wd, const double* Wdd);
  // The columns' sites of the window: r .. r + N - 1.
  int first_site() const { return m_shape.r; }

  NetworkShape m_shape, m_window;  // the columns held, and with r ghosts on each side
  Loss m_loss;
  WidthHalo m_halo;
  BbdKinematics m_win;  // the kinematics on the window (only the arrays a call reads)
  std::vector<double> m_W, m_Wd, m_Wdd, m_win_current, m_columns, m_u_before, m_Ud_before;
  std::vector<double> m_density, m_decay, m_current, m_boundary_out, m_rate, m_residual, m_layer, m_scale;
};

}  // namespace nnfield
