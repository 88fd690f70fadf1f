// The midpoint form's nested right-hand sides (src/field/depth_scheme_nested.cpp) on a scalar
// toy map before any field: the flow of phi_x = F over one lattice step ax reproduces the
// layer map phi -> S(phi, x) and its linearisation S_phi to O(ax^(p+1)) (local error: global
// order p), on a map built like the field's: near the identity only in its first derivative
// along the trajectory (critical gain), so f_phiphi = S_phiphi/ax is O(1/ax)
// (docs/field-limit.md section 6). And the linear symbol the stability check uses is the
// scheme's own, against the closed forms derived by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <vector>

#include "field_support.hpp"
#include "nnfield/field/depth_scheme.hpp"
#include "nnfield/field/field_theory.hpp"

using namespace nnfield;

namespace {

// S(phi, x) = w(x) tanh(phi) + b(x) with the gain critical along phi_d(x),
// w = (1 + ax c(x)) / tanh'(phi_d(x)), and b from Eq. 6 (phi_d is the map's trajectory).
// The scheme evaluates it at the stage depth x minus the side's lag.
class ToyLayer final : public DepthLayer {
 public:
  explicit ToyLayer(double ax) : m_ax(ax) {}
  double x = 0.0;  // the stage's depth
  static double phi_d(double x) { return 0.3 + 0.7 * std::sin(2.0 * x); }
  double S(double phi, double xs) const { return w(xs) * std::tanh(phi) + b(xs); }
  double S_phi(double phi, double xs) const { return w(xs) * (1.0 - std::tanh(phi) * std::tanh(phi)); }
  void map(LinkSide side, const double* y, double* out) override { out[0] = S(y[0], depth(side)); }
  void map_transpose(LinkSide side, const double* y, const double* S_bar, double* y_bar) override {
    y_bar[0] += S_phi(y[0], depth(side)) * S_bar[0];
  }
  void map_tangent(LinkSide side, const double* y, const double* y_dot, double* S_dot) override {
    S_dot[0] = S_phi(y[0], depth(side)) * y_dot[0];
  }

 private:
  double depth(LinkSide side) const { return x - link_side_lag(side) * m_ax; }
  double w(double xs) const {
    const double t = std::tanh(phi_d(xs));
    return (1.0 + m_ax * 0.5 * std::cos(3.0 * xs)) / (1.0 - t * t);
  }
  double b(double xs) const { return phi_d(xs + m_ax) - w(xs) * std::tanh(phi_d(xs)); }
  double m_ax;
};

struct StepError {
  double value, linearisation;
};

// One lattice step from phi_d(x0) by the scheme (8 RK4 substeps, so the depth integrator's
// own error is far below the truncation's), against the map, for the pair (phi, phi').
StepError one_step(int p, double ax, double x0) {
  FieldSettings fs;
  fs.p = p;
  fs.depth_substeps = 8;
  const std::unique_ptr<DepthScheme> scheme = make_depth_scheme(fs, ax, 1);
  ToyLayer layer(ax);
  double pair[2] = {ToyLayer::phi_d(x0), 1.0};
  scheme->advance(ax, 2, pair, [&](int s, const double* y, double* k) {
    layer.x = x0 + scheme->stage_depth(s, ax);
    scheme->rhs_tangent(layer, y, y + 1, k, k + 1);
  });
  const double phi0 = ToyLayer::phi_d(x0);
  return {pair[0] - layer.S(phi0, x0), pair[1] - layer.S_phi(phi0, x0)};
}

}  // namespace

TEST_CASE("nested right-hand sides: one lattice step reproduces the toy map and its linearisation", "[field]") {
  const std::vector<double> ax = {0.1, 0.05, 0.025, 0.0125};
  for (int p : {2, 3}) {
    std::vector<double> value, lin;
    for (double h : ax) {
      const StepError e = one_step(p, h, 0.4);
      value.push_back(std::fabs(e.value));
      lin.push_back(std::fabs(e.linearisation));
    }
    const double order_lin = test::loglog_slope(ax, lin), order_value = test::loglog_slope(ax, value);
    INFO("p = " << p << ": linearisation errors " << lin[0] << " .. " << lin[3] << " (order " << order_lin
                << "), value errors " << value[0] << " .. " << value[3] << " (order " << order_value << ")");
    // The linearisation is what the adjoint and the dynamics see: local order p + 1.
    CHECK(std::fabs(order_lin - (p + 1)) < 0.3);
    CHECK(order_value > p + 0.7);
  }
}

TEST_CASE("nested right-hand sides: the transpose is the tangent's adjoint", "[field]") {
  for (int p : {2, 3}) {
    FieldSettings fs;
    fs.p = p;
    const double ax = 0.05;
    const std::unique_ptr<DepthScheme> scheme = make_depth_scheme(fs, ax, 1);
    ToyLayer layer(ax);
    layer.x = 0.7;
    const double y = 0.9, y_dot = 0.37, F_bar = -1.3;
    double F = 0.0, F_dot = 0.0, y_bar = 0.25;
    scheme->rhs_tangent(layer, &y, &y_dot, &F, &F_dot);
    scheme->rhs_transpose(layer, &y, &F_bar, &y_bar);
    CHECK((y_bar - 0.25) * y_dot == Approx(F_bar * F_dot).epsilon(1e-13));
    double F_plus = 0.0, F_minus = 0.0;  // and the tangent is the derivative
    const double eps = 1e-6, yp = y + eps * y_dot, ym = y - eps * y_dot;
    scheme->rhs(layer, &yp, &F_plus);
    scheme->rhs(layer, &ym, &F_minus);
    CHECK((F_plus - F_minus) / (2 * eps) == Approx(F_dot).epsilon(1e-8));
  }
}

TEST_CASE("nested right-hand sides: the linear symbol is the log series plus the form's own terms", "[field]") {
  using C = std::complex<double>;
  for (const C u : {C(-0.3, 0.1), C(0.05, -0.2), C(-1.2, 0.0)}) {
    CHECK(std::abs(midpoint_symbol(1, u) - u) < 1e-15);
    CHECK(std::abs(midpoint_symbol(2, u) - (u - u * u / 2.0 + 3.0 * u * u * u / 8.0)) < 1e-14);
    const C u2 = u * u, u3 = u2 * u, u4 = u3 * u, u5 = u4 * u;
    CHECK(std::abs(midpoint_symbol(3, u) - (u - u2 / 2.0 + u3 / 3.0 - u4 / 4.0 + u5 / 6.0)) < 1e-14);
  }
  // Against the exact exponent log G: O(u^(p+1)) for p = 2 (the u^3 term is the form's own),
  // O(u^5) for p = 3 (its u^4 term happens to be the log series', the u^5 term is its own).
  for (int p : {2, 3}) {
    std::vector<double> eps = {0.04, 0.02, 0.01}, err;
    for (double e : eps) {
      const C u(e, 0.5 * e);
      err.push_back(std::abs(midpoint_symbol(p, u) - std::log(1.0 + u)));
    }
    const double order = test::loglog_slope(eps, err);
    INFO("p = " << p << ": order " << order);
    CHECK(std::fabs(order - (p == 2 ? 3 : 5)) < 0.15);
  }
}
