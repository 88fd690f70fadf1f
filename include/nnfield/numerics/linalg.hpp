#pragma once
// Dense eigenvalue problems, the only linear algebra nnfield needs (src/numerics/linalg.cpp
// is the only file that includes Eigen).
#include <complex>
#include <vector>

namespace nnfield {

// Roots of a_0 + a_1 z + ... + a_p z^p (a_p != 0), as the eigenvalues of the companion matrix.
std::vector<std::complex<double>> polynomial_roots(const std::vector<std::complex<double>>& a);

// Eigenvalues, ascending, of the symmetric tridiagonal matrix with this diagonal (n) and
// off-diagonal (n - 1).
std::vector<double> symmetric_tridiagonal_eigenvalues(const std::vector<double>& diagonal,
                                                      const std::vector<double>& off_diagonal);

}  // namespace nnfield
