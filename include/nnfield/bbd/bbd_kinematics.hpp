#pragma once
// Kinematics of the neurons as degrees of freedom (BBD paper section 3, docs/theory.md section 3):
// from the parameters (W, b), their first and second time derivatives and the input
// X, X', X'', one forward sweep gives every neuron's z, z', z'' and the link terms
//   u^(m)_{i,k}  = d/dt   (W[m,i,k] h^(m)_j),   j = i+k-r
//   u'^(m)_{i,k} = d^2/dt^2 (W[m,i,k] h^(m)_j) = W'' h + 2 W' h' + W h''
// with h^(0) = X, h^(m) = sigma(z^(m)), h' = sigma'(z) z', h'' = sigma''(z) z'^2 + sigma'(z) z'',
//   z^(m+1) = b + sum_k W h,  z' = b' + sum_k u,  z'' = b'' + sum_k u'     (d/dt of Eq. 1)
// Single sample, each layer through the stencil's K-specialised kernel (motion_row). This
// is also how accelerations in (W, z) follow from those in (W, b): a sweep from input to
// output, O(#parameters), no mass-matrix solve.
#include <vector>

#include "nnfield/core/activation.hpp"
#include "nnfield/core/shape.hpp"
#include "nnfield/core/width_halo.hpp"

namespace nnfield {

// Pointers to a state of motion: parameters with their first and second derivatives
// (any of the derivative pointers may be null: treated as zero) and the input X(t).
struct Motion {
  const double *W = nullptr, *Wd = nullptr, *Wdd = nullptr;  // (M,N,K)
  const double *b = nullptr, *bd = nullptr, *bdd = nullptr;  // (M,N)
  const double *X = nullptr, *Xd = nullptr, *Xdd = nullptr;  // (N)
};

struct BbdKinematics {
  NetworkShape shape;
  // Neuron layers m = 0..M, stored (M+1, N); layer 0 holds the input X, X', X''.
  std::vector<double> z, zd, zdd;
  // h^(m) = sigma(z^(m)) for 1 <= m <= M-1 (X for m = 0), with h', h'' and sigma'(z): (M+1, N).
  std::vector<double> h, hd, hdd, dsigma;
  // Per link layer m = 0..M-1: u, u' (M,N,K) and U' = sum_k u, U'' = sum_k u' (M,N).
  std::vector<double> u, ud, Ud, Udd;
  // b' = z'^(m+1) - U'^(m) (M,N), needed by the momenta.
  std::vector<double> bd;
  // Scratch of the sweep: one layer's h, h', h'' as padded rows (LinkStencil), and zero
  // link rates for a motion without W' or W''.
  std::vector<double> rows, zero_links;

  void resize(const NetworkShape& s);
  double layer(const std::vector<double>& v, int m, int i) const { return v[std::size_t(m) * shape.N + i]; }
};

// The forward sweep. `k` is resized on first use; no allocation afterwards.
void bbd_forward_sweep(const NetworkShape& shape, Activation act, const Motion& motion, BbdKinematics& k);
// The same on the block of columns `halo` holds of a network split along its width
// (width_halo.hpp; `shape` is the block's, N its width): the motion's arrays are the block's
// columns, each layer's ghosts come from the neighbouring blocks (collective) and sigma takes
// each site the whole row's way, so every value is the whole sweep's to the last bit.
void bbd_forward_sweep(const NetworkShape& shape, Activation act, const Motion& motion, BbdKinematics& k,
                       const WidthHalo& halo);

}  // namespace nnfield
