#include "nnfield/bbd/bbd_variables.hpp"

#include <algorithm>
#include <vector>

#include "nnfield/core/link_stencil.hpp"

namespace nnfield {

namespace {
// h^(m) for m = 0..M-1 from X and z^(1..M-1): h^(0) = X, h^(m) = sigma(z^(m)).
const double* layer_input(const NetworkShape& s, Activation act, const double* z, const double* X, int m,
                          std::vector<double>& h) {
  if (m == 0) return X;
  const double* zm = z + std::size_t(m - 1) * s.N;
  for (int j = 0; j < s.N; ++j) h[std::size_t(j)] = sigma(act, zm[j]);
  return h.data();
}
// h'^(m): X' at the input, sigma'(z) z' inside.
const double* layer_input_velocity(const NetworkShape& s, Activation act, const double* z, const double* zdot,
                                   const double* Xdot, int m, std::vector<double>& hd) {
  if (m == 0) return Xdot;
  const double* zm = z + std::size_t(m - 1) * s.N;
  const double* zdm = zdot + std::size_t(m - 1) * s.N;
  for (int j = 0; j < s.N; ++j) hd[std::size_t(j)] = sigma_d1(act, zm[j]) * zdm[j];
  return hd.data();
}
}  // namespace

void to_bbd(const NetworkShape& s, Activation act, const double* W, const double* b, const double* X,
            double* z) {
  std::vector<double> h(std::size_t(s.N));
  const LinkStencil stencil(s);
  for (int m = 0; m < s.M; ++m) {
    const double* hm = layer_input(s, act, z, X, m, h);
    double* zn = z + std::size_t(m) * s.N;  // z^(m+1)
    stencil.apply(W + s.w_index(m, 0, 0), b + s.b_index(m, 0), hm, zn);
  }
}

void from_bbd_sweep(const NetworkShape& s, Activation act, const double* W, const double* Wdot, const double* z,
                    const double* zdot, const double* X, const double* Xdot, double* b, double* bdot,
                    std::vector<double>& scratch, const WidthHalo& halo) {
  // Each layer on a window of the columns plus r ghost columns a side (periodic images, or
  // a split network's neighbouring blocks): the window's stencil reads a column's senders
  // without wrapping, so every column sums its links as the whole width's stencil does.
  const int N = s.N, r = s.r, K = s.K(), Nw = N + 2 * r;
  const LinkStencil window(Nw, r);
  const bool velocities = Wdot && zdot && bdot;
  const std::size_t n = std::size_t(N), nw = std::size_t(Nw), NK = n * std::size_t(K), g = std::size_t(r);
  scratch.assign(4 * nw + 2 * nw * std::size_t(K), 0.0);
  double* h = scratch.data();  // h, h' of layer m on the window
  double* hd = h + nw;
  double* U = hd + nw;         // sum_k W h and sum_k (W' h + W h') at the window's columns
  double* Ud = U + nw;
  double* Ww = Ud + nw;        // W, W' of the layer's links; the ghost receivers' stay 0 (unused)
  double* Wdw = Ww + nw * std::size_t(K);
  for (int m = 0; m < s.M; ++m) {
    // h^(0) = X, h^(m) = sigma(z^(m)); h'^(0) = X', h'^(m) = sigma'(z^(m)) z'^(m)
    const std::size_t below = m == 0 ? 0 : std::size_t(m - 1) * n;  // z^(m) for m >= 1
    for (std::size_t i = 0; i < n; ++i) {
      h[g + i] = m == 0 ? X[i] : sigma(act, z[below + i]);
      if (velocities) hd[g + i] = m == 0 ? (Xdot ? Xdot[i] : 0.0) : sigma_d1(act, z[below + i]) * zdot[below + i];
    }
    halo.fill_ghosts(h, velocities ? 2 : 1, nw);
    const std::size_t wm = s.w_index(m, 0, 0);
    std::copy_n(W + wm, NK, Ww + g * std::size_t(K));
    window.apply(Ww, nullptr, h, U);
    if (velocities) {
      std::copy_n(Wdot + wm, NK, Wdw + g * std::size_t(K));
      window.tangent(Ww, Wdw, nullptr, h, hd, Ud);
    }
    const double* zn = z + std::size_t(m) * n;  // z^(m+1)
    for (std::size_t i = 0; i < n; ++i) {
      b[s.b_index(m, int(i))] = zn[i] - U[g + i];                                               // Eq. 6
      if (velocities) bdot[s.b_index(m, int(i))] = zdot[std::size_t(m) * n + i] - Ud[g + i];  // d/dt Eq. 6
    }
  }
}

void from_bbd(const NetworkShape& s, Activation act, const double* W, const double* z, const double* X,
              double* b) {
  std::vector<double> scratch;
  from_bbd_sweep(s, act, W, nullptr, z, nullptr, X, nullptr, b, nullptr, scratch, WidthHalo(s.N, s.r));
}

void from_bbd_velocity(const NetworkShape& s, Activation act, const double* W, const double* Wdot,
                       const double* z, const double* zdot, const double* X, const double* Xdot,
                       double* bdot) {
  std::vector<double> scratch, b(s.num_biases());
  from_bbd_sweep(s, act, W, Wdot, z, zdot, X, Xdot, b.data(), bdot, scratch, WidthHalo(s.N, s.r));
}

void to_bbd_velocity(const NetworkShape& s, Activation act, const double* W, const double* Wdot,
                     const double* b, const double* bdot, const double* X, const double* Xdot,
                     double* zdot) {
  std::vector<double> z(s.num_biases()), h(std::size_t(s.N)), hd(std::size_t(s.N));
  to_bbd(s, act, W, b, X, z.data());
  const LinkStencil stencil(s);
  for (int m = 0; m < s.M; ++m) {
    const double* hm = layer_input(s, act, z.data(), X, m, h);
    const double* hdm = layer_input_velocity(s, act, z.data(), zdot, Xdot, m, hd);
    const std::size_t wm = s.w_index(m, 0, 0);
    stencil.tangent(W + wm, Wdot + wm, bdot + s.b_index(m, 0), hm, hdm, zdot + std::size_t(m) * s.N);
  }
}

}  // namespace nnfield
