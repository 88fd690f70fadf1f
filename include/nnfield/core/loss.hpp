#pragma once
// Per-site losses l = sum_i l_i(Z_i, Y_i) (docs/theory.md section 1). Per-site so that the
// output-boundary energy density of the BBD (docs/theory.md section 3) is defined site by site.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace nnfield {

enum class Loss {
  mse,       // l = 1/2 (Z - Y)^2
  logistic,  // binary cross-entropy on logits: l = softplus(Z) - Y Z, Y in [0, 1]
};

Loss loss_from_name(std::string_view name);  // throws std::invalid_argument
std::string loss_name(Loss l);
const std::vector<std::string>& loss_names();

double loss_value(Loss l, double Z, double Y);
double loss_dZ(Loss l, double Z, double Y);   // dl_i/dZ_i
double loss_dY(Loss l, double Z, double Y);   // dl_i/dY_i (work done by a moving target)
double loss_dZZ(Loss l, double Z, double Y);  // d^2 l_i/dZ_i^2

// One sample's row of n sites: returns start + sum_i l_i(Z_i, Y_i) summed in site order
// (start: the sum over the sites before these, a block of a split width), and writes
// dZ_i = scale dl_i/dZ_i and, if dY is not null, dY_i = scale dl_i/dY_i. The same values as
// the scalar functions, without a call per site.
double loss_row(Loss l, const double* Z, const double* Y, double scale, double* dZ, double* dY, std::size_t n,
                double start = 0.0);

}  // namespace nnfield
