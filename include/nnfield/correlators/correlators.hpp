#pragma once
// Two-point functions of a field on the (depth x width) lattice (docs/theory.md section 5;
// definitions, normalisations and file layout in docs/correlators.md).
//
// The field is given as `phi` of shape (S, M, N), row-major: S samples
// (configurations, output times, seeds: whatever is averaged over), M depth layers,
// N width sites (periodic). <.> below is the mean over the S samples, and
//
//   C_m(d)        = (1/N) sum_i <dphi^(m)_i dphi^(m)_{i+d}>                   d = 0..N-1
//   S_m(k_q)      = <|dphi~^(m)(k_q)|^2> / N,  k_q = 2 pi q / N               q = 0..N/2
//   C(m, m')      = (1/N) sum_i <dphi^(m)_i dphi^(m')_i>
//   C(m, m', d)   = (1/N) sum_i <dphi^(m)_i dphi^(m')_{i+d}>
//   C_X(m, d)     = (1/N) sum_i <dX_i dphi^(m)_{i+d}>                         (input boundary X)
//
// with dphi = phi minus the mean chosen by MeanSubtraction. Width sums use FFTs
// (Wiener-Khinchin: C_m(d) = (1/N) sum_q S_m(k_q) e^{i k_q d}); depth is not
// periodic and is always summed directly. Sign convention: f~(k) = sum_y f(y) e^{-iky}.
//
// Every function takes plain row-major arrays with explicit shapes and writes into
// caller buffers (or returns std::vector), so NumPy can call them directly.
#include <cstddef>
#include <string>
#include <vector>

namespace nnfield {

// Which mean is subtracted before correlating ("full" vs "connected" correlators).
enum class MeanSubtraction {
  none,           // full: dphi = phi
  configuration,  // connected: dphi^(m)_i[s] = phi^(m)_i[s] - (1/N) sum_j phi^(m)_j[s],
                  //   the width mean of each configuration s and layer m (so S_m(0) = 0)
  ensemble,       // dphi^(m)_i[s] = phi^(m)_i[s] - (1/S) sum_s' phi^(m)_i[s'],
                  //   the site-resolved mean over the sample axis (needs S >= 2 to be useful)
};
// "none", "configuration", "ensemble": the value of the `mean_subtracted` attributes.
const char* mean_subtraction_name(MeanSubtraction subtraction);
// One line for file attributes and docs: which mean was subtracted, in words.
std::string mean_subtraction_description(MeanSubtraction subtraction);
// Inverse of mean_subtraction_name; throws std::invalid_argument naming the choices.
MeanSubtraction parse_mean_subtraction(const std::string& name);

// ---- width: two-point function and structure factor per depth layer -------------

// C (M, N): C[m*N + d] = C_m(d); Sk (M, N/2+1): Sk[m*(N/2+1) + q] = S_m(k_q).
// Either output may be null. One r2c per (sample, layer) row; one c2r per layer.
void width_correlators(const double* phi, std::size_t S, std::size_t M, std::size_t N,
                       MeanSubtraction subtraction, double* C, double* Sk);

// The same per sample, without the average: C (S, M, N) and Sk (S, M, N/2+1) equal
// width_correlators of each sample alone (S = 1), except that MeanSubtraction::ensemble
// still subtracts the mean over all S samples. One r2c and one c2r per row, batched:
// what a time series of configurations (`nnfield correlate`) needs.
void width_correlators_each(const double* phi, std::size_t S, std::size_t M, std::size_t N,
                            MeanSubtraction subtraction, double* C, double* Sk);

struct WidthCorrelators {
  std::size_t M = 0, N = 0;
  std::vector<double> C;   // (M, N), axes "M,D"
  std::vector<double> Sk;  // (M, N/2+1), axes "M,Q"
};
WidthCorrelators width_correlators(const double* phi, std::size_t S, std::size_t M, std::size_t N,
                                   MeanSubtraction subtraction);

// ---- second-moment correlation length along width -------------------------------

// xi_y = sqrt(S(0)/S(k_min) - 1) / (2 sin(pi/N)), k_min = 2 pi/N, in lattice units,
// from a half spectrum Sk[0..N/2] (only Sk[0] and Sk[1] are read; N >= 2). Exact for
// S(k) = 1/(m^2 + 4 sin^2(k/2)): xi_y = 1/m. NaN when S(k_min) <= 0 or S(0) < S(k_min)
// (no positive second-moment length), and NaN for a connected S, whose S(0) = 0.
// Pass the full S (or the ensemble-subtracted S): a nonzero width mean adds N mean^2
// to S(0) and lengthens xi_y.
double second_moment_xi(const double* Sk, std::size_t N);
// Per layer: Sk (M, N/2+1) -> xi (M).
void second_moment_xi(const double* Sk, std::size_t M, std::size_t N, double* xi);

// ---- depth ----------------------------------------------------------------------

// C (M, M): C[m*M + m'] = C(m, m'), symmetric. Direct sums (depth is not periodic).
void depth_correlator(const double* phi, std::size_t S, std::size_t M, std::size_t N,
                      MeanSubtraction subtraction, double* C);

// Cross-correlator with the input boundary X, shape (SX, N) with SX = S (one input
// per sample) or SX = 1 (the same input for every sample). X gets the same kind of
// mean subtraction as phi. C (M, N): C[m*N + d] = C_X(m, d); C_X(m, 0) is the depth
// cross-correlator (1/N) sum_i <dX_i dphi^(m)_i>.
void input_cross_correlator(const double* phi, const double* X, std::size_t S, std::size_t SX, std::size_t M,
                            std::size_t N, MeanSubtraction subtraction, double* C);

// 2D: C (M, M, N): C[(m*M + m')*N + d] = C(m, m', d), FFT along width, direct sums
// along depth. C(m', m, d) = C(m, m', -d mod N); C(m, m, d) = C_m(d); C(m, m', 0) = C(m, m').
void correlator_2d(const double* phi, std::size_t S, std::size_t M, std::size_t N, MeanSubtraction subtraction,
                   double* C);

// ---- along training time --------------------------------------------------------

// P series of length T stored time-outermost, a (T, P) (a[t*P + p], time first as in docs/theory.md section 1).
// gamma (T, P): the non-periodic autocovariance estimator at lag tau = 0..T-1,
//   Gamma_p(tau) = 1/(T - tau) sum_{t=0}^{T-1-tau} da_p(t) da_p(t+tau),   da_p = a_p - (1/T) sum_t a_p(t),
// by FFT zero-padded to length >= 2T - 1 (so no lag wraps around). The normalised
// autocorrelation is rho_p(tau) = Gamma_p(tau) / Gamma_p(0).
void time_autocovariance(const double* a, std::size_t T, std::size_t P, double* gamma);

// Sokal's automatic window: tau_int(W) = 1/2 + sum_{t=1}^{W} rho(t), W the smallest
// lag with W >= c tau_int(W). c = 6 suits roughly exponential decay (Madras & Sokal
// 1988 recommend c between 4 and 10; smaller c: less noise, more bias).
constexpr double kSokalWindowConstant = 6.0;

struct IntegratedTime {
  double tau_int = 0.0;    // in units of the series' rows; NaN for a constant series
  double error = 0.0;      // Madras-Sokal: tau_int * sqrt(2 (2W + 1) / T)
  std::size_t window = 0;  // W
  bool converged = false;  // false: no W < T met W >= c tau_int(W) (series too short)
};

// From one autocovariance column: gamma[tau * stride], tau = 0..T-1 (stride = P for
// a column of time_autocovariance's output).
IntegratedTime integrated_autocorrelation_time(const double* gamma, std::size_t T, std::size_t stride = 1,
                                               double c = kSokalWindowConstant);
// Every column of gamma (T, P).
std::vector<IntegratedTime> integrated_autocorrelation_times(const double* gamma, std::size_t T, std::size_t P,
                                                             double c = kSokalWindowConstant);

}  // namespace nnfield
