// Width correlators of a (T, M, N) run against the bare FFTW transforms of the same
// data, in the same binary (issue 4 target: at most 1.5x).
// Usage: bench_correlators [--T 2000] [--M 16] [--N 256] [--rounds 20]
//
// Baseline: an r2c and a c2r of all T*M rows on FFTW-aligned buffers with plans made
// beforehand, the faster of one plan over all rows and cache-sized blocks of rows
// (RowFFT is a thin cached-plan wrapper of fftw_execute_dft_r2c/c2r; only src/numerics/fft.cpp
// includes FFTW, STYLE). Measured, C_m(d) and S_m(k) of every layer and row:
//   each     width_correlators_each over all rows (what `nnfield correlate` needs);
//   per row  width_correlators one row (S = 1) at a time (what the observer does);
//   averaged width_correlators with S = T (one c2r per layer only).
// The candidates run interleaved, round after round, and each keeps its best time, so
// load from other processes affects them alike.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "nnfield/correlators/correlators.hpp"
#include "nnfield/numerics/fft.hpp"
#include "nnfield/numerics/rng.hpp"

int main(int argc, char** argv) {
  using namespace nnfield;
  std::size_t T = 2000, M = 16, N = 256;
  int rounds = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const long v = std::atol(argv[i + 1]);
    if (key == "--T") T = std::size_t(v);
    else if (key == "--M") M = std::size_t(v);
    else if (key == "--N") N = std::size_t(v);
    else if (key == "--rounds") rounds = int(v);
    else {
      std::fprintf(stderr, "bench_correlators: unknown option %s\n", key.c_str());
      return 2;
    }
  }
  const std::size_t rows = T * M, nq = N / 2 + 1;
  Rng rng(1);
  std::vector<double> phi(rows * N);
  for (double& x : phi) x = 0.3 + rng.normal();
  FftBuffer<double> in(rows * N), out(rows * N);
  std::copy(phi.begin(), phi.end(), in.begin());
  FftBuffer<Complex> spectra(rows * nq);
  const RowFFT all(N, rows);
  const std::size_t block = std::max<std::size_t>(1, std::min(rows, (std::size_t(1) << 15) / N));
  const RowFFT blocked(N, block), per_call(N, M);
  FftBuffer<Complex> block_spectra(block * nq);  // stays in cache
  std::vector<double> C(rows * N), Sk(rows * nq);

  struct Candidate {
    std::string name;
    std::function<void()> run;
    double best = 1e300;
  };
  std::vector<Candidate> candidates = {
      {"bare r2c + c2r, one plan over all rows",
       [&] {
         all.forward(in.data(), spectra.data());
         all.inverse(spectra.data(), out.data());
       }},
      {"bare r2c + c2r, blocks of " + std::to_string(block) + " rows",
       [&] {
         for (std::size_t r0 = 0; r0 + block <= rows; r0 += block) {
           blocked.forward(in.data() + r0 * N, block_spectra.data());
           blocked.inverse(block_spectra.data(), out.data() + r0 * N);
         }
       }},
      {"bare r2c + c2r, M rows per call",
       [&] {
         for (std::size_t t = 0; t < T; ++t) {
           per_call.forward(in.data() + t * M * N, block_spectra.data());
           per_call.inverse(block_spectra.data(), out.data() + t * M * N);
         }
       }},
      {"each, full", [&] { width_correlators_each(phi.data(), T, M, N, MeanSubtraction::none, C.data(), Sk.data()); }},
      {"each, C only",
       [&] { width_correlators_each(phi.data(), T, M, N, MeanSubtraction::none, C.data(), nullptr); }},
      {"each, connected",
       [&] { width_correlators_each(phi.data(), T, M, N, MeanSubtraction::configuration, C.data(), Sk.data()); }},
      {"per row (S = 1), full",
       [&] {
         for (std::size_t t = 0; t < T; ++t)
           width_correlators(phi.data() + t * M * N, 1, M, N, MeanSubtraction::none, C.data() + t * M * N,
                             Sk.data() + t * M * nq);
       }},
      {"per row (S = 1), connected",
       [&] {
         for (std::size_t t = 0; t < T; ++t)
           width_correlators(phi.data() + t * M * N, 1, M, N, MeanSubtraction::configuration, C.data() + t * M * N,
                             Sk.data() + t * M * nq);
       }},
      {"averaged over T (S = T)",
       [&] { width_correlators(phi.data(), T, M, N, MeanSubtraction::none, C.data(), Sk.data()); }},
  };
  for (int round = 0; round < rounds; ++round)
    for (Candidate& c : candidates) {
      const auto t0 = std::chrono::steady_clock::now();
      c.run();
      c.best = std::min(c.best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }

  const double bare = std::min(candidates[0].best, candidates[1].best);
  std::printf("T = %zu, M = %zu, N = %zu (%zu rows), best of %d interleaved rounds\n", T, M, N, rows, rounds);
  std::printf("baseline (faster of the first two): %.3f ms\n", 1e3 * bare);
  for (const Candidate& c : candidates)
    std::printf("  %-40s %9.3f ms   ratio %.2f\n", c.name.c_str(), 1e3 * c.best, c.best / bare);
  return 0;
}
