#pragma once
// dphi = phi minus the mean MeanSubtraction names (correlators.hpp), one row at a
// time, shared by the FFT correlators and their direct reference sums.
#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "nnfield/correlators/correlators.hpp"
#include "nnfield/numerics/fft.hpp"

namespace nnfield::detail {

class Centering {
 public:
  // phi (S, M, N). For `ensemble` the site means over the S samples are computed here.
  Centering(const double* phi, std::size_t S, std::size_t M, std::size_t N, MeanSubtraction subtraction)
      : m_phi(phi), m_M(M), m_N(N), m_subtraction(subtraction) {
    if (subtraction != MeanSubtraction::ensemble) return;
    m_site_mean.assign(M * N, 0.0);
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t j = 0; j < M * N; ++j) m_site_mean[j] += phi[s * M * N + j];
    for (double& x : m_site_mean) x /= double(S);
  }

  // Spectra dphi~(k_q) of the rows r0..r0+nr-1 of phi read as (S*M, N) rows (row
  // s*M + m), by `fft` (nr rows of N) into out (nr, N/2+1). Subtracting a row's own
  // width mean only zeroes its k = 0 mode, so "none" and "configuration" transform
  // phi in place of a centred copy; "ensemble" centres into rows_scratch (nr, N) first.
  void spectra(std::size_t r0, std::size_t nr, const RowFFT& fft, double* rows_scratch, Complex* out) const {
    if (m_subtraction == MeanSubtraction::ensemble) {
      for (std::size_t j = 0; j < nr; ++j) row((r0 + j) / m_M, (r0 + j) % m_M, rows_scratch + j * m_N);
      fft.forward(rows_scratch, out);
      return;
    }
    fft.forward(m_phi + r0 * m_N, out);
    if (m_subtraction == MeanSubtraction::configuration)
      for (std::size_t j = 0; j < nr; ++j) out[j * (m_N / 2 + 1)] = 0.0;
  }

  // out[0..N) = dphi^(m)[s].
  void row(std::size_t s, std::size_t m, double* out) const {
    const double* in = m_phi + (s * m_M + m) * m_N;
    switch (m_subtraction) {
      case MeanSubtraction::none:
        for (std::size_t i = 0; i < m_N; ++i) out[i] = in[i];
        break;
      case MeanSubtraction::configuration: {
        double mean = 0.0;
        for (std::size_t i = 0; i < m_N; ++i) mean += in[i];
        mean /= double(m_N);
        for (std::size_t i = 0; i < m_N; ++i) out[i] = in[i] - mean;
        break;
      }
      case MeanSubtraction::ensemble: {
        const double* mu = m_site_mean.data() + m * m_N;
        for (std::size_t i = 0; i < m_N; ++i) out[i] = in[i] - mu[i];
        break;
      }
    }
  }

 private:
  const double* m_phi;
  std::size_t m_M, m_N;
  MeanSubtraction m_subtraction;
  std::vector<double> m_site_mean;  // (M, N), ensemble only
};

// Scratch arrays reused across calls, per thread: `slot` tells apart the arrays one
// function needs at once. Large fresh allocations are mmap'd by glibc and cost page
// faults on every call, which for one configuration costs more than its transforms.
// Contents are unspecified: callers fill what they read.
template <class T>
T* scratch(int slot, std::size_t n) {
  thread_local FftBuffer<T> buffers[4];
  FftBuffer<T>& b = buffers[slot];
  if (b.size() < n) b = FftBuffer<T>(n);
  return b.data();
}

// Width spectra dphi~^(m)(k_q) of the samples (in scratch slots 0), a block of whole
// samples at a time (small enough to stay in cache until visited):
// visit(s0, ns, spectra) with spectra (ns, M, N/2+1) for samples s0..s0+ns-1.
template <class Visit>
void for_each_spectrum_block(const Centering& centering, std::size_t S, std::size_t M, std::size_t N,
                             Visit&& visit) {
  constexpr std::size_t kBlockDoubles = std::size_t(1) << 15;  // 256 KiB of field per block
  const std::size_t nq = N / 2 + 1;
  const std::size_t per_block = std::max<std::size_t>(1, std::min(S, kBlockDoubles / (M * N)));
  double* rows = scratch<double>(0, per_block * M * N);
  Complex* spectra = scratch<Complex>(0, per_block * M * nq);
  const RowFFT full(N, per_block * M);
  for (std::size_t s0 = 0; s0 < S; s0 += per_block) {
    const std::size_t ns = std::min(per_block, S - s0);
    centering.spectra(s0 * M, ns * M, ns == per_block ? full : RowFFT(N, ns * M), rows, spectra);
    visit(s0, ns, static_cast<const Complex*>(spectra));
  }
}

// Shapes every correlator needs: a null array or an empty axis is a caller bug
// that would otherwise divide by zero or read out of bounds.
inline void check_field(const char* function, const double* phi, std::size_t S, std::size_t M, std::size_t N) {
  if (!phi || S == 0 || M == 0 || N == 0)
    throw std::invalid_argument(std::string(function) + ": field of shape (S, M, N) = (" + std::to_string(S) + ", " +
                                std::to_string(M) + ", " + std::to_string(N) + ")" +
                                (phi ? "" : " is null") + "; every axis must be non-empty");
}

inline void check_input(const char* function, const double* X, std::size_t S, std::size_t SX) {
  if (!X || !(SX == S || SX == 1))
    throw std::invalid_argument(std::string(function) + ": input X has " + std::to_string(SX) +
                                " samples; expected 1 or S = " + std::to_string(S));
}

}  // namespace nnfield::detail
