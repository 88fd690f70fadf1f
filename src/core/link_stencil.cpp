// The link stencil's kernels (include/nnfield/core/link_stencil.hpp).
#include "nnfield/core/link_stencil.hpp"

#include <algorithm>

namespace nnfield {

void LinkStencil::apply(const double* w, const double* bias, const double* h, double* z) const {
  const int K_ = K();
  for (int i = 0; i < m_N; ++i) {
    double acc = bias ? bias[i] : 0.0;
    for (int k = 0; k < K_; ++k) acc += w[std::size_t(i) * K_ + k] * h[sender(i, k)];
    z[i] = acc;
  }
}

void LinkStencil::tangent(const double* w, const double* w_dot, const double* bias_dot, const double* h,
                          const double* h_dot, double* z_dot) const {
  const int K_ = K();
  for (int i = 0; i < m_N; ++i) {
    double acc = bias_dot ? bias_dot[i] : 0.0;
    for (int k = 0; k < K_; ++k) {
      const std::size_t l = std::size_t(i) * K_ + k;
      const int j = sender(i, k);
      acc += w_dot[l] * h[j] + w[l] * h_dot[j];
    }
    z_dot[i] = acc;
  }
}

void LinkStencil::transpose(const double* w, const double* d, double* g) const {
  const int K_ = K();
  for (int j = 0; j < m_N; ++j) {
    double acc = 0.0;
    for (int k = 0; k < K_; ++k) {
      const int i = receiver(j, k);
      acc += w[std::size_t(i) * K_ + k] * d[i];
    }
    g[j] = acc;
  }
}

void LinkStencil::shift_rows(const double* h, double* out) const {
  const int K_ = K();
  for (int k = 0; k < K_; ++k) {
    double* o = out + std::size_t(k) * m_N;
    for (int i = 0; i < m_N; ++i) o[i] = h[sender(i, k)];
  }
}

void LinkStencil::shift_rows_transpose(const double* in, double* h_bar) const {
  const int K_ = K();
  std::fill_n(h_bar, m_N, 0.0);
  for (int k = 0; k < K_; ++k) {
    const double* row = in + std::size_t(k) * m_N;
    for (int i = 0; i < m_N; ++i) h_bar[sender(i, k)] += row[i];
  }
}

}  // namespace nnfield
