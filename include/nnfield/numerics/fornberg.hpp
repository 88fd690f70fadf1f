#pragma once
// Finite-difference weights on arbitrary nodes by Fornberg's recursion
// (B. Fornberg, "Generation of finite difference formulas on arbitrarily spaced grids",
// Math. Comp. 51 (1988) 699-706). The field solver's depth derivatives (docs/theory.md 4.4,
// issue 6 item 2) come from these stencils: centred in the bulk, one-sided or biased
// near the boundaries x = 0 and x = Lx of the non-periodic depth axis.
//
//   f^(d)(x0) ~= sum_j c_j f(x_j),  exact for every polynomial of degree <= n-1
//
// for n distinct nodes x_j. On a uniform grid of spacing h the error is O(h^(n-d))
// (one order more for a centred stencil whose n-d is odd: the odd error terms cancel).
#include <vector>

namespace nnfield {

// Weights for all derivative orders 0..max_d at x0: row d holds c_j for f^(d), i.e. the
// result is (max_d+1, n) row-major. Nodes must be distinct; throws std::invalid_argument
// otherwise or if n <= max_d (too few nodes to resolve the derivative).
std::vector<double> fornberg_weight_table(double x0, const std::vector<double>& nodes, int max_d);

// The weights of f^(d)(x0) alone.
std::vector<double> fornberg_weights(double x0, const std::vector<double>& nodes, int d);

// Where a uniform stencil sits relative to the point it differentiates.
enum class StencilKind { centred, forward, backward };

// A stencil on a uniform grid of unit spacing: f^(d)(x_i) ~= h^-d sum_j weight_j f(x_{i+offset_j}).
struct Stencil {
  int derivative = 0;
  int order = 0;             // truncation order in h (measured by tests/field/test_field_fornberg.cpp)
  std::vector<int> offsets;  // increasing, consecutive
  std::vector<double> weights;
};

// The smallest stencil of `kind` for derivative d with truncation order >= q
// (centred stencils need q even). Forward/backward: n = d + q nodes 0..n-1 or -(n-1)..0.
Stencil uniform_stencil(int d, int q, StencilKind kind);
// A biased stencil of n = d + q consecutive nodes starting at offset `first` (<= 0 <= first+n-1
// need not hold: extrapolating stencils are allowed). Order q (n - d).
Stencil biased_stencil(int d, int q, int first);

}  // namespace nnfield
