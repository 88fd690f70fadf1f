// Stability check of the truncated theory (docs/theory.md 4.3, 4.5): the frozen-coefficient depth
// symbol's roots. Derivation: docs/field-limit.md section 4.
#include <catch2/catch.hpp>

#include <cmath>
#include <iostream>
#include <limits>
#include <tuple>
#include <vector>

#include "field_support.hpp"
#include "nnfield/field/depth_stability.hpp"
#include "nnfield/numerics/rng.hpp"

using namespace nnfield;

namespace {
double max_real(const std::vector<std::complex<double>>& roots) {
  double m = -1e300;
  for (const auto& z : roots) m = std::max(m, z.real());
  return m;
}
}  // namespace

TEST_CASE("depth symbol roots: the exact layer map's root and the spurious ones", "[field]") {
  using DF = DepthForm;
  // G = 1 (critical gain, kappa = 0): e_2(l) = 1 -> l in {0, -2}; backward G e_2(-l) = 1 -> {0, +2},
  // the spurious exp(+2 x/ax) of docs/theory.md 4.3.
  auto r_impl = depth_symbol_roots(2, DF::implicit_forward, 1.0);
  auto r_back = depth_symbol_roots(2, DF::backward_taylor, 1.0);
  REQUIRE(r_impl.size() == 2);
  CHECK(max_real(r_impl) == Approx(0.0).margin(1e-14));
  CHECK(std::min(r_impl[0].real(), r_impl[1].real()) == Approx(-2.0));
  CHECK(max_real(r_back) == Approx(2.0));
  CHECK(depth_symbol_roots(0, DF::implicit_forward, 1.0).empty());  // p = 0: no depth dynamics
  // One root approximates the exact map's exponent log G to the truncation order:
  // |lambda - log G| = O(eps^(p+1)) for G = 1 + eps.
  for (int p = 1; p <= 4; ++p) {
    std::vector<double> eps = {0.04, 0.02, 0.01}, err;
    for (double e : eps) {
      const std::complex<double> G(1.0 + e, 0.5 * e);
      double best = 1e300;
      for (const auto& l : depth_symbol_roots(p, DF::implicit_forward, G)) best = std::min(best, std::abs(l - std::log(G)));
      err.push_back(best);
    }
    const double order = test::loglog_slope(eps, err);
    INFO("p=" << p << " order of the physical root " << order);
    CHECK(std::fabs(order - (p + 1)) < 0.15);
  }
}

TEST_CASE("stability check: p = 1 and the implicit form to p = 4 pass, backward p = 2 and implicit p >= 5 are refused",
          "[field]") {
  const ContinuumData d = test::smooth_critical_data(23);
  const SampledNetwork net = sample_network(d, 32, 32);
  const int N = net.lattice.shape.N;
  StabilitySettings st;

  // p = 1 (transport): lambda = G - 1, and with positive neighbour coefficients Re G is
  // largest at kappa = 0, where G = g: the check reports the physical growth max(ax c).
  st.p = 1;
  const StabilityReport p1 = depth_stability(net, d.activation, N, st);
  std::cout << "[field] stability implicit p=1: " << p1.worst << " (max g-1 = " << net.max_gain_deviation() << ")\n";
  CHECK(p1.stable());
  double max_g = -1e300;
  for (double g : net.gain) max_g = std::max(max_g, g - 1.0);
  CHECK(p1.worst == Approx(max_g).margin(1e-13));
  CHECK(p1.max_growth.size() == std::size_t(net.lattice.shape.M - 1));

  for (int p = 2; p <= 6; ++p) {
    st.p = p;
    st.form = DepthForm::implicit_forward;
    const StabilityReport impl = depth_stability(net, d.activation, N, st);
    st.form = DepthForm::backward_taylor;
    const StabilityReport back = depth_stability(net, d.activation, N, st);
    std::cout << "[field] stability p=" << p << ": implicit " << impl.worst << ", backward " << back.worst << "\n";
    INFO("p=" << p << " implicit " << impl.worst << " backward " << back.worst);
    CHECK(impl.stable() == (p <= 4));
    CHECK_FALSE(back.stable());  // ill-posed for every p >= 2
    if (p == 2) CHECK(back.worst > 1.9);  // the spurious root near +2 per layer
  }
}

TEST_CASE("Taylor-expanded width shifts destabilise the implicit form at p >= 3 on sub-lattice modes", "[field]") {
  // A width grid 4x finer than the lattice carries modes beyond the lattice Nyquist pi/ay.
  // The exact shift is periodic in kappa (those modes alias onto lattice ones); the Taylor
  // shift grows like (ay kappa)^p there (docs/theory.md 4.3: 18x at p = 2).
  const ContinuumData d = test::smooth_critical_data(23);
  const SampledNetwork net = sample_network(d, 32, 32);
  const int N = net.lattice.shape.N;
  for (int p = 1; p <= 4; ++p) {
    StabilitySettings st;
    st.p = p;
    const double exact_lattice = depth_stability(net, d.activation, N, st).worst;
    const double exact_fine = depth_stability(net, d.activation, 4 * N, st).worst;
    st.width = WidthShift::taylor;
    const double taylor_lattice = depth_stability(net, d.activation, N, st).worst;
    const double taylor_fine = depth_stability(net, d.activation, 4 * N, st).worst;
    std::cout << "[field] width shift p=" << p << ": exact " << exact_lattice << " / " << exact_fine << ", taylor "
              << taylor_lattice << " / " << taylor_fine << " (lattice / 4x finer width grid)\n";
    INFO("p=" << p << " exact " << exact_lattice << " / " << exact_fine << " taylor " << taylor_lattice << " / "
              << taylor_fine);
    CHECK(exact_fine == Approx(exact_lattice).margin(1e-12));
    CHECK(exact_fine < stability_threshold);
    CHECK((taylor_fine < stability_threshold) == (p <= 2));
  }
}

TEST_CASE("the stability check's maxima do not depend on how its sites are cut into jobs or threads", "[field]") {
  // A reference computed the plain way (every root, |lambda| by std::abs, sites in order)
  // against depth_stability, whose sites go in pieces of about 2^16 symbols (here 3 or 8
  // sites a piece: several pieces a layer), on 1 and 3 threads: the same numbers, bit for bit.
  Rng rng(5);
  const int layers = 3, n = 10, r = 2, K = 2 * r + 1;
  std::vector<double> s(std::size_t(layers * n * K));
  for (double& v : s) v = 0.2 + 0.3 * rng.normal();
  const double Ly = 1.0, ay = Ly / n;
  for (const auto& [form, p, ny] : {std::tuple{DepthForm::midpoint, 2, 1 << 15}, std::tuple{DepthForm::exact, 1, 1 << 15},
                                    std::tuple{DepthForm::implicit_forward, 2, 1 << 14}}) {
    StabilitySettings st;
    st.p = p;
    st.form = form;
    std::vector<double> growth(std::size_t(layers), -std::numeric_limits<double>::infinity()),
        modulus(std::size_t(layers), 0.0);
    for (int m = 0; m < layers; ++m)
      for (int i = 0; i < n; ++i)
        for (int q = 0; q <= ny / 2; ++q)
          for (const auto& lambda : depth_symbol_roots(p, form, width_symbol(s.data() + (m * n + i) * K, r, ay,
                                                                              2.0 * M_PI * q / Ly, st))) {
            growth[std::size_t(m)] = std::max(growth[std::size_t(m)], lambda.real());
            modulus[std::size_t(m)] = std::max(modulus[std::size_t(m)], std::abs(lambda));
          }
    for (unsigned threads : {1u, 3u}) {
      const StabilityReport rep = depth_stability(s, layers, n, r, ay, Ly, ny, st, threads);
      CHECK(rep.max_growth == growth);
      CHECK(rep.max_modulus == modulus);
    }
  }
}
