// init.kind = "critical" (docs/theory.md 4.1): a network sampled from continuum data has gain
// g = 1 + ax c(x, y) at every bulk link, whatever its resolution, and runs report g.
#include <catch2/catch.hpp>

#include <cmath>
#include <utility>
#include <vector>

#include "field_support.hpp"
#include "nnfield/run/run.hpp"
#include "support.hpp"

using namespace nnfield;

namespace {

ModelConfig critical_model(int M, int N) {
  ModelConfig c = test::small_model(M, N, 1);
  c.init.kind = InitKind::critical;
  c.init.smooth.c_amplitude = 1.5;
  c.data.x_kind = InputKind::smooth;
  return c;
}

// (g - 1) / ax per bulk link, (M-1, N).
std::vector<double> gain_deviation_over_ax(const ModelConfig& c) {
  std::vector<double> g = test::initial_link_gain(c);
  const double ax = c.network.Lx / c.network.shape.M;
  for (double& v : g) v = (v - 1.0) / ax;
  return g;
}

}  // namespace

TEST_CASE("critical initial states have g = 1 + ax c at every resolution", "[init]") {
  const auto coarse = gain_deviation_over_ax(critical_model(16, 16));
  const auto fine = gain_deviation_over_ax(critical_model(32, 32));
  // Link (m, i) of the coarse network sits at ((m+1)/16, i/16): link (2m+1, 2i) of the fine one.
  double worst = 0.0, scale = 0.0;
  for (int m = 1; m < 16; ++m)
    for (int i = 0; i < 16; ++i) {
      const double a = coarse[std::size_t((m - 1) * 16 + i)];
      const double b = fine[std::size_t((2 * m + 1 - 1) * 32 + 2 * i)];
      worst = std::max(worst, std::fabs(a - b));
      scale = std::max(scale, std::fabs(a));
    }
  INFO("max |(g-1)/ax| = " << scale << ", coarse vs fine differ by " << worst);
  CHECK(scale > 0.1);              // the gain deviation is really there
  CHECK(worst <= 1e-9 * scale);    // and it is the same field c at both resolutions
}

TEST_CASE("runs report the gain of every bulk link", "[init][run]") {
  ModelConfig c = critical_model(8, 12);
  c.dynamics.t_end = 1.0;
  c.output.every = 0.5;
  RunOptions options;
  options.progress = "off";
  const RunResult r = run_model(c, options);
  const auto& g = r.memory->dataset("/trajectory/gain");
  REQUIRE(g.shape == std::vector<std::size_t>{3, 7, 12});
  CHECK(g.index_order == "T,M-1,N");
  double first = 0.0;
  for (std::size_t j = 0; j < 7 * 12; ++j) first = std::max(first, std::fabs(g.data[j]));
  CHECK(r.memory->number_attributes().at("gain_deviation_initial") == Approx(first));
  CHECK(first <= 1.5 * 4.0 / 8.0);  // |g - 1| = ax |c|, c of RMS 1.5
}

// A split network's process measures the gains of its block's links alone
// (link_gain_of_columns): the whole network's gains, bit for bit, at the seams and inside,
// for blocks narrower than the stencil too.
TEST_CASE("the gains of a block of columns are the whole network's", "[init]") {
  const NetworkShape s{4, 11, 2};
  std::vector<double> W(s.num_weights()), z(s.num_biases());
  for (std::size_t j = 0; j < W.size(); ++j) W[j] = std::sin(0.7 * double(j));
  for (std::size_t j = 0; j < z.size(); ++j) z[j] = std::cos(1.3 * double(j));
  const std::vector<double> whole = link_gain(s, Activation::tanh, W.data(), z.data());
  for (const auto& [first, width] : {std::pair<int, int>{0, 4}, {4, 3}, {8, 3}, {5, 1}, {0, 11}}) {
    std::vector<double> W_block;
    for (int m = 0; m < s.M; ++m)
      W_block.insert(W_block.end(), W.begin() + std::ptrdiff_t(s.w_index(m, first, 0)),
                     W.begin() + std::ptrdiff_t(s.w_index(m, first, 0) + std::size_t(width * s.K())));
    const std::vector<double> g = link_gain_of_columns(s, Activation::tanh, W_block.data(), z.data(), first, width);
    REQUIRE(g.size() == std::size_t((s.M - 1) * width));
    for (int m = 0; m < s.M - 1; ++m)
      for (int i = 0; i < width; ++i)
        CHECK(g[std::size_t(m * width + i)] == whole[s.b_index(m, first + i)]);
  }
}
