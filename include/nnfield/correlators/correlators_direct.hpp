#pragma once
// The correlators of correlators.hpp written as the plain O(N^2) (width) and O(T^2)
// (time) sums of their definitions, with no FFT: the slow reference the fast
// versions are tested against. Same arguments, shapes and outputs as the fast ones.
#include <cstddef>

#include "nnfield/correlators/correlators.hpp"

namespace nnfield::direct {

// C (M, N) from the double sum over i and d; Sk (M, N/2+1) from the direct DFT
// sum_y dphi(y) e^{-i k y} of every row. Either output may be null.
void width_correlators(const double* phi, std::size_t S, std::size_t M, std::size_t N,
                       MeanSubtraction subtraction, double* C, double* Sk);
void input_cross_correlator(const double* phi, const double* X, std::size_t S, std::size_t SX, std::size_t M,
                            std::size_t N, MeanSubtraction subtraction, double* C);
void correlator_2d(const double* phi, std::size_t S, std::size_t M, std::size_t N, MeanSubtraction subtraction,
                   double* C);
void time_autocovariance(const double* a, std::size_t T, std::size_t P, double* gamma);

}  // namespace nnfield::direct
