#pragma once
// Activation functions with their first and second derivatives (docs/theory.md section 1).
// The damped dynamics in BBD variables need sigma'' (docs/theory.md section 3), so every
// activation provides all three.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace nnfield {

enum class Activation { tanh, sigmoid, softplus, erf, sin, gelu };

// Throws std::invalid_argument naming the valid choices.
Activation activation_from_name(std::string_view name);
std::string activation_name(Activation a);
const std::vector<std::string>& activation_names();

// Scalar reference implementations.
double sigma(Activation a, double z);
double sigma_d1(Activation a, double z);
double sigma_d2(Activation a, double z);

// Array kernels for the hot path: h[i] = sigma(z[i]), dh[i] = sigma'(z[i]).
// Vectorised (SLEEF) where available; agree with the scalar versions to ~1 ulp.
void sigma_and_d1(Activation a, const double* z, double* h, double* dh, std::size_t n);
// sigma_and_d1 on sites first .. first + n - 1 of a row of `row_width` sites (a block of a
// width split, docs/cluster.md), with the bits sigma_and_d1 on the whole row gives them: the
// vector kernels and the scalar tail agree only to ~1 ulp, so each site goes the way the
// whole row's call takes it (in a register if the whole row's vector loop reaches it).
void sigma_and_d1_in_row(Activation a, const double* z, double* h, double* dh, std::size_t n, std::size_t first,
                         std::size_t row_width);
// h = sigma(z), d1 = sigma'(z), d2 = sigma''(z) in one pass: sigma'' follows from
// sigma and sigma' algebraically (or one exp for gelu), no extra transcendental calls.
void sigma_all(Activation a, const double* z, double* h, double* d1, double* d2, std::size_t n);
// sigma_all on sites first .. first + n - 1 of a row of `row_width` sites, with the bits
// sigma_all on the whole row gives them (as sigma_and_d1_in_row).
void sigma_all_in_row(Activation a, const double* z, double* h, double* d1, double* d2, std::size_t n,
                      std::size_t first, std::size_t row_width);
// d2[i] = sigma''(z[i]).
void sigma_d2(Activation a, const double* z, double* d2, std::size_t n);

// Whether sigma' is a function of sigma's value (tanh: sigma' = 1 - h^2). Then a caller
// may keep h alone, take it from sigma_values and sigma' later from sigma_d1_of_value,
// with the same bits sigma_and_d1 gives, and skip storing sigma' (a network's backward
// pass reads h anyway; at M = 64, N = 1024, B = 32 sigma' is 17 MB a step).
bool d1_from_value(Activation a);
void sigma_values(Activation a, const double* z, double* h, std::size_t n);
void sigma_d1_of_value(Activation a, const double* h, double* d1, std::size_t n);  // d1_from_value(a) only

}  // namespace nnfield
