// The network's hot kernels on batches of padded rows (include/nnfield/core/link_stencil.hpp).
//
// Every batched kernel runs over sites in vector registers (numerics/simd.hpp: 8 or 4
// doubles, two registers per step for enough independent sums), with the sites left over
// done one at a time by the same code; it is specialised on the fan-in K = 3, 5, 7 so its k
// loop unrolls. apply and the transpose take kSampleBlock rows at a time, so the weights a
// site loads serve that many samples; the weight gradient keeps its sums in registers
// across the whole batch. The sites go kSiteBlock at a time, so a block's K weight rows stay
// in L1 while the batch streams past them. The order of every sum is the one written in the
// step functions below whatever the batch size, blocking or register width: every
// multiply-add is fused (simd.hpp), every sum over samples runs in sample order.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "nnfield/core/link_stencil.hpp"
#include "nnfield/core/width_halo.hpp"
#include "numerics/simd.hpp"
#include "numerics/vector_math.hpp"

namespace nnfield {

namespace {

// K known at compile time (3, 5, 7 cover the usual radii); kDynamic: any K.
constexpr int kDynamic = 0;
constexpr int kSampleBlock = 4;

using simd::Scalar;
using simd::Vector;

// a b + c, rounded once where the target has FMA, as every kernel's vector sums are.
inline double multiply_add(double a, double b, double c) { return fma(Scalar{a}, Scalar{b}, Scalar{c}).v; }

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

// ---- layouts -------------------------------------------------------------------------
// The weights' (N, K) layout to link-major rows WP apart and back. With AVX-512 and K
// known, 8 sites at a time: their K weights are the rows of an 8 x 8 block, transposed in
// registers (simd::transpose8x8; the unused rows cost nothing once K is a constant). The
// element-wise copies stride by K on one side, and measured 1.4x (to) and 3x (back) slower.

#ifdef __AVX512F__
constexpr int kBlockSites = 8;

// The KC entries of 8 consecutive sites in the (N, K) layout, `sites` at the first one's,
// as link-major registers: block[k] lane l = sites[l KC + k] (block[KC..7] unspecified).
template <int KC>
void sites_to_links(const double* sites, __m512d block[8]) {
  constexpr __mmask8 links = __mmask8((1u << KC) - 1u);
  for (int l = 0; l < 8; ++l) block[l] = _mm512_maskz_loadu_pd(links, sites + std::size_t(l) * KC);
  simd::transpose8x8(block);
}

// The inverse: block[k] lane l, k < KC, to sites[l KC + k] (block is overwritten).
template <int KC>
void links_to_sites(__m512d block[8], double* sites) {
  constexpr __mmask8 links = __mmask8((1u << KC) - 1u);
  for (int k = KC; k < 8; ++k) block[k] = _mm512_setzero_pd();
  simd::transpose8x8(block);
  for (int l = 0; l < 8; ++l) _mm512_mask_storeu_pd(sites + std::size_t(l) * KC, links, block[l]);
}
#endif

template <int KC>
void to_link_major(const double* __restrict w, double* __restrict rows, std::size_t WP, int N, int Kr) {
  const int K = KC == kDynamic ? Kr : KC;
  int i = 0;
#ifdef __AVX512F__
  if constexpr (KC != kDynamic) {
    for (; i + kBlockSites <= N; i += kBlockSites) {
      __m512d block[8];
      sites_to_links<KC>(w + std::size_t(i) * KC, block);
      for (int k = 0; k < KC; ++k) _mm512_storeu_pd(rows + std::size_t(k) * WP + i, block[k]);
    }
  }
#endif
  for (int k = 0; k < K; ++k)
    for (int j = i; j < N; ++j) rows[std::size_t(k) * WP + j] = w[std::size_t(j) * K + k];
}

template <int KC>
void from_link_major_rows(const double* __restrict gwk, double* __restrict gw, int N, int Kr) {
  const int K = KC == kDynamic ? Kr : KC;
  int i = 0;
#ifdef __AVX512F__
  if constexpr (KC != kDynamic) {
    for (; i + kBlockSites <= N; i += kBlockSites) {
      __m512d block[8];
      for (int k = 0; k < KC; ++k) block[k] = _mm512_loadu_pd(gwk + std::size_t(k) * N + i);
      links_to_sites<KC>(block, gw + std::size_t(i) * KC);
    }
  }
#endif
  for (int j = i; j < N; ++j)
    for (int k = 0; k < K; ++k) gw[std::size_t(j) * K + k] = gwk[std::size_t(k) * N + j];
}

// ---- one sample ------------------------------------------------------------------

// gW[i, k] = delta_i h_{i+k} (padded h), products alone: any order gives the same bits.
// With AVX-512, 8 sites at a time: the K products of the sites as link-major registers,
// stored as the sites' K consecutive entries (links_to_sites); the element-wise loop
// stores K doubles a site one by one.
template <int KC>
void weight_gradient_b1(const double* __restrict delta, const double* __restrict hpad, double* __restrict gW, int N,
                        int Kr) {
  const int K = KC == kDynamic ? Kr : KC;
  int i = 0;
#ifdef __AVX512F__
  if constexpr (KC != kDynamic) {
    for (; i + kBlockSites <= N; i += kBlockSites) {
      const __m512d d = _mm512_loadu_pd(delta + i);
      __m512d block[8];
      for (int k = 0; k < KC; ++k) block[k] = _mm512_mul_pd(d, _mm512_loadu_pd(hpad + i + k));
      links_to_sites<KC>(block, gW + std::size_t(i) * KC);
    }
  }
#endif
  for (; i < N; ++i) {
    const double d = delta[i];
    for (int k = 0; k < K; ++k) gW[i * K + k] = d * hpad[i + k];
  }
}

// The BBD kinematics of one layer: per site z, U', U''; per link u, u' (see the header).
template <int KC>
void motion_b1(const double* W, const double* Wd, const double* Wdd, const double* b, const double* h,
               const double* hd, const double* hdd, double* z, double* u, double* ud, double* Ud, double* Udd, int N,
               int Kr) {
  const int K = KC == kDynamic ? Kr : KC;
  for (int i = 0; i < N; ++i) {
    double zi = b[i], sd = 0.0, sdd = 0.0;
    for (int k = 0; k < K; ++k) {
      const int l = i * K + k, p = i + k;
      zi += W[l] * h[p];
      const double ul = Wd[l] * h[p] + W[l] * hd[p];
      const double udl = Wdd[l] * h[p] + 2.0 * Wd[l] * hd[p] + W[l] * hdd[p];
      u[l] = ul;
      ud[l] = udl;
      sd += ul;
      sdd += udl;
    }
    z[i] = zi;
    Ud[i] = sd;
    Udd[i] = sdd;
  }
}

// ---- batches: link-major weights; h, delta and g rows P apart ---------------------
// A step does VI registers of V::lanes sites starting at site i. The weight gradient reads
// its rows through windows (simd::Window) at compile-time shifts, which measured 30%
// faster there; apply and the transpose, whose weights serve kSampleBlock rows, measured
// no faster (the transpose slower) and use plain loads.

// z = bias + sum_k wk[k] h[i + k] for SB rows (weight rows WP apart).
template <int KC, int SB, int VI, class V>
inline void apply_step(const double* __restrict wk, const double* __restrict bias, const double* __restrict h,
                       double* __restrict z, std::size_t P, std::size_t WP, std::size_t i, std::size_t K) {
  constexpr std::size_t L = V::lanes;
  V acc[VI][SB];
  for (int v = 0; v < VI; ++v) {
    const V b = V::load(bias + i + v * L);
    for (int s = 0; s < SB; ++s) acc[v][s] = b;
  }
  for (std::size_t k = 0; k < K; ++k)
    for (int v = 0; v < VI; ++v) {
      const V w = V::load(wk + k * WP + i + v * L);
      for (int s = 0; s < SB; ++s) acc[v][s] = fma(w, V::load(h + s * P + i + v * L + k), acc[v][s]);
    }
  for (int v = 0; v < VI; ++v)
    for (int s = 0; s < SB; ++s) acc[v][s].store(z + s * P + i + v * L);
}

// What a transpose multiplies its sums by, from the scale rows it reads: the rows
// themselves, or 1 - t^2 of rows t (vector_math.hpp's one_minus_square, the same bits as
// the derivative rows it replaces).
struct AsFactor {
  template <class V>
  V operator()(V x) const { return x; }
};
struct OneMinusSquare {
  template <class V>
  V operator()(V t) const { return detail::one_minus_square(t); }
};

// g = scale * sum_k W[j + r - k, k] delta_{j+r-k} (scale null: 1) for SB rows and sites
// whose receivers do not wrap, k from K-1 down: the terms in the order of increasing
// receiver. The link-major row k read from the receiver on is the row the weights meet.
// `delta` is the padded row (site 0 at r): receiver j + r - k is padded index j + 2r - k.
// Weight rows WP apart.
template <int KC, int SB, int VI, class V, class ScaleOf>
inline void gather_step(const double* __restrict wk, const double* __restrict delta, const double* __restrict scale,
                        double* __restrict g, std::size_t P, std::size_t WP, std::size_t r, std::size_t j,
                        std::size_t K) {
  constexpr std::size_t L = V::lanes;
  V acc[VI][SB];
  for (int v = 0; v < VI; ++v)
    for (int s = 0; s < SB; ++s) acc[v][s] = V::broadcast(0.0);
  for (std::size_t k = K; k-- > 0;)
    for (int v = 0; v < VI; ++v) {
      const V w = V::load(wk + k * WP + j + v * L + r - k);
      for (int s = 0; s < SB; ++s) acc[v][s] = fma(w, V::load(delta + s * P + j + v * L + 2 * r - k), acc[v][s]);
    }
  for (int v = 0; v < VI; ++v)
    for (int s = 0; s < SB; ++s) {
      const std::size_t at = s * P + r + j + v * L;
      (scale ? ScaleOf{}(V::load(scale + at)) * acc[v][s] : acc[v][s]).store(g + at);
    }
}

// Asks for the two cache lines kPrefetchAhead doubles on from p (a hint: never faults, and
// changes no result).
constexpr std::size_t kPrefetchAhead = 32;
inline void prefetch_ahead(const double* p) {
  __builtin_prefetch(p + kPrefetchAhead, 0, 3);
  __builtin_prefetch(p + kPrefetchAhead + 8, 0, 3);
}

// gwk[k][i] += delta_{s,i} h_{s,i+k} and gb[i] += delta_{s,i} for s = 0..B-1 in order,
// the sums held in registers across the batch.
template <int KC, int VI, class V>
inline void weight_gradient_step(const double* __restrict delta, const double* __restrict h, double* __restrict gwk,
                                 double* __restrict gb, std::size_t P, std::size_t N, std::size_t i, int B,
                                 bool accumulate) {
  constexpr std::size_t L = V::lanes;
  V acc[VI][KC], sb[VI];
  for (int v = 0; v < VI; ++v) {  // the sums so far, or zeros (not stored first: one pass less)
    sb[v] = accumulate ? V::load(gb + i + v * L) : V::broadcast(0.0);
    for (std::size_t k = 0; k < KC; ++k) acc[v][k] = accumulate ? V::load(gwk + k * N + i + v * L) : V::broadcast(0.0);
  }
  for (int s = 0; s < B; ++s) {
    const std::size_t at = std::size_t(s) * P + i;
    // The batch's rows come from L3 (h was written in the forward pass, layers ago): one
    // stream per sample, too many for the hardware's prefetchers; ask for the lines the
    // step two site blocks on will read (13% of a step at M = 64, N = 1024, B = 32).
    prefetch_ahead(h + at);
    prefetch_ahead(delta + at);
    const simd::Window<V, VI> row(h + at);
    for (int v = 0; v < VI; ++v) {
      const V d = V::load(delta + at + v * L);
      sb[v] = sb[v] + d;
      simd::for_links_up<KC>([&](auto k) {
        constexpr int kk = decltype(k)::value;
        acc[v][kk] = fma(d, row.template at<kk>(v), acc[v][kk]);
      });
    }
  }
  for (int v = 0; v < VI; ++v) {
    sb[v].store(gb + i + v * L);
    for (std::size_t k = 0; k < KC; ++k) acc[v][k].store(gwk + k * N + i + v * L);
  }
}

// Calls step(VI, V, i) over the sites i0..i1-1: one by one (the same code on Scalar) up to
// a whole vector from the row's start, so that the windows' loads are aligned, then two
// registers at a time, then one, then the remaining sites one by one.
template <class Step>
void over_sites(std::size_t i0, std::size_t i1, Step&& step) {
  constexpr std::size_t L = Vector::lanes;
  std::size_t i = i0;
  for (; i % L != 0 && i < i1; ++i) step(std::integral_constant<int, 1>{}, Scalar{}, i);
  for (; i + 2 * L <= i1; i += 2 * L) step(std::integral_constant<int, 2>{}, Vector{}, i);
  for (; i + L <= i1; i += L) step(std::integral_constant<int, 1>{}, Vector{}, i);
  for (; i < i1; ++i) step(std::integral_constant<int, 1>{}, Scalar{}, i);
}

// Any K: the weight gradient one link at a time (the same sums).
void weight_gradient_any(const double* __restrict delta, const double* __restrict h, double* __restrict gwk,
                         double* __restrict gb, std::size_t P, std::size_t N, std::size_t K, int B) {
  for (int s = 0; s < B; ++s) {
    const double* d = delta + s * P;
    const double* hs = h + s * P;
    for (std::size_t i = 0; i < N; ++i) gb[i] += d[i];
    for (std::size_t k = 0; k < K; ++k) {
      double* g = gwk + k * N;
      for (std::size_t i = 0; i < N; ++i) g[i] = multiply_add(d[i], hs[i + k], g[i]);
    }
  }
}

// Calls f(i0, i1) for the site blocks of [lo, hi): kSiteBlock sites at a time, so that the
// block's K weight rows (7 x 256 doubles at most for the specialised K) stay in L1 while
// the batch streams past them.
constexpr std::size_t kSiteBlock = 256;
template <class F>
void over_site_blocks(std::size_t lo, std::size_t hi, F&& f) {
  for (std::size_t i0 = lo; i0 < hi; i0 += kSiteBlock) f(i0, std::min(hi, i0 + kSiteBlock));
}

}  // namespace

// ---- layout ------------------------------------------------------------------------

std::size_t LinkStencil::row_stride() const {
  const std::size_t padded = std::size_t(m_N + 2 * m_r);
  return (padded + kRowAlign - 1) / kRowAlign * kRowAlign;
}

void LinkStencil::fill_ghosts(double* rows, int B) const { fill_periodic_ghosts(rows, B, row_stride(), m_N, m_r); }

std::size_t LinkStencil::weight_row_stride() const {
  const std::size_t padded = std::size_t(weight_pad() + m_N + m_r);
  return (padded + kRowAlign - 1) / kRowAlign * kRowAlign;
}

void LinkStencil::link_major(const double* w, double* wk) const {
  const std::size_t WP = weight_row_stride();
  double* rows = wk + std::size_t(weight_pad());
  with_fan_in(K(), [&](auto kc) { to_link_major<decltype(kc)::value>(w, rows, WP, m_N, K()); });
}

void LinkStencil::from_link_major(const double* gwk, double* gw) const {
  with_fan_in(K(), [&](auto kc) { from_link_major_rows<decltype(kc)::value>(gwk, gw, m_N, K()); });
}

// ---- one sample ----------------------------------------------------------------------

void LinkStencil::weight_gradient_row(const double* delta, const double* h, double* gw, double* gb) const {
  // One sample: no sums over samples, so the (N, K) layout is written directly.
  const int K_ = K();
  std::copy(delta + m_r, delta + m_r + m_N, gb);
  with_fan_in(K_, [&](auto kc) { weight_gradient_b1<decltype(kc)::value>(delta + m_r, h, gw, m_N, K_); });
}

void LinkStencil::motion_row(const double* w, const double* wd, const double* wdd, const double* bias,
                             const double* h, const double* hd, const double* hdd, double* z, double* u, double* ud,
                             double* Ud, double* Udd) const {
  const int K_ = K();
  with_fan_in(K_, [&](auto kc) {
    motion_b1<decltype(kc)::value>(w, wd, wdd, bias, h, hd, hdd, z, u, ud, Ud, Udd, m_N, K_);
  });
}

// ---- batches -------------------------------------------------------------------------

void LinkStencil::apply_rows(const double* wk_rows, const double* bias, const double* h, double* z, int B) const {
  const std::size_t P = row_stride(), WP = weight_row_stride(), N = std::size_t(m_N), K_ = std::size_t(K());
  const double* wk = wk_rows + weight_pad();  // receiver 0 of link 0
  with_fan_in(K(), [&](auto kc) {
    constexpr int KC = decltype(kc)::value;
    const std::size_t K = KC == kDynamic ? K_ : std::size_t(KC);
    over_site_blocks(0, N, [&](std::size_t i0, std::size_t i1) {
      over_sample_blocks(B, [&](auto sb, int s) {
        constexpr int SB = decltype(sb)::value;
        const double* hs = h + s * P;
        double* zs = z + s * P + m_r;
        over_sites(i0, i1, [&](auto vi, auto v, std::size_t i) {
          apply_step<KC, SB, decltype(vi)::value, decltype(v)>(wk, bias, hs, zs, P, WP, i, K);
        });
      });
    });
  });
}

void LinkStencil::weight_gradient_rows(const double* delta, const double* h, double* gwk, double* gb, int B,
                                       bool accumulate) const {
  const std::size_t P = row_stride(), N = std::size_t(m_N);
  const int K_ = K();
  with_fan_in(K_, [&](auto kc) {
    constexpr int KC = decltype(kc)::value;
    if constexpr (KC == kDynamic) {
      if (!accumulate) {
        std::fill_n(gwk, std::size_t(K_) * N, 0.0);
        std::fill_n(gb, N, 0.0);
      }
      weight_gradient_any(delta + m_r, h, gwk, gb, P, N, std::size_t(K_), B);
    } else {
      over_sites(0, N, [&](auto vi, auto v, std::size_t i) {
        // KC + 1 sums per register: one register per step where two would not fit (AVX2).
        constexpr int VI = (KC + 1) * decltype(vi)::value <= 8 || Vector::lanes >= 8 ? decltype(vi)::value : 1;
        if constexpr (VI == decltype(vi)::value) {
          weight_gradient_step<KC, VI, decltype(v)>(delta + m_r, h, gwk, gb, P, N, i, B, accumulate);
        } else {
          for (int half = 0; half < 2; ++half)
            weight_gradient_step<KC, 1, decltype(v)>(delta + m_r, h, gwk, gb, P, N, i + half * Vector::lanes, B,
                                                    accumulate);
        }
      });
    }
  });
}

template <class ScaleOf>
void LinkStencil::transpose_rows_scaled(const double* wk_rows, const double* delta, const double* scale, double* g,
                                        int B) const {
  const std::size_t P = row_stride(), WP = weight_row_stride(), r = std::size_t(m_r);
  const int K_ = K();
  // Receiver 0 of link 0. The receivers beyond the edges are read from the ghosts of wk
  // and delta, so the sites by an edge are summed as any other (whether the edge is the
  // periodic seam or a split block's), all of them by the vector code.
  const double* wk = wk_rows + weight_pad();
  with_fan_in(K_, [&](auto kc) {
    constexpr int KC = decltype(kc)::value;
    const std::size_t K = KC == kDynamic ? std::size_t(K_) : std::size_t(KC);
    over_site_blocks(0, std::size_t(m_N), [&](std::size_t j0, std::size_t j1) {
      over_sample_blocks(B, [&](auto sb, int s) {
        constexpr int SB = decltype(sb)::value;
        const std::size_t at = s * P;  // row starts: the step finds site j at r + j
        over_sites(j0, j1, [&](auto vi, auto v, std::size_t j) {
          gather_step<KC, SB, decltype(vi)::value, decltype(v), ScaleOf>(
              wk, delta + at, scale ? scale + at : nullptr, g + at, P, WP, r, j, K);
        });
      });
    });
  });
}

void LinkStencil::transpose_rows(const double* wk, const double* delta, const double* scale, double* g,
                                 int B) const {
  transpose_rows_scaled<AsFactor>(wk, delta, scale, g, B);
}

void LinkStencil::transpose_rows_one_minus_square(const double* wk, const double* delta, const double* t, double* g,
                                                  int B) const {
  transpose_rows_scaled<OneMinusSquare>(wk, delta, t, g, B);
}

}  // namespace nnfield
