// Local consistency of the truncated theory at order p (docs/theory.md 4.3 first bullet, 4.5):
// max|b_lattice - beta_p| falls as ax^(p+1) for the implicit forward-expanded form (i).
#include <catch2/catch.hpp>

#include <cmath>
#include <iostream>

#include "field_support.hpp"
#include "nnfield/analysis/truncated_bias.hpp"

using namespace nnfield;

TEST_CASE("implicit forward form: bias residual falls at order p+1", "[field]") {
  // ax and ay refined together (N = M); the width shifts are exact, so the residual is
  // the depth truncation's alone.
  const ContinuumData d = test::smooth_critical_data(17);
  const std::vector<int> Ms = {32, 64, 128};
  std::vector<SampledNetwork> nets;
  std::vector<double> ax;
  for (int M : Ms) {
    nets.push_back(sample_network(d, M, M));
    ax.push_back(nets.back().lattice.ax());
  }
  for (int p = 0; p <= 3; ++p) {
    std::vector<double> res;
    for (const auto& net : nets) res.push_back(implicit_forward_residual(d, net, p));
    const double order = test::loglog_slope(ax, res);
    std::cout << "[field] local residual p=" << p << ": " << res[0] << " " << res[1] << " " << res[2]
              << "  order " << order << "\n";
    INFO("p=" << p << " residuals " << res[0] << ", " << res[1] << ", " << res[2] << " measured order " << order);
    CHECK(std::fabs(order - (p + 1)) < 0.1);
  }
}

TEST_CASE("the residual is the truncation's: zero for a depth-independent neuron field", "[field]") {
  // With phi independent of x, T_p[phi](x; ax) = phi(x + ax) for every p >= 0, so the
  // residual must be round-off whatever the weights: the measurement sees only the depth
  // truncation, not the sampling, the gain rule or Eq. 6.
  ContinuumData d = test::smooth_critical_data(19);
  d.phi = SmoothField(d.Lx, d.Ly);
  d.phi.set_mean(0.1);
  d.phi.add_mode(0, 2, 0.4, 0.3);
  const SampledNetwork net = sample_network(d, 32, 32);
  for (int p = 0; p <= 3; ++p) CHECK(implicit_forward_residual(d, net, p) < 1e-14);
}
