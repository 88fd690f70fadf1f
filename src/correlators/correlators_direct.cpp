// The correlator definitions of docs/theory.md section 5 summed term by term, O(N^2) along
// width and O(T^2) along time: the reference the FFT versions are tested against.
// Deliberately naive; nothing here is used outside tests and checks.
#include "nnfield/correlators/correlators_direct.hpp"

#include <cmath>
#include <vector>

#include "correlators/correlators_centering.hpp"

namespace nnfield::direct {

namespace {

// (1/N) sum_i a_i b_{(i+d) mod N}
double lagged_product(const double* a, const double* b, std::size_t N, std::size_t d) {
  double sum = 0.0;
  for (std::size_t i = 0; i < N; ++i) sum += a[i] * b[(i + d) % N];
  return sum / double(N);
}

}  // namespace

void width_correlators(const double* phi, std::size_t S, std::size_t M, std::size_t N,
                       MeanSubtraction subtraction, double* C, double* Sk) {
  detail::check_field("direct::width_correlators", phi, S, M, N);
  const std::size_t nq = N / 2 + 1;
  const detail::Centering centering(phi, S, M, N, subtraction);
  std::vector<double> row(N);
  if (C) std::fill(C, C + M * N, 0.0);
  if (Sk) std::fill(Sk, Sk + M * nq, 0.0);
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t m = 0; m < M; ++m) {
      centering.row(s, m, row.data());
      if (C)
        for (std::size_t d = 0; d < N; ++d) C[m * N + d] += lagged_product(row.data(), row.data(), N, d) / double(S);
      if (Sk)
        for (std::size_t q = 0; q < nq; ++q) {
          // f~(k_q) = sum_y f(y) e^{-i k_q y}; the phase (q y mod N) keeps the angle exact.
          double re = 0.0, im = 0.0;
          for (std::size_t y = 0; y < N; ++y) {
            const double angle = 2.0 * 3.14159265358979323846 * double((q * y) % N) / double(N);
            re += row[y] * std::cos(angle);
            im -= row[y] * std::sin(angle);
          }
          Sk[m * nq + q] += (re * re + im * im) / (double(N) * double(S));
        }
    }
}

void input_cross_correlator(const double* phi, const double* X, std::size_t S, std::size_t SX, std::size_t M,
                            std::size_t N, MeanSubtraction subtraction, double* C) {
  detail::check_field("direct::input_cross_correlator", phi, S, M, N);
  detail::check_input("direct::input_cross_correlator", X, S, SX);
  const detail::Centering centering(phi, S, M, N, subtraction), x_centering(X, SX, 1, N, subtraction);
  std::vector<double> row(N), x(N);
  std::fill(C, C + M * N, 0.0);
  for (std::size_t s = 0; s < S; ++s) {
    x_centering.row(SX == 1 ? 0 : s, 0, x.data());
    for (std::size_t m = 0; m < M; ++m) {
      centering.row(s, m, row.data());
      for (std::size_t d = 0; d < N; ++d) C[m * N + d] += lagged_product(x.data(), row.data(), N, d) / double(S);
    }
  }
}

void correlator_2d(const double* phi, std::size_t S, std::size_t M, std::size_t N, MeanSubtraction subtraction,
                   double* C) {
  detail::check_field("direct::correlator_2d", phi, S, M, N);
  const detail::Centering centering(phi, S, M, N, subtraction);
  std::vector<double> rows(M * N);
  std::fill(C, C + M * M * N, 0.0);
  for (std::size_t s = 0; s < S; ++s) {
    for (std::size_t m = 0; m < M; ++m) centering.row(s, m, rows.data() + m * N);
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t mp = 0; mp < M; ++mp)
        for (std::size_t d = 0; d < N; ++d)
          C[(m * M + mp) * N + d] += lagged_product(&rows[m * N], &rows[mp * N], N, d) / double(S);
  }
}

void time_autocovariance(const double* a, std::size_t T, std::size_t P, double* gamma) {
  for (std::size_t p = 0; p < P; ++p) {
    double mean = 0.0;
    for (std::size_t t = 0; t < T; ++t) mean += a[t * P + p];
    mean /= double(T);
    for (std::size_t tau = 0; tau < T; ++tau) {
      double sum = 0.0;
      for (std::size_t t = 0; t + tau < T; ++t) sum += (a[t * P + p] - mean) * (a[(t + tau) * P + p] - mean);
      gamma[tau * P + p] = sum / double(T - tau);
    }
  }
}

}  // namespace nnfield::direct
