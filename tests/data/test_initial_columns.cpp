// A width split's processes build their blocks of the initial state alone
// (make_initial_columns, docs/cluster.md "Memory"): for every init.kind and init.velocity,
// each block of K = 1, 2, 3 blocks of a width N divisible by neither 2 nor 3 is the
// one-process state's columns, bit for bit. N = 20 at r = 1, M = 3 builds the blocks on
// windows narrower than the width, wrapping round the seam (the first block's left ghosts
// are the last columns); N = 10 at r = 2 also on windows that reach round the whole width.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "nnfield/core/width_halo.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/data/initial_state.hpp"
#include "nnfield/io/h5io.hpp"
#include "support.hpp"

using namespace nnfield;

namespace {

// An initial-state file of random W, b, W', b' for `shape`, removed with the object.
class StateFile {
 public:
  explicit StateFile(const NetworkShape& shape) {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    m_path = (std::filesystem::temp_directory_path() /
              ("nnfield_initial_columns_" + std::to_string(stamp) + "_" + std::to_string(std::random_device()()) +
               "_" + std::to_string(counter++) + ".h5"))
                 .string();
    InitialState s;
    s.W = test::normal_vector(shape.num_weights(), 0.4, 11);
    s.b = test::normal_vector(shape.num_biases(), 0.2, 12);
    s.Wdot = test::normal_vector(shape.num_weights(), 0.1, 13);
    s.bdot = test::normal_vector(shape.num_biases(), 0.1, 14);
    write_initial_state(m_path, shape, s);
  }
  ~StateFile() {
    std::error_code ec;
    std::filesystem::remove(m_path, ec);
  }
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

// The number of values of block `block` that differ from the whole state's (bitwise ==).
std::size_t differing(const ParameterState& whole, const ParameterState& block, const NetworkShape& s,
                      const WidthBlock& wb) {
  const NetworkShape b{s.M, wb.width, s.r};
  std::size_t wrong = 0;
  const auto compare = [&](std::size_t in_block, std::size_t in_whole) {
    wrong += block.q[in_block] != whole.q[in_whole];
    wrong += block.v[in_block] != whole.v[in_whole];
  };
  for (int m = 0; m < s.M; ++m)
    for (int i = 0; i < wb.width; ++i) {
      for (int k = 0; k < s.K(); ++k) compare(b.w_index(m, i, k), s.w_index(m, wb.first + i, k));
      compare(b.num_weights() + b.b_index(m, i), s.num_weights() + s.b_index(m, wb.first + i));
    }
  return wrong;
}

void check_blocks(const ModelConfig& c) {
  const NetworkShape& s = c.network.shape;
  DataStream data(make_samples(c), c.data, c.seed);
  const ParameterState whole = make_initial_state(c, data);
  REQUIRE(whole.q.size() == s.num_params());
  for (int K = 1; K <= 3; ++K)
    for (int p = 0; p < K; ++p) {
      const WidthBlock wb = width_block(s.N, K, p);
      const ParameterState block = make_initial_columns(c, data, wb.first, wb.width);
      const NetworkShape b{s.M, wb.width, s.r};
      INFO("K = " << K << ", block " << p << " (columns " << wb.first << " .. " << wb.first + wb.width - 1 << ")");
      REQUIRE(block.q.size() == b.num_params());
      REQUIRE(block.v.size() == b.num_params());
      CHECK(differing(whole, block, s, wb) == 0);
    }
}

}  // namespace

TEST_CASE("initial states built block by block are the whole state's columns, bit for bit", "[init]") {
  const std::vector<std::pair<InitKind, std::vector<InitVelocity>>> kinds{
      {InitKind::random,
       {InitVelocity::zero, InitVelocity::random, InitVelocity::smooth, InitVelocity::continuum, InitVelocity::file}},
      {InitKind::file,
       {InitVelocity::zero, InitVelocity::random, InitVelocity::smooth, InitVelocity::continuum, InitVelocity::file}},
      {InitKind::smooth, {InitVelocity::zero, InitVelocity::random, InitVelocity::smooth}},
      {InitKind::critical, {InitVelocity::zero, InitVelocity::smooth}},
      {InitKind::continuum, {InitVelocity::zero, InitVelocity::continuum}}};
  for (const auto& [N, r] : {std::pair<int, int>{20, 1}, {10, 2}}) {
    ModelConfig c = test::small_model(3, N, r);
    c.init.sigma_b = 0.2;
    c.init.sigma_v = 0.3;
    c.init.smooth.modes.push_back({ModeField::phi, 0, 1, 2, 0.3, 0.1});
    c.continuum.phi_dot = "0.2*cos(2*pi*y) + 0.1*x";
    const StateFile file(c.network.shape);
    c.init.file = file.path();
    for (const auto& [kind, velocities] : kinds)
      for (InitVelocity velocity : velocities) {
        c.init.kind = kind;
        c.init.velocity = velocity;
        INFO("N = " << N << ", r = " << r << ", init.kind = " << name(kind) << ", init.velocity = " << name(velocity));
        check_blocks(c);
      }
  }
}

TEST_CASE("an initial-state file read by columns names a non-finite value by its whole index", "[init]") {
  const NetworkShape s{2, 10, 1};
  const StateFile file(s);
  InitialState bad = read_initial_state(file.path(), s);
  bad.b[s.b_index(1, 8)] = std::nan("");
  write_initial_state(file.path(), s, bad);
  const std::string expected = file.path() + ": dataset '/b' has a non-finite value (nan) at index (1,8)";
  const auto error_of = [&](const ColumnWindow& w) {
    try {
      read_initial_columns(file.path(), s, w);
    } catch (const H5Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of(ColumnWindow::whole(s.N)) == expected);
  CHECK(error_of(ColumnWindow(WidthBlock{s.N, 7, 3}, 0)) == expected);
  CHECK(error_of(ColumnWindow(WidthBlock{s.N, 0, 3}, 2)) == expected);  // site 8 read round the seam
  CHECK(error_of(ColumnWindow(WidthBlock{s.N, 0, 4}, 0)) == "no error");
}
