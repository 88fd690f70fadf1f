// The two ceilings of a training step on one core: fused multiply-adds in the registers the
// network's kernels use (numerics/simd.hpp), and the activation tanh with its derivative as
// the forward pass calls it (sigma_and_d1, libmvec). Best of --repeat runs of each.
// Usage: bench_roofline [--repeat 5]
// Prints "peak_gflops <rate>" and "tanh_ns <ns per element>" (scripts/bench_vs_torch.py
// reads them to say what fraction of these a step reaches).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "nnfield/core/activation.hpp"
#include "numerics/simd.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// 16 independent chains: enough to fill both FMA pipes whatever their latency.
double fma_gflops() {
  using V = nnfield::simd::Vector;
  constexpr int kChains = 16;
  const long iterations = 20'000'000;
  V acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = V::broadcast(1e-3 * c);
  const V a = V::broadcast(0.999999), b = V::broadcast(1e-9);
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < iterations; ++i)
    for (int c = 0; c < kChains; ++c) acc[c] = fma(acc[c], a, b);
  const double s = seconds_since(t0);
  double total = 0.0;  // every chain feeds the result, so none is optimised away
  for (int c = 0; c < kChains; ++c) {
    double lanes[V::lanes];
    acc[c].store(lanes);
    for (double x : lanes) total += x;
  }
  if (total == 42.0) std::printf("-");
  return 2.0 * double(V::lanes) * kChains * double(iterations) / s * 1e-9;
}

double tanh_ns() {
  const std::size_t n = 4096;
  const int calls = 20000;
  std::vector<double> z(n), h(n), dh(n);
  for (std::size_t i = 0; i < n; ++i) z[i] = -3.0 + 6.0 * double(i) / double(n);
  const auto t0 = std::chrono::steady_clock::now();
  for (int c = 0; c < calls; ++c) nnfield::sigma_and_d1(nnfield::Activation::tanh, z.data(), h.data(), dh.data(), n);
  return seconds_since(t0) / (double(calls) * double(n)) * 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--repeat") == 0) {
      repeat = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "bench_roofline: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  double peak = 0.0, tanh = 1e300;
  for (int r = 0; r < repeat; ++r) {
    peak = std::max(peak, fma_gflops());
    tanh = std::min(tanh, tanh_ns());
  }
  std::printf("lanes %zu\n", nnfield::simd::Vector::lanes);
  std::printf("peak_gflops %.6g\n", peak);
  std::printf("tanh_ns %.6g\n", tanh);
  return 0;
}
