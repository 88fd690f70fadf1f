#pragma once
// Vector registers of doubles: AVX-512 (8 lanes) or AVX2 with FMA (4 lanes) where the build
// targets them, else one double. The network's stencil kernels (src/core/link_stencil_rows.cpp)
// are written once over a register type V and run with V = Vector over whole vectors of
// sites and V = Scalar over the remainder (and on builds without those instruction sets).
// Both fuse fma, so a site gives the same bits whichever of the two computed it. The vector
// math (vector_math.hpp) calls libmvec with the same registers.
#include <cmath>
#include <cstddef>
#include <utility>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#define NNFIELD_SIMD 1
#endif

namespace nnfield::simd {

struct Scalar {
  static constexpr std::size_t lanes = 1;
  double v;
  static Scalar load(const double* p) { return {*p}; }
  static Scalar broadcast(double x) { return {x}; }
  void store(double* p) const { *p = v; }
  friend Scalar operator*(Scalar a, Scalar b) { return {a.v * b.v}; }
  friend Scalar operator+(Scalar a, Scalar b) { return {a.v + b.v}; }
  // a b + c in one rounding where the target has FMA (as the vector registers do).
  friend Scalar fma(Scalar a, Scalar b, Scalar c) {
#ifdef __FMA__
    return {std::fma(a.v, b.v, c.v)};
#else
    return {a.v * b.v + c.v};
#endif
  }
};

#ifdef NNFIELD_SIMD
#ifdef __AVX512F__
using Reg = __m512d;
#define NNFIELD_SIMD_OP(op) _mm512_##op
#else
using Reg = __m256d;
#define NNFIELD_SIMD_OP(op) _mm256_##op
#endif
constexpr std::size_t kLanes = sizeof(Reg) / sizeof(double);
inline Reg load(const double* p) { return NNFIELD_SIMD_OP(loadu_pd)(p); }
inline void store(double* p, Reg v) { NNFIELD_SIMD_OP(storeu_pd)(p, v); }

struct Vector {
  static constexpr std::size_t lanes = kLanes;
  Reg v;
  static Vector load(const double* p) { return {simd::load(p)}; }
  static Vector broadcast(double x) { return {NNFIELD_SIMD_OP(set1_pd)(x)}; }
  void store(double* p) const { simd::store(p, v); }
  friend Vector operator*(Vector a, Vector b) { return {NNFIELD_SIMD_OP(mul_pd)(a.v, b.v)}; }
  friend Vector operator+(Vector a, Vector b) { return {NNFIELD_SIMD_OP(add_pd)(a.v, b.v)}; }
  friend Vector fma(Vector a, Vector b, Vector c) { return {NNFIELD_SIMD_OP(fmadd_pd)(a.v, b.v, c.v)}; }
};
#undef NNFIELD_SIMD_OP
#else
using Vector = Scalar;
#endif

// The VI registers of a row from p on, shifted by k = 0..lanes-1 places: at<k>(v) holds
// p[v lanes + k ..]. A stencil reads its rows at K shifts; unaligned loads of a whole
// cache line (AVX-512) straddle two lines nearly every time and halve the kernels' speed,
// so there the window loads VI + 1 registers once (aligned when p is) and makes each
// shift with a lane rotation (valignq). Reads p[0 .. (VI + 1) lanes - 1].
template <class V, int VI>
struct Window {
  const double* p;
  explicit Window(const double* base) : p(base) {}
  template <int k>
  V at(int v) const {
    return V::load(p + std::size_t(v) * V::lanes + std::size_t(k));
  }
};

#ifdef __AVX512F__
template <int VI>
struct Window<Vector, VI> {
  __m512i a[VI + 1];
  explicit Window(const double* base) {
    for (int v = 0; v <= VI; ++v) a[v] = _mm512_loadu_si512(base + 8 * v);
  }
  template <int k>
  Vector at(int v) const {
    static_assert(k >= 0 && k < 8, "a shift within one register");
    if constexpr (k == 0) {
      return {_mm512_castsi512_pd(a[v])};
    } else {
      // The zero-masking form with every lane kept: the plain intrinsic starts from an
      // undefined register, which GCC 12 reports as maybe-uninitialized.
      return {_mm512_castsi512_pd(_mm512_maskz_alignr_epi64(__mmask8(0xFF), a[v + 1], a[v], k))};
    }
  }
};
#endif

#ifdef __AVX512F__
// Transposes the 8 x 8 doubles in r[0..7] (a row each): afterwards r[i] lane j is what r[j]
// lane i was. Three rounds of lane shuffles (pairs, then 128- and 256-bit halves), 24 in
// all: the network's weights go between their (N, K) layout and link-major rows this way
// (LinkStencil::link_major), 8 sites at a time, where element-wise copies stride by K.
inline void transpose8x8(__m512d r[8]) {
  // The zero-masking forms with every lane kept, as in Window: GCC 12 reports the plain
  // intrinsics' undefined start register as maybe-uninitialized.
  constexpr __mmask8 all = 0xFF;
  __m512d t[8], u[8];
  for (int i = 0; i < 8; i += 2) {  // t[i] = r[i][0] r[i+1][0] r[i][2] r[i+1][2] ..., t[i+1] the odd lanes
    t[i] = _mm512_maskz_unpacklo_pd(all, r[i], r[i + 1]);
    t[i + 1] = _mm512_maskz_unpackhi_pd(all, r[i], r[i + 1]);
  }
  for (int h = 0; h < 8; h += 4) {  // u[h + c] holds lanes c and c + 4 of rows h..h+3
    u[h + 0] = _mm512_maskz_shuffle_f64x2(all, t[h + 0], t[h + 2], 0x88);
    u[h + 1] = _mm512_maskz_shuffle_f64x2(all, t[h + 1], t[h + 3], 0x88);
    u[h + 2] = _mm512_maskz_shuffle_f64x2(all, t[h + 0], t[h + 2], 0xDD);
    u[h + 3] = _mm512_maskz_shuffle_f64x2(all, t[h + 1], t[h + 3], 0xDD);
  }
  for (int c = 0; c < 4; ++c) {
    r[c] = _mm512_maskz_shuffle_f64x2(all, u[c], u[c + 4], 0x88);
    r[c + 4] = _mm512_maskz_shuffle_f64x2(all, u[c], u[c + 4], 0xDD);
  }
}
#endif

// f(std::integral_constant<int, k>) for k = 0..KC-1 in order: a stencil's links with k
// known at compile time, as the lane rotations need.
template <int... ks, class F>
void for_links(std::integer_sequence<int, ks...>, F&& f) {
  (f(std::integral_constant<int, ks>{}), ...);
}
template <int KC, class F>
void for_links_up(F&& f) {
  for_links(std::make_integer_sequence<int, KC>{}, f);
}

}  // namespace nnfield::simd
