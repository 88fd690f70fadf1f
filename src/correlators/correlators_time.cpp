// Correlations along training time: the autocovariance of a series by zero-padded
// FFT (time is not periodic) and the integrated autocorrelation time with Sokal's
// automatic window (docs/theory.md section 5).
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "nnfield/correlators/correlators.hpp"
#include "nnfield/numerics/fft.hpp"

namespace nnfield {

void time_autocovariance(const double* a, std::size_t T, std::size_t P, double* gamma) {
  if (!a || T == 0 || P == 0)
    throw std::invalid_argument("time_autocovariance: series of shape (T, P) = (" + std::to_string(T) + ", " +
                                std::to_string(P) + ") must be non-empty");
  // Padding to L >= 2T - 1 makes the circular correlation of the padded rows equal
  // the open sum: for lags tau <= T - 1 the index t + tau never wraps onto data.
  const std::size_t L = fft_friendly_length(2 * T - 1), nq = L / 2 + 1;
  constexpr std::size_t kBlockDoubles = std::size_t(1) << 16;
  const std::size_t per_block = std::max<std::size_t>(1, std::min(P, kBlockDoubles / L));
  FftBuffer<double> rows_buffer(per_block * L);
  FftBuffer<Complex> spectra_buffer(per_block * nq);
  double* rows = rows_buffer.data();
  Complex* spectra = spectra_buffer.data();
  for (std::size_t p0 = 0; p0 < P; p0 += per_block) {
    const std::size_t np = std::min(per_block, P - p0);
    for (std::size_t j = 0; j < np; ++j) {
      double* row = rows + j * L;
      double mean = 0.0;
      for (std::size_t t = 0; t < T; ++t) mean += a[t * P + p0 + j];
      mean /= double(T);
      for (std::size_t t = 0; t < T; ++t) row[t] = a[t * P + p0 + j] - mean;
      std::fill(row + T, row + L, 0.0);
    }
    const RowFFT fft(L, np);
    fft.forward(rows, spectra);
    for (std::size_t j = 0; j < np * nq; ++j) spectra[j] = std::norm(spectra[j]);
    fft.inverse(spectra, rows);
    // c2r is unnormalised: sum_{t} da(t) da(t+tau) = row[tau] / L.
    for (std::size_t j = 0; j < np; ++j)
      for (std::size_t tau = 0; tau < T; ++tau)
        gamma[tau * P + p0 + j] = rows[j * L + tau] / (double(L) * double(T - tau));
  }
}

IntegratedTime integrated_autocorrelation_time(const double* gamma, std::size_t T, std::size_t stride, double c) {
  IntegratedTime r;
  const double g0 = T > 0 ? gamma[0] : 0.0;
  if (!(g0 > 0.0) || !std::isfinite(g0)) {  // no fluctuations (or none finite): undefined
    r.tau_int = std::numeric_limits<double>::quiet_NaN();
    r.error = r.tau_int;
    return r;
  }
  // tau_int(W) = 1/2 + sum_{t=1}^{W} rho(t); stop at the first W >= c tau_int(W)
  // (Madras & Sokal, J. Stat. Phys. 50, 109 (1988); Sokal, "Monte Carlo methods in
  // statistical mechanics", Cargese lectures 1996, section 3).
  double tau = 0.5;
  std::size_t W = 0;
  for (W = 1; W < T; ++W) {
    tau += gamma[W * stride] / g0;
    if (double(W) >= c * tau) {
      r.converged = true;
      break;
    }
  }
  if (!r.converged) W = T - 1;
  r.tau_int = tau;
  r.window = W;
  // Same references: var(tau_int) ~ 2 (2W + 1) / T tau_int^2 for T >> W >> tau_int.
  r.error = tau * std::sqrt(2.0 * (2.0 * double(W) + 1.0) / double(T));
  return r;
}

std::vector<IntegratedTime> integrated_autocorrelation_times(const double* gamma, std::size_t T, std::size_t P,
                                                             double c) {
  std::vector<IntegratedTime> out(P);
  for (std::size_t p = 0; p < P; ++p) out[p] = integrated_autocorrelation_time(gamma + p, T, P, c);
  return out;
}

}  // namespace nnfield
