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
// The network's hot path works on batches of *padded rows*: sample s of a layer is row s,
// its sites i at padded index r + i, with r ghosts on each side holding the periodic
// images, so that padded index i + k is site i + k - r and the kernels never wrap. The
// site index is innermost: the kernels vectorise over sites as the one-sample kernels do,
// the sum over samples in the weight gradient stays a plain running sum in sample order
// (no horizontal reductions), and X, Z, dl/dX in (B, N) are rows already. Every kernel is
// specialised on the fan-in K = 3, 5, 7 so the k loops unroll (kernels in
// link_stencil_rows.cpp).
#include <cstddef>

#include "nnfield/core/shape.hpp"

namespace nnfield {

class LinkStencil {
 public:
  LinkStencil(int N, int r) : m_N(N), m_r(r) {}
  explicit LinkStencil(const NetworkShape& s) : LinkStencil(s.N, s.r) {}
  // N may be a block of a wider periodic width (width_halo.hpp): the batched kernels read
  // the ghosts, whoever filled them, so they serve a block as the whole width. The
  // neighbour arithmetic below (sender, receiver, shift_rows, ...) wraps within N: it is
  // for the whole width.

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

  // ---- batches of padded rows ------------------------------------------------------
  // Rows start row_stride() doubles apart: N + 2r rounded up to kRowAlign, so that every
  // row begins on a whole vector and an activation call over any run of rows has no scalar
  // tail. An element's value then never depends on where a call began, which is what makes
  // results independent of how a batch is split between threads.
  static constexpr int kRowAlign = 8;
  std::size_t row_stride() const;
  // Copies the periodic images into the ghosts of B rows.
  void fill_ghosts(double* rows, int B) const;

  // One sample's weight gradient, written in the (N, K) layout: gw[i,k] = delta_i h_{i+k-r},
  // gb = delta (padded rows delta and h, as below). Apply and the transpose of one sample
  // are the batched kernels at B = 1, so a sample gets the same bits alone or in a batch.
  void weight_gradient_row(const double* delta, const double* h, double* gw, double* gb) const;

  // The links' motion through one layer, one sample (the BBD kinematics,
  // bbd/bbd_kinematics.hpp): padded rows h, h', h'' of the layer below, W, W', W'' in the
  // (N, K) layout (pass zeros for a derivative the motion lacks); per link
  // u = W' h + W h' and u' = W'' h + 2 W' h' + W h'' (N, K); per site z = bias + W h,
  // U' = sum_k u, U'' = sum_k u' (length N).
  void motion_row(const double* w, const double* wd, const double* wdd, const double* bias, const double* h,
                  const double* hd, const double* hdd, double* z, double* u, double* ud, double* Ud,
                  double* Udd) const;

  // B >= 1 samples. The kernels read the weights link-major, one padded row per link k,
  // wk[k P + pad + i] = w[i, k] (P = weight_row_stride(), pad = weight_pad()), so that the
  // site loops load whole vectors: apply at the receiver i, the transpose at receiver
  // j + r - k of site j (the row shifted by r - k). The r receivers beyond each edge, at
  // pad - r .. pad - 1 and pad + N .., are ghosts like those of the neuron rows: the
  // transpose's edge sites read them, after the caller filled them (width_halo.hpp; the
  // rows to fill start at wk + pad - r). pad is r rounded up to whole vectors, so that
  // apply's loads of receiver i are aligned as the neuron rows' are.
  int weight_pad() const { return (m_r + kRowAlign - 1) / kRowAlign * kRowAlign; }
  std::size_t weight_row_stride() const;
  // Writes sites only: the ghosts are the caller's (fill them as above).
  void link_major(const double* w, double* wk) const;
  // gw[i, k] = gwk[k N + i]: a link-major gradient (unpadded rows) back to the (N, K) layout.
  void from_link_major(const double* gwk, double* gw) const;
  // z rows = bias + W h rows (sites of z written; its ghosts untouched).
  void apply_rows(const double* wk, const double* bias, const double* h, double* z, int B) const;
  // gwk[k N + i] (+)= sum_s delta_{s,i} h_{s,i+k-r}, gb[i] (+)= sum_s delta_{s,i}, both sums
  // in sample order, continuing the sums already there when `accumulate` (so a batch taken
  // in consecutive parts gives the same bits as in one), else starting from zero.
  void weight_gradient_rows(const double* delta, const double* h, double* gwk, double* gb, int B,
                            bool accumulate) const;
  // g rows = scale * (W^T delta) rows, elementwise (scale: rows like g, e.g. sigma'(z) to
  // make g the next delta; null: 1). Sites of g written. Reads the ghosts of delta and of
  // wk. Each site sums its K terms in the order of increasing padded receiver (k = 2r..0),
  // the receivers beyond an edge read from the ghosts: the same order at every site, so a
  // block of a split width gives its sites the whole width's bits.
  void transpose_rows(const double* wk, const double* delta, const double* scale, double* g, int B) const;
  // The same with scale = 1 - t^2 taken from rows t (tanh's derivative from its value,
  // bit for bit as map_one_minus_square gives it), so no scale rows are written and read.
  void transpose_rows_one_minus_square(const double* wk, const double* delta, const double* t, double* g,
                                       int B) const;

 private:
  // transpose_rows with the factor ScaleOf makes of the scale rows (link_stencil_rows.cpp).
  template <class ScaleOf>
  void transpose_rows_scaled(const double* wk, const double* delta, const double* scale, double* g, int B) const;

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
