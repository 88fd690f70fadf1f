// A run kept in memory holds only what its caller reads (MemoryCapture: `nnfield compare`
// keeps W, b, z at t = 0 and the compared times of its largest networks): the rows it holds
// are bitwise those of the full run, the others are not held at all, and the largest gain
// deviation it reports is the maximum over every row of the gain it did not keep.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/run/run.hpp"

using namespace nnfield;

namespace {

RunResult run_with(const MemoryCapture& capture) {
  const ModelConfig c = load_model_file(NNFIELD_SOURCE_DIR "/models/continuum_network.toml",
                                        {"network.M=8", "network.N=8", "output.every=0.25"});
  RunOptions o;
  o.progress = "off";
  o.capture = capture;
  RunResult r = run_model(c, o);
  REQUIRE(r.status == RunStatus::complete);
  return r;
}

// Row k of a held series.
std::vector<double> row(const MemoryRun::Dataset& d, std::size_t k) {
  const std::size_t n = d.data.size() / d.shape[0];
  return std::vector<double>(d.data.begin() + std::ptrdiff_t(k * n), d.data.begin() + std::ptrdiff_t((k + 1) * n));
}

}  // namespace

TEST_CASE("memory capture: only the rows and series asked for, bitwise the full run's", "[run]") {
  const RunResult full = run_with({});
  const RunResult few = run_with({{"/trajectory/time", "/trajectory/W", "/trajectory/z"}, {0, 3, 8}});
  const MemoryRun &a = *full.memory, &b = *few.memory;
  REQUIRE(a.dataset("/trajectory/time").shape[0] == 9);  // t = 0, 0.25, ..., 2
  for (const char* name : {"/trajectory/time", "/trajectory/W", "/trajectory/z"}) {
    INFO(name);
    const MemoryRun::Dataset& held = b.dataset(name);
    REQUIRE(held.shape[0] == 3);
    CHECK(std::vector<std::size_t>(held.shape.begin() + 1, held.shape.end()) ==
          std::vector<std::size_t>(a.dataset(name).shape.begin() + 1, a.dataset(name).shape.end()));
    const std::size_t rows[] = {0, 3, 8};
    for (std::size_t k = 0; k < 3; ++k) CHECK(row(held, k) == row(a.dataset(name), rows[k]));
  }
  // Series not asked for are not held; fixed arrays and attributes are.
  for (const char* name : {"/trajectory/b", "/trajectory/gain", "/trajectory/loss", "/energy/total"}) {
    CHECK(a.has(name));
    CHECK_FALSE(b.has(name));
  }
  CHECK(b.dataset("/data/X").data == a.dataset("/data/X").data);
  CHECK(b.number_attributes().at("gain_deviation_initial") == a.number_attributes().at("gain_deviation_initial"));
  // The largest gain deviation is the maximum of |g - 1| over every row of the full run's gain.
  double worst = 0.0;
  for (double g : a.dataset("/trajectory/gain").data) worst = std::max(worst, std::fabs(g));
  CHECK(full.max_gain_deviation == worst);
  CHECK(few.max_gain_deviation == worst);
  CHECK(few.final_loss == full.final_loss);
}
