// Long-range order across depth (docs/theory.md section 5): the mean-field theory against closed
// forms and against scripts/meanfield.py, the tangent propagation against the network,
// and the measured depth scale and order-to-chaos transition against mean field.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "nnfield/analysis/depth_fit.hpp"
#include "nnfield/numerics/gauss_hermite.hpp"
#include "nnfield/analysis/mean_field.hpp"
#include "nnfield/core/network.hpp"
#include "nnfield/analysis/propagation.hpp"
#include "support.hpp"

using namespace nnfield;

namespace {

constexpr double kPi = 3.14159265358979323846;

double expect(const NormalRule& r, double (*f)(double)) {
  double e = 0.0;
  for (std::size_t i = 0; i < r.x.size(); ++i) e += r.w[i] * f(r.x[i]);
  return e;
}

// E[erf(u1) erf(u2)] for (u1, u2) with variances q and covariance q c:
// (2/pi) arcsin(2 q c / (1 + 2 q))  (the Gaussian integral of a product of error functions).
double erf_pair(double q, double c) { return 2.0 / kPi * std::asin(2.0 * q * c / (1.0 + 2.0 * q)); }

// Numbers after "key": in a one-line JSON object (what meanfield.py --json prints).
double json_number(const std::string& json, const std::string& key) {
  const std::size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return NAN;
  return std::strtod(json.c_str() + at + key.size() + 3, nullptr);
}

std::string run_command(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), int(buffer.size()), pipe)) out += buffer.data();
  pclose(pipe);
  return out;
}

bool python_with_numpy() {
  if (!std::filesystem::exists("/usr/bin/python3")) return false;
  return std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE("Gauss-Hermite rules reproduce Gaussian moments and closed-form expectations", "[depth]") {
  const GaussHermiteRule rule = gauss_hermite_rule(160);
  // E[z^(2k)] = (2k-1)!!, exact for 2k < 2n.
  double double_factorial = 1.0;
  for (int k = 1; k <= 20; ++k) {
    double_factorial *= 2 * k - 1;
    double e = 0.0;
    for (std::size_t i = 0; i < rule.z.size(); ++i) e += std::exp(rule.log_w[i]) * std::pow(rule.z[i], 2 * k);
    CHECK(e == Approx(double_factorial).epsilon(1e-12));
  }
  // Scaled (variance <= 1) and reweighted (variance > 1) rules:
  // E[cos x] = e^{-v/2}, E[sin^2 x] = (1 - e^{-2v})/2, E[x^2] = v.
  for (double v : {0.01, 0.3, 1.0, 2.5, 9.0, 16.0, 100.0}) {
    INFO("variance " << v);
    const NormalRule r = normal_rule(rule, v);
    CHECK(expect(r, [](double x) { return std::cos(x); }) == Approx(std::exp(-v / 2)).margin(1e-13));
    CHECK(expect(r, [](double x) { return std::sin(x) * std::sin(x); }) ==
          Approx(0.5 * (1 - std::exp(-2 * v))).margin(1e-13));
    CHECK(expect(r, [](double x) { return x * x; }) == Approx(v).epsilon(1e-12));
  }
}

TEST_CASE("mean-field maps equal their closed forms for sin and erf", "[depth]") {
  // sin: E[sin(u)^2] = (1 - e^{-2q})/2, E[cos(u)^2] = (1 + e^{-2q})/2,
  // E[sin u1 sin u2] = e^{-q} sinh(q c), E[cos u1 cos u2] = e^{-q} cosh(q c).
  const double sw = 1.7, sb = 0.4;
  const MeanField sin_mf(Activation::sin, sw, sb);
  for (double q : {0.2, 1.0, 3.5}) {
    CHECK(sin_mf.q_map(q) == Approx(sw * sw * 0.5 * (1 - std::exp(-2 * q)) + sb * sb).epsilon(1e-12));
    CHECK(sin_mf.chi_1(q) == Approx(sw * sw * 0.5 * (1 + std::exp(-2 * q))).epsilon(1e-12));
    for (double c : {-0.3, 0.2, 0.9, 0.999}) {
      CHECK(sin_mf.c_map(q, c) == Approx((sw * sw * std::exp(-q) * std::sinh(q * c) + sb * sb) / q).epsilon(1e-11));
      CHECK(sin_mf.chi_c(q, c) == Approx(sw * sw * std::exp(-q) * std::cosh(q * c)).epsilon(1e-11));
    }
  }
  // erf: E[erf(u)^2] = (2/pi) arcsin(2q/(1+2q)), E[erf'(u)^2] = (4/pi)/sqrt(1+4q),
  // E[erf'(u1) erf'(u2)] = (4/pi) / sqrt((1+2q)^2 - 4 q^2 c^2).
  const MeanField erf_mf(Activation::erf, sw, sb);
  for (double q : {0.2, 1.0, 3.5}) {
    CHECK(erf_mf.q_map(q) == Approx(sw * sw * erf_pair(q, 1.0) + sb * sb).epsilon(1e-12));
    CHECK(erf_mf.chi_1(q) == Approx(sw * sw * 4 / kPi / std::sqrt(1 + 4 * q)).epsilon(1e-12));
    for (double c : {-0.3, 0.2, 0.9}) {
      CHECK(erf_mf.c_map(q, c) == Approx((sw * sw * erf_pair(q, c) + sb * sb) / q).epsilon(1e-11));
      CHECK(erf_mf.chi_c(q, c) ==
            Approx(sw * sw * 4 / kPi / std::sqrt((1 + 2 * q) * (1 + 2 * q) - 4 * q * q * c * c)).epsilon(1e-11));
    }
  }
  // Fixed points satisfy their maps.
  const MeanFieldPoint p = erf_mf.depth_scale(1.0, 0.5);
  CHECK(erf_mf.q_map(p.q_star) == Approx(p.q_star).epsilon(1e-12));
  if (p.c_star < 1.0) CHECK(erf_mf.c_map(p.q_star, p.c_star) == Approx(p.c_star).epsilon(1e-10));
  CHECK(p.xi_c == Approx(-1.0 / std::log(p.chi_c)).epsilon(1e-14));
}

TEST_CASE("the order-to-chaos line at sigma_b = 0 sits where chi_1 = sigma_w^2 phi'(0)^2 = 1", "[depth]") {
  // With sigma_b = 0 and an odd activation, q* = 0 on the ordered side, so chi_1 = sigma_w^2
  // phi'(0)^2: tanh (phi'(0) = 1) crosses at sigma_w = 1, erf (phi'(0) = 2/sqrt(pi)) at sqrt(pi)/2.
  CHECK(critical_sigma_w(Activation::tanh, 0.0) == Approx(1.0).epsilon(1e-6));
  CHECK(critical_sigma_w(Activation::erf, 0.0) == Approx(std::sqrt(kPi) / 2).epsilon(1e-6));
  // And with a bias the line moves to larger sigma_w (Schoenholz et al. Fig. 1).
  CHECK(critical_sigma_w(Activation::tanh, 0.3) > 1.2);
}

TEST_CASE("C++ mean field agrees with scripts/meanfield.py", "[depth][python]") {
  if (!python_with_numpy()) {
    WARN("/usr/bin/python3 with numpy not available: skipped");
    return;
  }
  const std::string script = std::string(NNFIELD_SOURCE_DIR) + "/scripts/meanfield.py";
  struct Case {
    const char* activation;
    double sigma_w, sigma_b;
  };
  for (const Case& c : {Case{"tanh", 1.5, 0.05}, Case{"tanh", 1.1, 0.3}, Case{"tanh", 2.5, 0.3},
                        Case{"sigmoid", 4.0, 0.2}, Case{"softplus", 1.3, 0.3}, Case{"erf", 1.3, 0.3},
                        Case{"sin", 1.3, 0.3}, Case{"gelu", 1.3, 0.3}}) {
    INFO(c.activation << " sigma_w = " << c.sigma_w << " sigma_b = " << c.sigma_b);
    const std::string json =
        run_command("/usr/bin/python3 " + script + " --activation " + c.activation + " --sigma-w " +
                    std::to_string(c.sigma_w) + " --sigma-b " + std::to_string(c.sigma_b) + " --json");
    REQUIRE(!json.empty());
    const MeanFieldPoint p = MeanField(activation_from_name(c.activation), c.sigma_w, c.sigma_b).depth_scale(1.0, 0.5);
    CHECK(p.q_star == Approx(json_number(json, "q_star")).epsilon(1e-9));
    CHECK(p.chi_1 == Approx(json_number(json, "chi_1")).epsilon(1e-9));
    CHECK(p.c_star == Approx(json_number(json, "c_star")).epsilon(1e-8));
    CHECK(p.chi_c == Approx(json_number(json, "chi_c")).epsilon(1e-8));
    if (std::isfinite(p.xi_c)) CHECK(p.xi_c == Approx(json_number(json, "xi_c")).epsilon(1e-7));
    CHECK(p.chi_q == Approx(json_number(json, "chi_q")).epsilon(1e-9));
  }
  const std::string critical =
      run_command("/usr/bin/python3 " + script + " --activation tanh --sigma-b 0.3 --critical --json");
  CHECK(critical_sigma_w(Activation::tanh, 0.3) == Approx(json_number(critical, "sigma_w_critical")).epsilon(1e-9));
}

TEST_CASE("tangent propagation is the network's forward pass and its exact linearisation", "[depth]") {
  const NetworkShape shape{6, 16, 2};
  const std::vector<double> W = test::normal_vector(shape.num_weights(), 0.6, 1);
  const std::vector<double> b = test::normal_vector(shape.num_biases(), 0.2, 2);
  const std::vector<double> X = test::normal_vector(std::size_t(shape.N), 1.0, 3);
  const std::vector<double> U = test::normal_vector(std::size_t(shape.N), 1.0, 4);
  for (Activation a : {Activation::tanh, Activation::gelu, Activation::sin}) {
    std::vector<double> z(shape.num_biases()), t(z.size()), z_net(z.size()), zp(z.size()), zm(z.size());
    tangent_forward(shape, a, W.data(), b.data(), X.data(), U.data(), z.data(), t.data());
    Network net(shape, a, Loss::mse);
    net.forward(W.data(), b.data(), X.data(), 1);
    net.neurons(0, z_net.data());
    CHECK(test::max_abs_diff(z.data(), z_net.data(), z.size()) < 1e-13);
    // Central difference of the network itself: error O(h^2) ~ 1e-10.
    const double h = 1e-5;
    std::vector<double> Xp(X), Xm(X);
    for (int i = 0; i < shape.N; ++i) {
      Xp[std::size_t(i)] += h * U[std::size_t(i)];
      Xm[std::size_t(i)] -= h * U[std::size_t(i)];
    }
    net.forward(W.data(), b.data(), Xp.data(), 1);
    net.neurons(0, zp.data());
    net.forward(W.data(), b.data(), Xm.data(), 1);
    net.neurons(0, zm.data());
    double worst = 0.0;
    for (std::size_t j = 0; j < z.size(); ++j) worst = std::max(worst, std::fabs((zp[j] - zm[j]) / (2 * h) - t[j]));
    CHECK(worst < 1e-8);
  }
}

TEST_CASE("depth fits recover the parameters of exact data", "[depth]") {
  std::vector<double> x, y, yp, w;
  for (int m = 3; m <= 30; ++m) {
    x.push_back(m);
    y.push_back(0.7 - m / 4.5);                              // ln of 2.01 exp(-m/4.5)
    yp.push_back(0.31 + 0.4 * std::exp(-double(m) / 6.0));  // plateau 0.31
    w.push_back(1.0 + 0.1 * m);
  }
  const LineFit line = weighted_line_fit(x, y, w);
  REQUIRE(line.ok);
  CHECK(line.slope == Approx(-1 / 4.5).epsilon(1e-12));
  CHECK(line.intercept == Approx(0.7).epsilon(1e-12));
  const PlateauFit plateau = exponential_plateau_fit(x, yp, w);
  REQUIRE(plateau.ok);
  CHECK(plateau.plateau == Approx(0.31).epsilon(1e-8));
  CHECK(plateau.amplitude == Approx(0.4).epsilon(1e-7));
  CHECK(-1 / std::log(plateau.lambda) == Approx(6.0).epsilon(1e-7));
  // No visible decay: the plateau is not determined.
  std::vector<double> flat(x.size(), 0.5);
  for (std::size_t i = 0; i < flat.size(); ++i) flat[i] += 1e-3 * x[i];
  CHECK_FALSE(exponential_plateau_fit(x, flat, w).ok);
}

// Wide fan-in K = 33 (N = 64, r = 16), tanh, sigma_b = 0.3 (transition at sigma_w = 1.3956).
TEST_CASE("measured depth scale xi_c in the ordered phase is within 15% of mean field", "[depth]") {
  const NetworkShape shape{40, 64, 16};
  PropagationOptions o;
  o.networks = 128;
  o.pairs = 4;
  o.seed = 2024;
  const std::vector<double> sigma_w{0.9, 1.1};
  const PropagationScan scan = propagate(shape, Activation::tanh, sigma_w, 0.3, o);
  for (const PropagationResult& p : scan.points) {
    INFO("sigma_w = " << p.sigma_w << ": xi_c = " << p.fit_c.xi.value << " +- " << p.fit_c.xi.error
                      << " over layers " << p.fit_c.first << ".." << p.fit_c.last << ", mean field "
                      << p.mean_field.xi_c << "; " << p.fit_c.note);
    REQUIRE(p.mean_field.ordered());
    REQUIRE(p.c_star_method == FixedPointMethod::one);  // the tangent decays: c* = 1
    REQUIRE(p.fit_c.ok);
    CHECK(p.fit_c.last - p.fit_c.first >= 5);
    CHECK(std::fabs(p.fit_c.xi.value / p.mean_field.xi_c - 1.0) < 0.15);
    // The per-layer correlation follows the mean-field recursion (finite-K corrections are
    // O(1/K) ~ 3%).
    for (int m = 0; m < shape.M; ++m) CHECK(std::fabs(p.c[std::size_t(m)].value - p.c_mean_field[std::size_t(m)]) < 0.02);
  }
}

TEST_CASE("measured order-to-chaos transition lies at mean-field chi_1 = 1 within the statistical error", "[depth]") {
  const NetworkShape shape{32, 64, 16};
  const double sigma_b = 0.3, critical = critical_sigma_w(Activation::tanh, sigma_b);
  PropagationOptions o;
  o.networks = 256;
  o.pairs = 2;
  o.seed = 77;
  const std::vector<double> sigma_w{critical - 0.075, critical - 0.025, critical + 0.025, critical + 0.075};
  const PropagationScan scan = propagate(shape, Activation::tanh, sigma_w, sigma_b, o);
  const TransitionEstimate& t = scan.transition;
  INFO("measured sigma_w at chi_1 = 1: " << t.sigma_w.value << " +- " << t.sigma_w.error << ", mean field "
                                          << t.sigma_w_mean_field << " (" << t.note << ")");
  REQUIRE(t.ok);
  CHECK(t.sigma_w_mean_field == Approx(critical));
  // The band is only as wide as the measurement is sharp: 3 standard errors, each < 0.01.
  // (This seed: 1.3920 +- 0.0065. At K = 33 the measured chi_1 exceeds mean field by ~0.5%,
  // a finite-fan-in effect that moves the transition by ~ -0.01: several times the
  // statistics used here would resolve it; docs/long-range-order.md has the numbers.)
  CHECK(t.sigma_w.error < 0.01);
  CHECK(std::fabs(t.sigma_w.value - t.sigma_w_mean_field) < 3.0 * t.sigma_w.error);
  // Both sides: chi_1 measured from the tangent growth brackets 1 as mean field says.
  CHECK(scan.points.front().fit_tangent.chi.value < 1.0);
  CHECK(scan.points.back().fit_tangent.chi.value > 1.0);
}

TEST_CASE("propagation results do not depend on the number of threads", "[depth]") {
  const NetworkShape shape{12, 32, 4};
  PropagationOptions o;
  o.networks = 24;
  o.pairs = 2;
  o.seed = 5;
  std::vector<PropagationScan> runs;
  for (int threads : {1, 2, 5}) {
    o.threads = threads;
    runs.push_back(propagate(shape, Activation::tanh, {1.0, 1.6}, 0.2, o));
  }
  for (std::size_t k = 1; k < runs.size(); ++k)
    for (std::size_t s = 0; s < 2; ++s) {
      const PropagationResult &a = runs[0].points[s], &b = runs[k].points[s];
      for (int m = 0; m < shape.M; ++m) {
        CHECK(a.c[std::size_t(m)].value == b.c[std::size_t(m)].value);
        CHECK(a.c[std::size_t(m)].error == b.c[std::size_t(m)].error);
        CHECK(a.tangent[std::size_t(m)].value == b.tangent[std::size_t(m)].value);
      }
      CHECK(a.fit_tangent.slope.value == b.fit_tangent.slope.value);
      CHECK(a.fit_c.slope.value == b.fit_c.slope.value);
    }
}
