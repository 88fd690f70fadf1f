// Cross-correlators between rows at different depths (the 2D correlator) and with
// the input boundary X: FFT along the periodic width, direct sums over depth pairs
// (depth is not periodic, so it is never transformed).
#include <algorithm>
#include <vector>

#include "correlators/correlators_centering.hpp"
#include "nnfield/correlators/correlators.hpp"
#include "nnfield/numerics/fft.hpp"

namespace nnfield {

namespace {

// acc[q] += conj(a[q]) b[q] for q < nq, on (re, im) pairs: written out because
// std::complex's operator* handles inf/nan through a library call in the inner loop.
inline void add_cross_spectrum(const double* a, const double* b, double* acc, std::size_t nq) {
  for (std::size_t q = 0; q < nq; ++q) {
    const double ar = a[2 * q], ai = a[2 * q + 1], br = b[2 * q], bi = b[2 * q + 1];
    acc[2 * q] += ar * br + ai * bi;
    acc[2 * q + 1] += ar * bi - ai * br;
  }
}

// (1/N) sum_i a_i b_{i+d} = (1/N^2) sum_{q=0}^{N-1} conj(a~(k_q)) b~(k_q) e^{i k_q d}:
// the c2r of the accumulated cross spectra (rows of nq), divided by N^2 S.
void cross_spectra_to_correlators(Complex* acc, std::size_t rows, std::size_t N, std::size_t S, double* C) {
  double* c = detail::scratch<double>(2, rows * N);
  RowFFT(N, rows).inverse(acc, c);
  const double norm = 1.0 / (double(S) * double(N) * double(N));
  for (std::size_t j = 0; j < rows * N; ++j) C[j] = c[j] * norm;
}

}  // namespace

void input_cross_correlator(const double* phi, const double* X, std::size_t S, std::size_t SX, std::size_t M,
                            std::size_t N, MeanSubtraction subtraction, double* C) {
  detail::check_field("input_cross_correlator", phi, S, M, N);
  detail::check_input("input_cross_correlator", X, S, SX);
  const std::size_t nq = N / 2 + 1;
  // The input's spectra, all SX of them (SX = 1 or S rows of N: as small as phi's layer).
  const detail::Centering x_centering(X, SX, 1, N, subtraction);
  Complex* x_spectra = detail::scratch<Complex>(1, SX * nq);
  x_centering.spectra(0, SX, RowFFT(N, SX), detail::scratch<double>(1, SX * N), x_spectra);
  const double* fx = reinterpret_cast<const double*>(x_spectra);

  Complex* acc = detail::scratch<Complex>(2, M * nq);
  std::fill(acc, acc + M * nq, Complex(0.0));
  double* a = reinterpret_cast<double*>(acc);
  const detail::Centering centering(phi, S, M, N, subtraction);
  detail::for_each_spectrum_block(centering, S, M, N, [&](std::size_t s0, std::size_t ns, const Complex* F) {
    const double* f = reinterpret_cast<const double*>(F);
    for (std::size_t s = 0; s < ns; ++s) {
      const double* x = fx + 2 * (SX == 1 ? 0 : s0 + s) * nq;
      for (std::size_t m = 0; m < M; ++m) add_cross_spectrum(x, f + 2 * (s * M + m) * nq, a + 2 * m * nq, nq);
    }
  });
  cross_spectra_to_correlators(acc, M, N, S, C);
}

void correlator_2d(const double* phi, std::size_t S, std::size_t M, std::size_t N, MeanSubtraction subtraction,
                   double* C) {
  detail::check_field("correlator_2d", phi, S, M, N);
  const std::size_t nq = N / 2 + 1;
  // Only pairs m <= m' are summed; C(m', m, d) = C(m, m', -d) fills the rest.
  std::vector<std::size_t> pair_row(M * M);
  std::size_t pairs = 0;
  for (std::size_t m = 0; m < M; ++m)
    for (std::size_t mp = m; mp < M; ++mp) pair_row[m * M + mp] = pairs++;

  Complex* acc = detail::scratch<Complex>(2, pairs * nq);
  std::fill(acc, acc + pairs * nq, Complex(0.0));
  double* a = reinterpret_cast<double*>(acc);
  const detail::Centering centering(phi, S, M, N, subtraction);
  detail::for_each_spectrum_block(centering, S, M, N, [&](std::size_t, std::size_t ns, const Complex* F) {
    const double* f = reinterpret_cast<const double*>(F);
    for (std::size_t s = 0; s < ns; ++s)
      for (std::size_t m = 0; m < M; ++m)
        for (std::size_t mp = m; mp < M; ++mp)
          add_cross_spectrum(f + 2 * (s * M + m) * nq, f + 2 * (s * M + mp) * nq, a + 2 * pair_row[m * M + mp] * nq,
                             nq);
  });
  double* upper = detail::scratch<double>(3, pairs * N);
  cross_spectra_to_correlators(acc, pairs, N, S, upper);
  for (std::size_t m = 0; m < M; ++m)
    for (std::size_t mp = m; mp < M; ++mp) {
      const double* c = upper + pair_row[m * M + mp] * N;
      for (std::size_t d = 0; d < N; ++d) {
        C[(m * M + mp) * N + d] = c[d];
        C[(mp * M + m) * N + (N - d) % N] = c[d];
      }
    }
}

}  // namespace nnfield
