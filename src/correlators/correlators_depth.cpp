// Depth correlator C(m, m') = (1/N) sum_i <dphi^(m)_i dphi^(m')_i> (docs/theory.md section 5):
// depth is not periodic, so this is a direct sum over each pair of layers.
#include <vector>

#include "correlators/correlators_centering.hpp"
#include "nnfield/correlators/correlators.hpp"

namespace nnfield {

void depth_correlator(const double* phi, std::size_t S, std::size_t M, std::size_t N, MeanSubtraction subtraction,
                      double* C) {
  detail::check_field("depth_correlator", phi, S, M, N);
  const detail::Centering centering(phi, S, M, N, subtraction);
  std::vector<double> d(M * N), acc(M * M, 0.0);
  for (std::size_t s = 0; s < S; ++s) {
    for (std::size_t m = 0; m < M; ++m) centering.row(s, m, d.data() + m * N);
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t mp = m; mp < M; ++mp) {
        const double* a = d.data() + m * N;
        const double* b = d.data() + mp * N;
        double sum = 0.0;
        for (std::size_t i = 0; i < N; ++i) sum += a[i] * b[i];
        acc[m * M + mp] += sum;
      }
  }
  const double norm = 1.0 / (double(S) * double(N));
  for (std::size_t m = 0; m < M; ++m)
    for (std::size_t mp = m; mp < M; ++mp) C[m * M + mp] = C[mp * M + m] = acc[m * M + mp] * norm;
}

}  // namespace nnfield
