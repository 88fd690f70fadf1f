// The network's hot kernels on batches of padded rows (include/nnfield/core/link_stencil.hpp).
//
// Every kernel vectorises over sites, as the one-sample kernels always did, and is
// specialised on the fan-in K = 3, 5, 7 so its k loop unrolls. Batches go through the
// rows kSampleBlock at a time: the weights a site loads serve that many samples, which
// takes the loads per multiply-add from 2 to 1.25 (K values of W, K of h per sample).
// The order of every sum is the one written in the loops below whatever the batch size,
// so blocking the samples changes no result.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "nnfield/core/link_stencil.hpp"

namespace nnfield {

namespace {

// K known at compile time (3, 5, 7 cover the usual radii); kDynamic: any K.
constexpr int kDynamic = 0;
constexpr int kSampleBlock = 4;

// a b + c, fused where the target has FMA, as the compiler fuses `acc += w * h` in a loop
// it vectorises across sites. Written out so that the rounding does not depend on how a
// loop is vectorised: a sum over k or s may otherwise become an in-order reduction with
// its products rounded apart.
inline double multiply_add(double a, double b, double c) {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
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

// Calls f(std::integral_constant<int, SB>, s) for the sample blocks s..s+SB-1 of 0..B-1,
// kSampleBlock rows at a time, the remainder one by one.
template <class F>
void over_sample_blocks(int B, F&& f) {
  int s = 0;
  for (; s + kSampleBlock <= B; s += kSampleBlock) f(std::integral_constant<int, kSampleBlock>{}, s);
  for (; s < B; ++s) f(std::integral_constant<int, 1>{}, s);
}

// ---- one sample ------------------------------------------------------------------

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

// ---- SB samples, link-major weights; h, delta and g rows P apart ------------------

// z (sites of SB rows) = bias + sum_k wk[k] h[i + k].
template <int KC, int SB>
void apply_block(const double* __restrict wk, const double* __restrict bias, const double* __restrict h,
                 double* __restrict z, std::size_t P, int N, int Kr) {
  const int K = KC == kDynamic ? Kr : KC;
  for (int i = 0; i < N; ++i) {
    double acc[SB];
    for (int s = 0; s < SB; ++s) acc[s] = bias[i];
    for (int k = 0; k < K; ++k) {
      const double w = wk[std::size_t(k) * N + i];
      for (int s = 0; s < SB; ++s) acc[s] = multiply_add(w, h[s * P + std::size_t(i + k)], acc[s]);
    }
    for (int s = 0; s < SB; ++s) z[s * P + std::size_t(i)] = acc[s];
  }
}

// gwk[k][i] += delta_{s,i} h_{s,i+k} and gb[i] += delta_{s,i} for s = 0..SB-1 in order.
template <int KC, int SB>
void weight_gradient_block(const double* __restrict delta, const double* __restrict h, double* __restrict gwk,
                           double* __restrict gb, std::size_t P, int N) {
  for (int i = 0; i < N; ++i) {
    double sb = gb[i];
    for (int s = 0; s < SB; ++s) sb += delta[s * P + std::size_t(i)];
    gb[i] = sb;
  }
  for (int i = 0; i < N; ++i) {
    double acc[KC];
    for (int k = 0; k < KC; ++k) acc[k] = gwk[std::size_t(k) * N + i];
    for (int s = 0; s < SB; ++s) {
      const double d = delta[s * P + std::size_t(i)];
      for (int k = 0; k < KC; ++k) acc[k] = multiply_add(d, h[s * P + std::size_t(i + k)], acc[k]);
    }
    for (int k = 0; k < KC; ++k) gwk[std::size_t(k) * N + i] = acc[k];
  }
}

// Any K: the same sums, one link at a time.
void weight_gradient_any(const double* __restrict delta, const double* __restrict h, double* __restrict gwk,
                         double* __restrict gb, std::size_t P, int N, int K, int B) {
  for (int s = 0; s < B; ++s) {
    const double* d = delta + s * P;
    const double* hs = h + s * P;
    for (int i = 0; i < N; ++i) gb[i] += d[i];
    for (int k = 0; k < K; ++k) {
      double* g = gwk + std::size_t(k) * N;
      for (int i = 0; i < N; ++i) g[i] = multiply_add(d[i], hs[i + k], g[i]);
    }
  }
}

// g_j = sum_k wr[k][j] delta_{j+r-k} for the sites lo..hi-1 whose receivers do not wrap,
// in the order of increasing receiver (k from K-1 down).
template <int KC, int SB>
void gather_block(const double* __restrict wr, const double* __restrict delta, double* __restrict g, std::size_t P,
                  int N, int r, int lo, int hi, int Kr) {
  const int K = KC == kDynamic ? Kr : KC;
  for (int j = lo; j < hi; ++j) {
    double acc[SB];
    for (int s = 0; s < SB; ++s) acc[s] = 0.0;
    for (int k = K - 1; k >= 0; --k) {
      const double w = wr[std::size_t(k) * N + j];
      for (int s = 0; s < SB; ++s) acc[s] = multiply_add(w, delta[s * P + std::size_t(j + r - k)], acc[s]);
    }
    for (int s = 0; s < SB; ++s) g[s * P + std::size_t(j)] = acc[s];
  }
}

}  // namespace

// ---- layout ------------------------------------------------------------------------

std::size_t LinkStencil::row_stride() const {
  const std::size_t padded = std::size_t(m_N + 2 * m_r);
  return (padded + kRowAlign - 1) / kRowAlign * kRowAlign;
}

void LinkStencil::fill_ghosts(double* rows, int B) const {
  const std::size_t P = row_stride();
  for (int s = 0; s < B; ++s) {
    double* row = rows + std::size_t(s) * P;
    for (int p = 0; p < m_r; ++p) row[p] = row[p + m_N];                            // site p - r + N
    for (int p = m_N + m_r; p < m_N + 2 * m_r; ++p) row[p] = row[p - m_N];          // site p - r - N
  }
}

void LinkStencil::link_major(const double* w, double* wk) const {
  const int K_ = K();
  for (int k = 0; k < K_; ++k)
    for (int i = 0; i < m_N; ++i) wk[std::size_t(k) * m_N + i] = w[std::size_t(i) * K_ + k];
}

void LinkStencil::receiver_major(const double* w, double* wr) const {
  const int K_ = K();
  for (int k = 0; k < K_; ++k)
    for (int j = 0; j < m_N; ++j) wr[std::size_t(k) * m_N + j] = w[std::size_t(receiver(j, k)) * K_ + k];
}

void LinkStencil::from_link_major(const double* gwk, double* gw) const {
  const int K_ = K();
  for (int i = 0; i < m_N; ++i)
    for (int k = 0; k < K_; ++k) gw[std::size_t(i) * K_ + k] = gwk[std::size_t(k) * m_N + i];
}

// ---- one sample ----------------------------------------------------------------------

void LinkStencil::apply_row(const double* w, const double* bias, const double* h, double* z) const {
  const int K_ = K();
  with_fan_in(K_, [&](auto kc) { apply_b1<decltype(kc)::value>(w, bias, h, z + m_r, m_N, K_); });
}

void LinkStencil::weight_gradient_row(const double* delta, const double* h, double* gw, double* gb) const {
  // One sample: no batch loop to vectorise over, the stencil written flat.
  const int K_ = K();
  std::copy(delta + m_r, delta + m_r + m_N, gb);
  with_fan_in(K_, [&](auto kc) { weight_gradient_b1<decltype(kc)::value>(delta + m_r, h, gw, m_N, K_); });
}

void LinkStencil::transpose_row(const double* w, const double* delta, double* grow) const {
  // A gather, g_j = sum_k W[j+r-k, k] delta_{j+r-k}, with no loop-carried dependency;
  // only the r sites at each edge wrap.
  const int N = m_N, r = m_r, K_ = K();
  const double* d = delta + r;
  double* g = grow + r;
  auto gather_wrapped = [&](int j) {
    double acc = 0.0;
    for (int k = 0; k < K_; ++k) {
      const int i = receiver(j, k);
      acc += w[i * K_ + k] * d[i];
    }
    g[j] = acc;
  };
  for (int j = 0; j < std::min(r, N); ++j) gather_wrapped(j);
  with_fan_in(K_, [&](auto kc) { gather_b1<decltype(kc)::value>(w, d, g, r, r, N - r, K_); });
  for (int j = std::max(r, N - r); j < N; ++j) gather_wrapped(j);
}

// ---- batches -------------------------------------------------------------------------

void LinkStencil::apply_rows(const double* wk, const double* bias, const double* h, double* z, int B) const {
  const std::size_t P = row_stride();
  const int K_ = K();
  with_fan_in(K_, [&](auto kc) {
    over_sample_blocks(B, [&](auto sb, int s) {
      apply_block<decltype(kc)::value, decltype(sb)::value>(wk, bias, h + s * P, z + s * P + m_r, P, m_N, K_);
    });
  });
}

void LinkStencil::weight_gradient_rows(const double* delta, const double* h, double* gwk, double* gb, int B) const {
  const std::size_t P = row_stride();
  const int K_ = K();
  std::fill_n(gwk, std::size_t(K_) * m_N, 0.0);
  std::fill_n(gb, m_N, 0.0);
  with_fan_in(K_, [&](auto kc) {
    constexpr int KC = decltype(kc)::value;
    if constexpr (KC == kDynamic) {
      weight_gradient_any(delta + m_r, h, gwk, gb, P, m_N, K_, B);
    } else {
      over_sample_blocks(B, [&](auto sb, int s) {
        weight_gradient_block<KC, decltype(sb)::value>(delta + s * P + m_r, h + s * P, gwk, gb, P, m_N);
      });
    }
  });
}

void LinkStencil::transpose_rows(const double* wr, const double* delta, double* g, int B) const {
  const std::size_t P = row_stride();
  const int N = m_N, r = m_r, K_ = K();
  // Edge sites: receivers across the seam summed apart and added last (see the header).
  // Receiver j + r - k is inside 0..N-1 for k_lo <= k <= k_hi; the others wrap.
  auto edge_site = [&](const double* d, int j) {
    const int k_lo = std::max(0, j + r - N + 1), k_hi = std::min(K_ - 1, j + r);
    double in = 0.0, seam = 0.0;
    for (int k = k_hi; k >= k_lo; --k) in = multiply_add(wr[std::size_t(k) * N + j], d[j + r - k], in);
    for (int k = K_ - 1; k > k_hi; --k) seam = multiply_add(wr[std::size_t(k) * N + j], d[j + r - k + N], seam);
    for (int k = k_lo - 1; k >= 0; --k) seam = multiply_add(wr[std::size_t(k) * N + j], d[j + r - k - N], seam);
    return (k_lo > 0 || k_hi < K_ - 1) ? in + seam : in;
  };
  const int lo = r, hi = std::max(r, N - r);
  for (int s = 0; s < B; ++s) {
    const double* d = delta + s * P + r;
    double* gs = g + s * P + r;
    for (int j = 0; j < lo; ++j) gs[j] = edge_site(d, j);
    for (int j = hi; j < N; ++j) gs[j] = edge_site(d, j);
  }
  with_fan_in(K_, [&](auto kc) {
    over_sample_blocks(B, [&](auto sb, int s) {
      gather_block<decltype(kc)::value, decltype(sb)::value>(wr, delta + s * P + r, g + s * P + r, P, N, r, lo, hi,
                                                             K_);
    });
  });
}

}  // namespace nnfield
