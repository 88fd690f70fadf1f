// Fornberg finite-difference weights (issue 6: "exact on polynomials up to the stencil
// order; error on a sine at the order").
#include <catch2/catch.hpp>

#include <cmath>
#include <iostream>
#include <vector>

#include "field_support.hpp"
#include "nnfield/numerics/fornberg.hpp"
#include "nnfield/numerics/rng.hpp"

using namespace nnfield;

namespace {
// d-th derivative of x^n at x.
double monomial_derivative(int n, int d, double x) {
  if (d > n) return 0.0;
  double f = 1.0;
  for (int j = 0; j < d; ++j) f *= double(n - j);
  return f * std::pow(x, n - d);
}

// Error of a uniform stencil applied to sin at x0 with spacing h.
double sine_error(const Stencil& s, double x0, double h) {
  double acc = 0.0;
  for (std::size_t j = 0; j < s.offsets.size(); ++j) acc += s.weights[j] * std::sin(x0 + s.offsets[j] * h);
  acc /= std::pow(h, s.derivative);
  const double exact = std::sin(x0 + s.derivative * M_PI / 2);  // d^d/dx^d sin = sin(x + d pi/2)
  return std::fabs(acc - exact);
}
}  // namespace

TEST_CASE("Fornberg weights are exact on polynomials up to degree n-1 on arbitrary nodes", "[field]") {
  Rng rng(11);
  for (int n : {2, 3, 5, 7}) {
    // Irregular nodes around 0.3, and a point that is not a node (the weights interpolate too).
    std::vector<double> nodes;
    double x = -0.4;
    for (int j = 0; j < n; ++j) nodes.push_back(x += 0.05 + 0.2 * rng.uniform());
    const double x0 = 0.3 + 0.05 * rng.uniform();
    const int max_d = n - 1;
    const std::vector<double> table = fornberg_weight_table(x0, nodes, max_d);
    for (int d = 0; d <= max_d; ++d)
      for (int deg = 0; deg <= n - 1; ++deg) {
        double acc = 0.0;
        for (int j = 0; j < n; ++j) acc += table[std::size_t(d * n + j)] * std::pow(nodes[std::size_t(j)], deg);
        const double exact = monomial_derivative(deg, d, x0);
        INFO("n=" << n << " d=" << d << " degree=" << deg);
        // Condition grows like (1/min spacing)^d: relative tolerance scaled accordingly.
        CHECK(acc == Approx(exact).margin(1e-9 * std::pow(20.0, d)));
      }
    // Degree n is not reproduced by the derivative of order n-1 (the stencil's limit is real).
    double acc = 0.0;
    const std::vector<double> wlast = fornberg_weights(x0, nodes, n - 1);
    for (int j = 0; j < n; ++j) acc += wlast[std::size_t(j)] * std::pow(nodes[std::size_t(j)], n);
    CHECK(std::fabs(acc - monomial_derivative(n, n - 1, x0)) > 1e-6);
  }
}

TEST_CASE("Fornberg reproduces the textbook centred stencils", "[field]") {
  const Stencil d1 = uniform_stencil(1, 2, StencilKind::centred);
  REQUIRE(d1.offsets == std::vector<int>{-1, 0, 1});
  CHECK(d1.weights[0] == Approx(-0.5));
  CHECK(d1.weights[1] == Approx(0.0).margin(1e-15));
  CHECK(d1.weights[2] == Approx(0.5));
  const Stencil d2 = uniform_stencil(2, 4, StencilKind::centred);
  REQUIRE(d2.offsets == std::vector<int>{-2, -1, 0, 1, 2});
  const double expected[] = {-1.0 / 12, 4.0 / 3, -5.0 / 2, 4.0 / 3, -1.0 / 12};
  for (int j = 0; j < 5; ++j) CHECK(d2.weights[std::size_t(j)] == Approx(expected[j]));
  CHECK_THROWS(fornberg_weights(0.0, {0.0, 1.0}, 2));
  CHECK_THROWS(fornberg_weights(0.0, {0.0, 1.0, 1.0}, 1));
  CHECK_THROWS(uniform_stencil(1, 3, StencilKind::centred));
}

TEST_CASE("Fornberg stencil error on a sine falls at the stencil's order", "[field]") {
  struct Case {
    int d, q;
    StencilKind kind;
    int first;  // used when biased
    bool biased;
  };
  const Case cases[] = {
      {1, 2, StencilKind::centred, 0, false},  {1, 4, StencilKind::centred, 0, false},
      {2, 2, StencilKind::centred, 0, false},  {2, 4, StencilKind::centred, 0, false},
      {3, 2, StencilKind::centred, 0, false},  {1, 1, StencilKind::forward, 0, false},
      {1, 3, StencilKind::forward, 0, false},  {2, 3, StencilKind::backward, 0, false},
      {1, 2, StencilKind::backward, 0, false}, {1, 3, StencilKind::centred, -1, true},
      {2, 3, StencilKind::centred, -3, true},  {1, 4, StencilKind::centred, -1, true},
  };
  const std::vector<double> hs = {0.2, 0.1, 0.05, 0.025};
  for (const Case& c : cases) {
    const Stencil s = c.biased ? biased_stencil(c.d, c.q, c.first) : uniform_stencil(c.d, c.q, c.kind);
    std::vector<double> err;
    for (double h : hs) err.push_back(sine_error(s, 0.7, h));
    const double slope = test::loglog_slope(hs, err);
    std::cout << "[field] fornberg d=" << c.d << " q=" << c.q << " offsets " << s.offsets.front() << ".."
              << s.offsets.back() << ": measured order " << slope << "\n";
    INFO("d=" << c.d << " q=" << c.q << " kind=" << int(c.kind) << " biased=" << c.biased
              << " first=" << s.offsets.front() << " measured order " << slope);
    CHECK(s.order == c.q);
    CHECK(std::fabs(slope - c.q) < 0.2);
  }
}
