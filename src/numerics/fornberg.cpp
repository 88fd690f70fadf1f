#include "nnfield/numerics/fornberg.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace nnfield {

// Fornberg (1988), Table 1 recursion, in the compact form that adds one node at a time.
// With c1 = prod_{l<j}(x_j - x_l) the weights of the first j+1 nodes follow from those of
// the first j: the Lagrange basis polynomial of the new node and the existing ones are
// updated by multiplying with (x - x_j) / (x_i - x_j), and the d-th derivative at x0 of
// that product involves the (d-1)-th derivative (hence the d * c[d-1] terms).
std::vector<double> fornberg_weight_table(double x0, const std::vector<double>& nodes, int max_d) {
  const int n = int(nodes.size());
  if (max_d < 0) throw std::invalid_argument("fornberg: negative derivative order");
  if (n <= max_d)
    throw std::invalid_argument("fornberg: " + std::to_string(n) + " nodes cannot resolve derivative order " +
                                std::to_string(max_d));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < i; ++j)
      if (nodes[std::size_t(i)] == nodes[std::size_t(j)]) throw std::invalid_argument("fornberg: repeated node");

  const int D = max_d + 1;
  std::vector<double> c(std::size_t(D) * std::size_t(n), 0.0);
  auto at = [&](int d, int j) -> double& { return c[std::size_t(d) * std::size_t(n) + std::size_t(j)]; };
  at(0, 0) = 1.0;
  double c1 = 1.0;
  double c4 = nodes[0] - x0;
  for (int i = 1; i < n; ++i) {
    const int mn = std::min(i, max_d);
    double c2 = 1.0;
    const double c5 = c4;
    c4 = nodes[std::size_t(i)] - x0;
    for (int j = 0; j < i; ++j) {
      const double c3 = nodes[std::size_t(i)] - nodes[std::size_t(j)];
      c2 *= c3;
      if (j == i - 1) {
        // The new node's weights, from the previous node's (before those are updated).
        for (int d = mn; d >= 1; --d) at(d, i) = c1 * (d * at(d - 1, i - 1) - c5 * at(d, i - 1)) / c2;
        at(0, i) = -c1 * c5 * at(0, i - 1) / c2;
      }
      for (int d = mn; d >= 1; --d) at(d, j) = (c4 * at(d, j) - d * at(d - 1, j)) / c3;
      at(0, j) = c4 * at(0, j) / c3;
    }
    c1 = c2;
  }
  return c;
}

std::vector<double> fornberg_weights(double x0, const std::vector<double>& nodes, int d) {
  const std::vector<double> table = fornberg_weight_table(x0, nodes, d);
  const std::size_t n = nodes.size();
  return std::vector<double>(table.begin() + std::ptrdiff_t(std::size_t(d) * n), table.end());
}

namespace {
Stencil make_stencil(int d, int order, int first, int n) {
  Stencil s;
  s.derivative = d;
  s.order = order;
  std::vector<double> nodes;
  for (int j = 0; j < n; ++j) {
    s.offsets.push_back(first + j);
    nodes.push_back(double(first + j));
  }
  s.weights = fornberg_weights(0.0, nodes, d);
  return s;
}
}  // namespace

Stencil uniform_stencil(int d, int q, StencilKind kind) {
  if (d < 0 || q < 1) throw std::invalid_argument("uniform_stencil: need d >= 0 and order q >= 1");
  switch (kind) {
    case StencilKind::centred: {
      if (q % 2 != 0) throw std::invalid_argument("uniform_stencil: a centred stencil has even order");
      // n = 2s+1 symmetric nodes: order n - d, rounded up to even by the symmetry.
      int n = d + q;
      if (n % 2 == 0) --n;
      return make_stencil(d, q, -(n - 1) / 2, n);
    }
    case StencilKind::forward: return make_stencil(d, q, 0, d + q);
    case StencilKind::backward: return make_stencil(d, q, -(d + q - 1), d + q);
  }
  throw std::invalid_argument("uniform_stencil: unknown kind");
}

Stencil biased_stencil(int d, int q, int first) {
  if (d < 0 || q < 1) throw std::invalid_argument("biased_stencil: need d >= 0 and order q >= 1");
  return make_stencil(d, q, first, d + q);
}

}  // namespace nnfield
