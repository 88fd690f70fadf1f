// The one Eigen user (include/nnfield/numerics/linalg.hpp).
//
// GCC 12's AVX-512 intrinsics headers raise -Wmaybe-uninitialized inside Eigen's
// eigen-solvers once they are inlined here (a known false positive of the intrinsics'
// undefined-vector idiom); it is silenced for this file alone so that the tree builds
// warning-free with -Werror.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "nnfield/numerics/linalg.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <stdexcept>

namespace nnfield {

std::vector<std::complex<double>> polynomial_roots(const std::vector<std::complex<double>>& a) {
  using C = std::complex<double>;
  const int p = int(a.size()) - 1;
  if (p < 1) return {};
  if (p == 1) return {-a[0] / a[1]};
  Eigen::MatrixXcd companion = Eigen::MatrixXcd::Zero(p, p);
  for (int j = 0; j < p; ++j) companion(0, j) = -a[std::size_t(p - 1 - j)] / a[std::size_t(p)];
  for (int j = 1; j < p; ++j) companion(j, j - 1) = 1.0;
  Eigen::ComplexEigenSolver<Eigen::MatrixXcd> solver(companion, false);
  std::vector<C> roots(static_cast<std::size_t>(p));
  for (int j = 0; j < p; ++j) roots[std::size_t(j)] = solver.eigenvalues()(j);
  return roots;
}

std::vector<double> symmetric_tridiagonal_eigenvalues(const std::vector<double>& diagonal,
                                                      const std::vector<double>& off_diagonal) {
  const int n = int(diagonal.size());
  if (int(off_diagonal.size()) != std::max(n - 1, 0))
    throw std::invalid_argument("symmetric_tridiagonal_eigenvalues: off-diagonal must have n - 1 entries");
  Eigen::VectorXd d(n), e(std::max(n - 1, 0));
  for (int i = 0; i < n; ++i) d[i] = diagonal[std::size_t(i)];
  for (int i = 0; i + 1 < n; ++i) e[i] = off_diagonal[std::size_t(i)];
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
  solver.computeFromTridiagonal(d, e, Eigen::EigenvaluesOnly);
  std::vector<double> out(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out[std::size_t(i)] = solver.eigenvalues()[i];
  return out;
}

}  // namespace nnfield
