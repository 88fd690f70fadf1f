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

namespace {

using namespace nnfield;

struct Options {
  std::size_t T = 2000, M = 16, N = 256;
  int rounds = 20;
};

// False (after saying why) on an unknown option.
bool parse_options(int argc, char** argv, Options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const long v = std::atol(argv[i + 1]);
    if (key == "--T") o.T = std::size_t(v);
    else if (key == "--M") o.M = std::size_t(v);
    else if (key == "--N") o.N = std::size_t(v);
    else if (key == "--rounds") o.rounds = int(v);
    else {
      std::fprintf(stderr, "bench_correlators: unknown option %s\n", key.c_str());
      return false;
    }
  }
  return true;
}

// The data, buffers and plans every candidate works on: T * M rows of width N.
struct Workload {
  explicit Workload(const Options& o)
      : T(o.T), M(o.M), N(o.N), rows(T * M), nq(N / 2 + 1),
        block(std::max<std::size_t>(1, std::min(rows, (std::size_t(1) << 15) / N))),
        phi(rows * N), in(rows * N), out(rows * N), spectra(rows * nq), block_spectra(block * nq),
        all(N, rows), blocked(N, block), per_call(N, M), C(rows * N), Sk(rows * nq) {
    Rng rng(1);
    for (double& x : phi) x = 0.3 + rng.normal();
    std::copy(phi.begin(), phi.end(), in.begin());
  }
  const std::size_t T, M, N, rows, nq;
  const std::size_t block;  // rows per blocked transform: stays in cache
  std::vector<double> phi;
  FftBuffer<double> in, out;
  FftBuffer<Complex> spectra, block_spectra;
  const RowFFT all, blocked, per_call;
  std::vector<double> C, Sk;
};

struct Candidate {
  std::string name;
  std::function<void()> run;
  double best = 1e300;
};

// The baseline: bare r2c + c2r of every row, three ways of batching the rows.
std::vector<Candidate> bare_transform_candidates(Workload& w) {
  return {
      {"bare r2c + c2r, one plan over all rows",
       [&w] {
         w.all.forward(w.in.data(), w.spectra.data());
         w.all.inverse(w.spectra.data(), w.out.data());
       }},
      {"bare r2c + c2r, blocks of " + std::to_string(w.block) + " rows",
       [&w] {
         for (std::size_t r0 = 0; r0 + w.block <= w.rows; r0 += w.block) {
           w.blocked.forward(w.in.data() + r0 * w.N, w.block_spectra.data());
           w.blocked.inverse(w.block_spectra.data(), w.out.data() + r0 * w.N);
         }
       }},
      {"bare r2c + c2r, M rows per call",
       [&w] {
         for (std::size_t t = 0; t < w.T; ++t) {
           w.per_call.forward(w.in.data() + t * w.M * w.N, w.block_spectra.data());
           w.per_call.inverse(w.block_spectra.data(), w.out.data() + t * w.M * w.N);
         }
       }},
  };
}

// C_m(d) and S_m(k) of every layer and row: each, per row, averaged.
std::vector<Candidate> correlator_candidates(Workload& w) {
  const std::size_t T = w.T, M = w.M, N = w.N, nq = w.nq;
  const double* phi = w.phi.data();
  double *C = w.C.data(), *Sk = w.Sk.data();
  return {
      {"each, full", [=] { width_correlators_each(phi, T, M, N, MeanSubtraction::none, C, Sk); }},
      {"each, C only", [=] { width_correlators_each(phi, T, M, N, MeanSubtraction::none, C, nullptr); }},
      {"each, connected", [=] { width_correlators_each(phi, T, M, N, MeanSubtraction::configuration, C, Sk); }},
      {"per row (S = 1), full",
       [=] {
         for (std::size_t t = 0; t < T; ++t)
           width_correlators(phi + t * M * N, 1, M, N, MeanSubtraction::none, C + t * M * N, Sk + t * M * nq);
       }},
      {"per row (S = 1), connected",
       [=] {
         for (std::size_t t = 0; t < T; ++t)
           width_correlators(phi + t * M * N, 1, M, N, MeanSubtraction::configuration, C + t * M * N,
                             Sk + t * M * nq);
       }},
      {"averaged over T (S = T)", [=] { width_correlators(phi, T, M, N, MeanSubtraction::none, C, Sk); }},
  };
}

// Round after round through all candidates, each keeping its best time.
void run_interleaved(std::vector<Candidate>& candidates, int rounds) {
  for (int round = 0; round < rounds; ++round)
    for (Candidate& c : candidates) {
      const auto t0 = std::chrono::steady_clock::now();
      c.run();
      c.best = std::min(c.best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
}

// Times relative to the faster of the first two (bare) candidates.
void report(const std::vector<Candidate>& candidates, const Workload& w, int rounds) {
  const double bare = std::min(candidates[0].best, candidates[1].best);
  std::printf("T = %zu, M = %zu, N = %zu (%zu rows), best of %d interleaved rounds\n", w.T, w.M, w.N, w.rows, rounds);
  std::printf("baseline (faster of the first two): %.3f ms\n", 1e3 * bare);
  for (const Candidate& c : candidates)
    std::printf("  %-40s %9.3f ms   ratio %.2f\n", c.name.c_str(), 1e3 * c.best, c.best / bare);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_options(argc, argv, o)) return 2;
  Workload w(o);
  std::vector<Candidate> candidates = bare_transform_candidates(w);
  for (Candidate& c : correlator_candidates(w)) candidates.push_back(std::move(c));
  run_interleaved(candidates, o.rounds);
  report(candidates, w, o.rounds);
  return 0;
}
