// The link stencil's kernels (include/nnfield/core/link_stencil.hpp).
#include "nnfield/core/link_stencil.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>

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

void LinkStencil::fill_ghost_rows(double* pad, int B) const {
  const std::size_t row = std::size_t(B);
  for (int p = 0; p < m_r; ++p)  // padded row p < r is site p - r + N
    std::memcpy(pad + std::size_t(p) * row, pad + std::size_t(p + m_N) * row, row * sizeof(double));
  for (int p = m_N + m_r; p < m_N + 2 * m_r; ++p)  // padded row p >= N + r is site p - r - N
    std::memcpy(pad + std::size_t(p) * row, pad + std::size_t(p - m_N) * row, row * sizeof(double));
}

void LinkStencil::fold_ghost_rows(double* pad, int B) const {
  const std::size_t row = std::size_t(B);
  for (int p = 0; p < m_r; ++p) {
    double* dst = pad + std::size_t(p + m_N) * row;
    const double* src = pad + std::size_t(p) * row;
    for (std::size_t s = 0; s < row; ++s) dst[s] += src[s];
  }
  for (int p = m_N + m_r; p < m_N + 2 * m_r; ++p) {
    double* dst = pad + std::size_t(p - m_N) * row;
    const double* src = pad + std::size_t(p) * row;
    for (std::size_t s = 0; s < row; ++s) dst[s] += src[s];
  }
}

namespace {

// One-sample kernels with the fan-in K known at compile time (3, 5, 7 cover the usual
// radii): the k loops unroll and the site loops vectorise. kDynamic: any K.
constexpr int kDynamic = 0;

template <int KC>
void apply_b1(const double* W, const double* b, const double* hpad, double* z, int N, int Kr) {
  const int K = KC == kDynamic ? Kr : KC;
  for (int i = 0; i < N; ++i) {
    double acc = b[i];
    for (int k = 0; k < K; ++k) acc += W[i * K + k] * hpad[i + k];
    z[i] = acc;
  }
}

template <int KC>
void weight_gradient_b1(const double* delta, const double* hpad, double* gW, int N, int Kr) {
  const int K = KC == kDynamic ? Kr : KC;
  for (int i = 0; i < N; ++i)
    for (int k = 0; k < K; ++k) gW[i * K + k] = delta[i] * hpad[i + k];
}

// g_j = sum_k W[j+r-k, k] delta_{j+r-k} for the sites lo..hi-1 whose receivers do not wrap.
template <int KC>
void gather_b1(const double* W, const double* delta, double* g, int r, int lo, int hi, int Kr) {
  const int K = KC == kDynamic ? Kr : KC;
  for (int j = lo; j < hi; ++j) {
    double acc = 0.0;
    for (int k = 0; k < K; ++k) acc += W[(j + r - k) * K + k] * delta[j + r - k];
    g[j] = acc;
  }
}

// Calls f(std::integral_constant<int, K>) for K in {3, 5, 7}, else with kDynamic.
template <class F>
void with_fan_in(int K, F&& f) {
  switch (K) {
    case 3: f(std::integral_constant<int, 3>{}); break;
    case 5: f(std::integral_constant<int, 5>{}); break;
    case 7: f(std::integral_constant<int, 7>{}); break;
    default: f(std::integral_constant<int, kDynamic>{}); break;
  }
}

}  // namespace

void LinkStencil::apply_padded(const double* w, const double* bias, const double* hpad, double* z, int B) const {
  const int N = m_N, K_ = K();
  if (B == 1) {
    with_fan_in(K_, [&](auto kc) { apply_b1<decltype(kc)::value>(w, bias, hpad, z, N, K_); });
    return;
  }
  for (int i = 0; i < N; ++i) {
    double* zi = z + std::size_t(i) * B;
    std::fill(zi, zi + B, bias[i]);
    for (int k = 0; k < K_; ++k) {
      const double wk = w[i * K_ + k];
      const double* hrow = hpad + std::size_t(i + k) * B;
      for (int s = 0; s < B; ++s) zi[s] += wk * hrow[s];
    }
  }
}

void LinkStencil::weight_gradient_padded(const double* delta, const double* hpad, double* gw, double* gb,
                                         int B) const {
  const int N = m_N, K_ = K();
  if (B == 1) {  // one sample: no batch loop to vectorise over, write the stencil flat
    std::copy(delta, delta + N, gb);
    with_fan_in(K_, [&](auto kc) { weight_gradient_b1<decltype(kc)::value>(delta, hpad, gw, N, K_); });
    return;
  }
  for (int i = 0; i < N; ++i) {
    const double* di = delta + std::size_t(i) * B;
    double sb = 0.0;
    for (int s = 0; s < B; ++s) sb += di[s];
    gb[i] = sb;
    for (int k = 0; k < K_; ++k) {
      const double* hrow = hpad + std::size_t(i + k) * B;
      double sw = 0.0;
      for (int s = 0; s < B; ++s) sw += di[s] * hrow[s];
      gw[i * K_ + k] = sw;
    }
  }
}

void LinkStencil::transpose_padded(const double* w, const double* delta, double* gpad, int B) const {
  const int N = m_N, r = m_r, K_ = K();
  if (B == 1) {
    // Gather instead of scatter, g_j = sum_k W[j+r-k, k] delta_{j+r-k}, which has no
    // loop-carried dependency; only the r sites at each edge wrap.
    double* g = gpad + r;
    auto gather_wrapped = [&](int j) {
      double acc = 0.0;
      for (int k = 0; k < K_; ++k) {
        const int i = receiver(j, k);
        acc += w[i * K_ + k] * delta[i];
      }
      g[j] = acc;
    };
    for (int j = 0; j < std::min(r, N); ++j) gather_wrapped(j);
    with_fan_in(K_, [&](auto kc) { gather_b1<decltype(kc)::value>(w, delta, g, r, r, N - r, K_); });
    for (int j = std::max(r, N - r); j < N; ++j) gather_wrapped(j);
    return;
  }
  std::fill(gpad, gpad + std::size_t(N + 2 * r) * B, 0.0);
  for (int i = 0; i < N; ++i) {
    const double* di = delta + std::size_t(i) * B;
    for (int k = 0; k < K_; ++k) {
      const double wk = w[i * K_ + k];
      double* grow = gpad + std::size_t(i + k) * B;
      for (int s = 0; s < B; ++s) grow[s] += wk * di[s];
    }
  }
  fold_ghost_rows(gpad, B);
}

}  // namespace nnfield
