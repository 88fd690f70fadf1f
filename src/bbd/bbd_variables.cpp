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
                    std::vector<double>& h, std::vector<double>& hd) {
  const LinkStencil stencil(s);
  const bool velocities = Wdot && zdot && bdot;
  std::vector<double> U(std::size_t(s.N)), Ud(std::size_t(s.N));
  h.resize(std::size_t(s.N));
  hd.resize(std::size_t(s.N));
  for (int m = 0; m < s.M; ++m) {
    const double* hm = layer_input(s, act, z, X, m, h);
    const double* hdm = nullptr;
    if (velocities) {
      if (m == 0 && !Xdot) std::fill(hd.begin(), hd.end(), 0.0);
      hdm = (m == 0 && !Xdot) ? hd.data() : layer_input_velocity(s, act, z, zdot, Xdot, m, hd);
    }
    const double* zn = z + std::size_t(m) * s.N;
    // U = sum_k W h and U' = sum_k (W' h + W h')
    const std::size_t wm = s.w_index(m, 0, 0);
    stencil.apply(W + wm, nullptr, hm, U.data());
    if (velocities) stencil.tangent(W + wm, Wdot + wm, nullptr, hm, hdm, Ud.data());
    for (int i = 0; i < s.N; ++i) {
      b[s.b_index(m, i)] = zn[i] - U[std::size_t(i)];                                    // Eq. 6
      if (velocities) bdot[s.b_index(m, i)] = zdot[std::size_t(m) * s.N + i] - Ud[std::size_t(i)];  // d/dt Eq. 6
    }
  }
}

void from_bbd(const NetworkShape& s, Activation act, const double* W, const double* z, const double* X,
              double* b) {
  std::vector<double> h, hd;
  from_bbd_sweep(s, act, W, nullptr, z, nullptr, X, nullptr, b, nullptr, h, hd);
}

void from_bbd_velocity(const NetworkShape& s, Activation act, const double* W, const double* Wdot,
                       const double* z, const double* zdot, const double* X, const double* Xdot,
                       double* bdot) {
  std::vector<double> h, hd, b(s.num_biases());
  from_bbd_sweep(s, act, W, Wdot, z, zdot, X, Xdot, b.data(), bdot, h, hd);
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
