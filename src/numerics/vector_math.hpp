#pragma once
// out[i] = f(in[i]) for the transcendental functions of the activations, through
// glibc's vector math library (libmvec, glibc >= 2.35) 8 or 4 lanes at a time.
// Measured on the reference machine (ns per element, tanh): libm 10.3, SLEEF 3.5
// AVX2 5.1, libmvec AVX-512 1.95 with max relative error 4e-16 (docs/performance.md).
// Falls back to libm where the vector ABI is unavailable.
#include <cmath>
#include <cstddef>

#include "numerics/simd.hpp"

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35)) && defined(NNFIELD_SIMD)
#define NNFIELD_LIBMVEC 1
#endif

namespace nnfield::detail {

#ifdef NNFIELD_LIBMVEC
// The register width (simd.hpp) picks libmvec's vector-ABI name.
using simd::kLanes;
using simd::load;
using simd::store;
using VecD = simd::Reg;
#ifdef __AVX512F__
#define NNFIELD_MVEC(name) _ZGVeN8v_##name
#else
#define NNFIELD_MVEC(name) _ZGVdN4v_##name
#endif
extern "C" {
VecD NNFIELD_MVEC(tanh)(VecD);
VecD NNFIELD_MVEC(exp)(VecD);
VecD NNFIELD_MVEC(erf)(VecD);
VecD NNFIELD_MVEC(log1p)(VecD);
VecD NNFIELD_MVEC(sin)(VecD);
VecD NNFIELD_MVEC(cos)(VecD);
}
#define NNFIELD_DEFINE_MAP(name)                                                   \
  inline void map_##name(const double* in, double* out, std::size_t n) {          \
    std::size_t i = 0;                                                             \
    for (; i + kLanes <= n; i += kLanes) store(out + i, NNFIELD_MVEC(name)(load(in + i))); \
    for (; i < n; ++i) out[i] = std::name(in[i]);                                  \
  }
#else
#define NNFIELD_DEFINE_MAP(name)                                          \
  inline void map_##name(const double* in, double* out, std::size_t n) { \
    for (std::size_t i = 0; i < n; ++i) out[i] = std::name(in[i]);      \
  }
#endif

NNFIELD_DEFINE_MAP(tanh)
NNFIELD_DEFINE_MAP(exp)
NNFIELD_DEFINE_MAP(erf)
NNFIELD_DEFINE_MAP(log1p)
NNFIELD_DEFINE_MAP(sin)
NNFIELD_DEFINE_MAP(cos)
#undef NNFIELD_DEFINE_MAP

// 1 - h^2, rounded once (a fused multiply-add): tanh' from tanh.
template <class V>
inline V one_minus_square(V h) {
  return fma(h * V::broadcast(-1.0), h, V::broadcast(1.0));
}

// d = 1 - h^2 elementwise (the same bits as map_tanh_d1's d from its h).
inline void map_one_minus_square(const double* h, double* d, std::size_t n) {
  std::size_t i = 0;
  for (; i + simd::Vector::lanes <= n; i += simd::Vector::lanes)
    one_minus_square(simd::Vector::load(h + i)).store(d + i);
  for (; i < n; ++i) d[i] = one_minus_square(simd::Scalar{h[i]}).v;
}

// h = tanh(z) and d = 1 - h^2 in one pass: the derivative is taken while h is still in a
// register.
inline void map_tanh_d1(const double* z, double* h, double* d, std::size_t n) {
  std::size_t i = 0;
#ifdef NNFIELD_LIBMVEC
  for (; i + kLanes <= n; i += kLanes) {
    const simd::Vector t{NNFIELD_MVEC(tanh)(load(z + i))};
    t.store(h + i);
    one_minus_square(t).store(d + i);
  }
#endif
  for (; i < n; ++i) {
    h[i] = std::tanh(z[i]);
    d[i] = one_minus_square(simd::Scalar{h[i]}).v;
  }
}

}  // namespace nnfield::detail
