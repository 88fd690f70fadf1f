// Field grid, lattice placement and continuum initial data with critical gain (docs/theory.md section 4, 4.1).
#include <catch2/catch.hpp>

#include <cmath>

#include "field_support.hpp"
#include "nnfield/bbd/bbd_variables.hpp"
#include "nnfield/data/continuum_data.hpp"
#include "nnfield/core/field_grid.hpp"
#include "support.hpp"

using namespace nnfield;

TEST_CASE("field grid spacings are independent of the lattice's", "[field]") {
  const LatticeGeometry lattice{NetworkShape{64, 32, 1}, 2.0, 0.5};
  const FieldGrid g = FieldGrid::coarse(lattice, 8, 4);
  CHECK(g.nx() == 9);
  CHECK(g.ny() == 8);
  CHECK(g.hx() == Approx(8 * lattice.ax()));
  CHECK(g.hy() == Approx(4 * lattice.ay()));
  CHECK(g.x(g.nx() - 1) == Approx(2.0));  // the output line is a node
  CHECK(g.w.size() == std::size_t(9 * 8 * 3));
  CHECK_THROWS(FieldGrid::coarse(lattice, 3, 1));
  const FieldGrid free_grid(5, 12, 1, 2.0, 0.5);  // any spacing, no lattice needed
  CHECK(free_grid.hx() == Approx(0.5));
  CHECK(free_grid.hy() == Approx(0.5 / 12));
}

TEST_CASE("a lattice-spaced grid holds exactly the sampled network", "[field]") {
  // The network is the grid with h = a: neuron z^(m) is grid row m, W[m] (m >= 1) is the
  // w field at grid row m+1 (the receiving neuron), W[0] is the input line's w_in.
  const ContinuumData d = test::smooth_critical_data(3);
  const int M = 16, N = 12;
  const SampledNetwork net = sample_network(d, M, N);
  const LatticeGeometry& l = net.lattice;
  FieldGrid g = FieldGrid::coarse(l, 1, 1);
  sample_on_grid(d, l.ax(), l.ay(), g);
  const NetworkShape& s = l.shape;
  double worst = 0.0;
  for (int m = 1; m <= M; ++m)
    for (int i = 0; i < N; ++i) worst = std::max(worst, std::fabs(g.phi[g.index(m, i)] - net.z[s.b_index(m - 1, i)]));
  for (int m = 1; m < M; ++m)
    for (int i = 0; i < N; ++i)
      for (int k = 0; k < 3; ++k)
        worst = std::max(worst, std::fabs(g.w[g.w_index(m + 1, i, k)] - net.W[s.w_index(m, i, k)]));
  for (int i = 0; i < N; ++i) {
    for (int k = 0; k < 3; ++k) worst = std::max(worst, std::fabs(g.w_in[std::size_t(3 * i + k)] - net.W[s.w_index(0, i, k)]));
    worst = std::max(worst, std::fabs(g.X[std::size_t(i)] - net.X[std::size_t(i)]));
  }
  CHECK(worst == 0.0);  // same function, same points: bit-identical
  // Generic sampling helpers put neurons at m ax and links at (m+1) ax.
  std::vector<double> zs(s.num_biases()), ls(s.num_biases());
  sample_neurons([](double x, double y) { return x + 10 * y; }, l, zs.data());
  sample_links([](double x, double y) { return x + 10 * y; }, l, ls.data());
  CHECK(zs[s.b_index(2, 3)] == Approx(3 * l.ax() + 10 * 3 * l.ay()));
  CHECK(ls[s.b_index(2, 3)] == Approx(3 * l.ax() + 10 * 3 * l.ay()));
  CHECK(ls[s.b_index(0, 0)] == Approx(l.ax()));
}

TEST_CASE("continuum data give a network with the data's neurons and critical gain", "[field]") {
  const ContinuumData d = test::smooth_critical_data(5);
  for (auto [M, N] : {std::pair{8, 8}, std::pair{32, 16}, std::pair{64, 64}}) {
    const SampledNetwork net = sample_network(d, M, N);
    const NetworkShape& s = net.lattice.shape;
    const double ax = net.lattice.ax();
    // The forward pass of (W, b) on X reproduces phi at every neuron (Eq. 1 inverts Eq. 6).
    std::vector<double> z(s.num_biases());
    to_bbd(s, d.activation, net.W.data(), net.b.data(), net.X.data(), z.data());
    INFO("M=" << M << " N=" << N);
    CHECK(test::max_abs_diff(z.data(), net.z.data(), z.size()) < 1e-12);
    for (int m = 1; m <= M; ++m)
      CHECK(net.z[s.b_index(m - 1, 5 % N)] == d.phi(m * ax, (5 % N) * net.lattice.ay()));
    // g = 1 + ax c at every bulk link, measured from the sampled W and z.
    double worst = 0.0;
    for (int m = 1; m < M; ++m)
      for (int i = 0; i < N; ++i) {
        const double expected = 1.0 + ax * d.c(net.lattice.link_x(m), net.lattice.y(i));
        worst = std::max(worst, std::fabs(net.gain[s.b_index(m - 1, i)] - expected));
      }
    CHECK(worst < 1e-14);
    // The gain deviation is O(ax): max|g-1|/ax is the data's max|c|, the same at every M.
    double max_c = 0.0;
    for (int m = 1; m < M; ++m)
      for (int i = 0; i < N; ++i) max_c = std::max(max_c, std::fabs(d.c(net.lattice.link_x(m), net.lattice.y(i))));
    CHECK(net.max_gain_deviation() / ax == Approx(max_c).epsilon(1e-9));
  }
}
