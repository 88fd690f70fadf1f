// Width two-point functions, structure factors and the second-moment correlation
// length per depth layer (docs/theory.md section 5), by FFT along the periodic width.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "correlators/correlators_centering.hpp"
#include "nnfield/correlators/correlators.hpp"
#include "nnfield/numerics/fft.hpp"

namespace nnfield {

const char* mean_subtraction_name(MeanSubtraction subtraction) {
  switch (subtraction) {
    case MeanSubtraction::none: return "none";
    case MeanSubtraction::configuration: return "configuration";
    case MeanSubtraction::ensemble: return "ensemble";
  }
  return "none";
}

std::string mean_subtraction_description(MeanSubtraction subtraction) {
  switch (subtraction) {
    case MeanSubtraction::none: return "full: no mean subtracted";
    case MeanSubtraction::configuration:
      return "connected: the width mean (1/N) sum_i phi^(m)_i of each configuration and layer is subtracted";
    case MeanSubtraction::ensemble:
      return "the mean over the sample axis at each site (m, i) is subtracted";
  }
  return "";
}

MeanSubtraction parse_mean_subtraction(const std::string& name) {
  for (MeanSubtraction s : {MeanSubtraction::none, MeanSubtraction::configuration, MeanSubtraction::ensemble})
    if (name == mean_subtraction_name(s)) return s;
  throw std::invalid_argument("unknown mean subtraction '" + name + "'; expected none, configuration or ensemble");
}

void width_correlators(const double* phi, std::size_t S, std::size_t M, std::size_t N,
                       MeanSubtraction subtraction, double* C, double* Sk) {
  detail::check_field("width_correlators", phi, S, M, N);
  // One configuration: nothing to average, and the batched path skips the accumulator.
  if (S == 1) return width_correlators_each(phi, S, M, N, subtraction, C, Sk);
  const std::size_t nq = N / 2 + 1;
  // power[m, q] = sum_s |dphi~^(m)_s(k_q)|^2
  double* power = detail::scratch<double>(1, M * nq);
  std::fill(power, power + M * nq, 0.0);
  detail::Centering centering(phi, S, M, N, subtraction);
  detail::for_each_spectrum_block(centering, S, M, N, [&](std::size_t, std::size_t ns, const Complex* F) {
    const double* f = reinterpret_cast<const double*>(F);  // (re, im) pairs
    for (std::size_t s = 0; s < ns; ++s)
      for (std::size_t m = 0; m < M; ++m) {
        const double* row = f + 2 * (s * M + m) * nq;
        double* p = power + m * nq;
        for (std::size_t q = 0; q < nq; ++q) p[q] += row[2 * q] * row[2 * q] + row[2 * q + 1] * row[2 * q + 1];
      }
  });

  // S_m(k) = <|dphi~(k)|^2> / N
  if (Sk)
    for (std::size_t j = 0; j < M * nq; ++j) Sk[j] = power[j] / double(S * N);
  if (!C) return;
  // Wiener-Khinchin: (1/N) sum_i dphi_i dphi_{i+d} = (1/N^2) sum_{q=0}^{N-1} |dphi~(k_q)|^2 e^{i k_q d},
  // the unnormalised c2r of the power spectrum divided by N^2 (and by S for the mean).
  const double norm = 1.0 / (double(S) * double(N) * double(N));
  Complex* spectrum = detail::scratch<Complex>(1, M * nq);
  for (std::size_t j = 0; j < M * nq; ++j) spectrum[j] = power[j] * norm;
  RowFFT(N, M).inverse(spectrum, C);
}

void width_correlators_each(const double* phi, std::size_t S, std::size_t M, std::size_t N,
                            MeanSubtraction subtraction, double* C, double* Sk) {
  detail::check_field("width_correlators_each", phi, S, M, N);
  const std::size_t nq = N / 2 + 1, R = S * M;
  constexpr std::size_t kBlockDoubles = std::size_t(1) << 15;
  const std::size_t per_block = std::max<std::size_t>(1, std::min(R, kBlockDoubles / N));
  double* rows = detail::scratch<double>(0, per_block * N);
  Complex* spectra = detail::scratch<Complex>(0, per_block * nq);
  const detail::Centering centering(phi, S, M, N, subtraction);
  const RowFFT full(N, per_block);
  const double s_norm = 1.0 / double(N), c_norm = 1.0 / (double(N) * double(N));
  for (std::size_t r0 = 0; r0 < R; r0 += per_block) {
    const std::size_t nr = std::min(per_block, R - r0);
    const RowFFT partial_block = nr == per_block ? full : RowFFT(N, nr);
    centering.spectra(r0, nr, partial_block, rows, spectra);
    // S = |dphi~(k)|^2 / N; C = c2r(|dphi~(k)|^2) / N^2 (Wiener-Khinchin), with the
    // 1/N^2 applied to the half spectrum before the c2r, which then writes C directly.
    double* f = reinterpret_cast<double*>(spectra);
    double* sk = Sk ? Sk + r0 * nq : nullptr;
    for (std::size_t j = 0; j < nr * nq; ++j) {
      const double power = f[2 * j] * f[2 * j] + f[2 * j + 1] * f[2 * j + 1];
      if (sk) sk[j] = power * s_norm;
      f[2 * j] = power * c_norm;
      f[2 * j + 1] = 0.0;
    }
    if (C) partial_block.inverse(spectra, C + r0 * N);
  }
}

WidthCorrelators width_correlators(const double* phi, std::size_t S, std::size_t M, std::size_t N,
                                   MeanSubtraction subtraction) {
  WidthCorrelators w;
  w.M = M;
  w.N = N;
  w.C.resize(M * N);
  w.Sk.resize(M * (N / 2 + 1));
  width_correlators(phi, S, M, N, subtraction, w.C.data(), w.Sk.data());
  return w;
}

double second_moment_xi(const double* Sk, std::size_t N) {
  if (N < 2) throw std::invalid_argument("second_moment_xi: width N = " + std::to_string(N) + " < 2 has no k_min");
  const double s0 = Sk[0], s1 = Sk[1];
  // xi^2 = (S(0)/S(k_min) - 1) / (4 sin^2(k_min/2)): for S = 1/(m^2 + 4 sin^2(k/2)),
  // S(0)/S(k_min) - 1 = 4 sin^2(pi/N) / m^2, so xi = 1/m exactly.
  if (!(s1 > 0.0) || !(s0 >= s1)) return std::numeric_limits<double>::quiet_NaN();
  return std::sqrt(s0 / s1 - 1.0) / (2.0 * std::sin(3.14159265358979323846 / double(N)));
}

void second_moment_xi(const double* Sk, std::size_t M, std::size_t N, double* xi) {
  const std::size_t nq = N / 2 + 1;
  for (std::size_t m = 0; m < M; ++m) xi[m] = second_moment_xi(Sk + m * nq, N);
}

}  // namespace nnfield
