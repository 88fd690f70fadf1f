#pragma once
// The link stencil of the locally connected network (docs/theory.md section 1, Eq. 1): receiver i of
// a layer reads the K = 2r+1 senders i + k - r, k = 0..2r, of the layer below, periodic in
// width. This file and src/core/link_stencil.cpp are the only places where that index
// arithmetic is written; everything that walks links (the network's forward and backward
// passes, the BBD variables, kinematics and energy books, the continuum gain, the field
// solver's lattice width shift, the depth sweeps) asks the stencil.
//
//   apply       z_i = bias_i + sum_k w[i,k] h_{i+k-r}                         (Eq. 1)
//   tangent     z'_i = bias'_i + sum_k (w'[i,k] h_{i+k-r} + w[i,k] h'_{i+k-r})
//   transpose   g_j = sum_k w[j-k+r, k] d_{j-k+r}           (dl/dh from dl/dz)
//
// Link weights of one layer are (N, K) row-major, as in NetworkShape::w_index.
//
// The network's hot path works on *padded* rows: a layer stored (site, sample) with the
// sample index innermost and r ghost rows on each side holding the periodic images, so
// that padded row i + k is site i + k - r and the kernels never compute a modulo. The
// one-sample kernels are specialised on K = 3, 5, 7 so the k loops unroll.
#include <cstddef>

#include "nnfield/core/shape.hpp"

namespace nnfield {

class LinkStencil {
 public:
  LinkStencil(int N, int r) : m_N(N), m_r(r) {}
  explicit LinkStencil(const NetworkShape& s) : LinkStencil(s.N, s.r) {}

  int N() const { return m_N; }
  int r() const { return m_r; }
  int K() const { return 2 * m_r + 1; }

  // The site that link k of receiver i reads.
  int sender(int i, int k) const { return wrap(i + k - m_r); }
  // The receiver whose link k reads site j (sender(receiver(j, k), k) == j).
  int receiver(int j, int k) const { return wrap(j - k + m_r); }

  // z = bias + W h for one layer and one sample (bias may be null: 0).
  void apply(const double* w, const double* bias, const double* h, double* z) const;
  // z' = bias' + W' h + W h' (bias' may be null: 0).
  void tangent(const double* w, const double* w_dot, const double* bias_dot, const double* h, const double* h_dot,
               double* z_dot) const;
  // g = W^T d (overwritten).
  void transpose(const double* w, const double* d, double* g) const;
  // The neighbours as K shifted rows: out[k N + i] = h_{sender(i, k)}; and its transpose,
  // h_bar_{sender(i, k)} += in[k N + i] (h_bar overwritten). The index-shift policy of
  // the field solver's width shifts (width_shift.hpp) on the lattice itself.
  void shift_rows(const double* h, double* out) const;
  void shift_rows_transpose(const double* in, double* h_bar) const;

  // Padded batches of B samples (rows of N + 2r, sample innermost).
  void fill_ghost_rows(double* pad, int B) const;  // copy the periodic images into the ghost rows
  void fold_ghost_rows(double* pad, int B) const;  // add the ghost rows back onto their sites
  // z (N, B) = bias + W h over a padded h.
  void apply_padded(const double* w, const double* bias, const double* hpad, double* z, int B) const;
  // gw[i,k] = sum_s delta_{i,s} h_{i+k-r,s}, gb[i] = sum_s delta_{i,s}.
  void weight_gradient_padded(const double* delta, const double* hpad, double* gw, double* gb, int B) const;
  // W^T delta into the padded scatter target gpad, ghost rows folded: sites r..r+N-1 of gpad
  // hold g afterwards (for B = 1, a gather without a loop-carried dependency).
  void transpose_padded(const double* w, const double* delta, double* gpad, int B) const;

 private:
  // Periodic index; stencil offsets stay within (-N, 2N) since r < N/2: a branch, not a
  // modulo, in the hot loops.
  int wrap(int i) const {
    if (i >= 0 && i < m_N) return i;
    if (i < 0 && i >= -m_N) return i + m_N;
    if (i >= m_N && i < 2 * m_N) return i - m_N;
    return ((i % m_N) + m_N) % m_N;
  }

  int m_N, m_r;
};

}  // namespace nnfield
