// How run files store values (docs/output-schema.md, "Types and units", "Dimensions",
// "Storage"): compression that keeps every bit, int64 counts, and the writer refusing
// axes it cannot name.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "nnfield/io/h5io.hpp"
#include "nnfield/io/h5io_catalog.hpp"

namespace fs = std::filesystem;
using namespace nnfield;

namespace {

// A file name in a fresh folder, removed with the folder at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : m_dir(fs::temp_directory_path() / ("nnfield_h5_storage_" + std::to_string(::getpid()) + "_" + name)) {
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }
  std::string path() const { return (m_dir / "file.h5").string(); }

 private:
  fs::path m_dir;
};

Provenance provenance() {
  Provenance p;
  p.seed = 7;
  p.command_line = "test";
  return p;
}

// Values compression must not alter: random doubles of every magnitude, signed zeros,
// subnormals, infinities and NaNs with payloads.
std::vector<double> awkward_values(std::size_t n) {
  std::mt19937_64 rng(12345);
  std::vector<double> v(n);
  for (double& x : v) {
    const std::uint64_t bits = rng();
    std::memcpy(&x, &bits, sizeof x);  // any bit pattern, NaN payloads included
  }
  v[0] = -0.0;
  v[1] = std::numeric_limits<double>::denorm_min();
  v[2] = -std::numeric_limits<double>::infinity();
  for (std::size_t i = n / 8; i < n; ++i) v[i] = 0.25 * double(i % 1000);  // regular: compresses well
  return v;
}

bool bitwise_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("compressed datasets keep every bit", "[h5io][storage]") {
  const TempFile file("compressed");
  const std::string path = file.path();
  const std::size_t rows = 7, M = 8, N = 32, K = 3;  // W rows of 6 KiB: a compressed series
  const std::vector<double> fixed = awkward_values(40000);  // 320 KB: a compressed fixed array
  std::vector<std::vector<double>> W;
  {
    RunWriter w(path, false, provenance());
    w.write_array("/data/X", {400, 100}, fixed.data(), "S,P", "awkward values");
    const int t = w.add_series("/trajectory/time", {}, "T", "time", time_values());
    const int s = w.add_series("/trajectory/W", {M, N, K}, "T,M,N,K", "weights");
    for (std::size_t r = 0; r < rows; ++r) {
      const double time = double(r);
      W.push_back(awkward_values(M * N * K));
      W.back()[5] = double(r);
      w.append(t, &time);
      w.append(s, W.back().data());
    }
    w.finish("complete");
  }
  CHECK(bitwise_equal(h5_read(path, "/data/X").data, fixed));
  const Array got = h5_read(path, "/trajectory/W");
  REQUIRE(got.shape == std::vector<std::size_t>{rows, M, N, K});
  for (std::size_t r = 0; r < rows; ++r) {
    const std::vector<double> row(got.data.begin() + std::ptrdiff_t(r * M * N * K),
                                  got.data.begin() + std::ptrdiff_t((r + 1) * M * N * K));
    CHECK(bitwise_equal(row, W[r]));
  }
  // Compressed: the whole file is smaller than the raw values of the fixed array alone.
  CHECK(fs::file_size(path) < fixed.size() * sizeof(double));
}

TEST_CASE("integer values are stored as int64, with units and dimension coordinates", "[h5io][storage]") {
  const TempFile file("integers");
  const std::string path = file.path();
  {
    RunWriter w(path, false, provenance());
    const int t = w.add_series("/trajectory/time", {}, "T", "time", time_values());
    const int s = w.add_series("/trajectory/step", {}, "T", "steps", integer_values());
    for (double r : {0.0, 3.0, 12.0}) {
      w.append(t, &r);
      w.append(s, &r);
    }
    w.set_root_integer("M", 128);
    w.set_root_unsigned("seed_of_something", std::uint64_t(1) << 63);
    w.finish("complete");
  }
  CHECK(h5_read_int(path, "/trajectory/step") == std::vector<long long>{0, 3, 12});
  CHECK(h5_read_string_attribute(path, "/trajectory/time", "units") == "model time unit");
  CHECK(h5_read_string_attribute(path, "/trajectory/step", "units") == "1");
  CHECK(h5_read_string_attribute(path, "/trajectory/step", "long_name") == "steps");
  // The root copy of the time series is the file's time coordinate, row for row.
  CHECK(h5_read(path, "/time").data == std::vector<double>{0.0, 3.0, 12.0});
  for (const H5AttributeValue& a : h5_catalog(path).root_attributes) {
    if (a.name == "M") CHECK((a.kind == H5AttributeValue::Kind::integer && a.integers == std::vector<std::int64_t>{128}));
    if (a.name == "seed_of_something") CHECK(a.unsigneds == std::vector<std::uint64_t>{std::uint64_t(1) << 63});
  }
}

TEST_CASE("the writer refuses axes it cannot name or size", "[h5io][storage]") {
  const TempFile file("axes");
  const std::string path = file.path();
  RunWriter w(path, false, provenance());
  const std::vector<double> v(6, 1.0);
  w.write_array("/a", {2, 3}, v.data(), "M,N", "fine");
  CHECK_THROWS_WITH(w.write_array("/b", {6}, v.data(), "Z", "no such axis"),
                    Catch::Contains("'/b' has the axis label 'Z', which names no dimension"));
  CHECK_THROWS_WITH(w.write_array("/c", {3, 2}, v.data(), "M,N", "depth 3, but the file's is 2"),
                    Catch::Contains("dimension 'depth' has length 2"));
  CHECK_THROWS_WITH(w.write_array("/d", {6}, v.data(), "M,N", "one axis, two labels"),
                    Catch::Contains("has 1 axes but index order 'M,N'"));
  CHECK_THROWS_WITH(w.add_series("/e", {}, "T", "a series before any time coordinate"),
                    Catch::Contains("no time coordinate yet"));
  w.finish("complete");
}

// Rows in pieces (a network split along its width: SeriesSink::append_pieces): blocks of
// columns of each line in any order give the rows append() gives, in a file and in memory.
TEST_CASE("rows appended in pieces are the rows appended whole", "[h5io][storage]") {
  const TempFile file("pieces");
  const std::size_t rows = 3, M = 4, N = 10, K = 5;
  const std::vector<std::size_t> blocks{0, 4, 7, 10};  // blocks of 4, 3, 3 columns
  std::vector<std::vector<double>> W;
  const auto in_pieces = [&](const std::vector<double>& row) {
    return RowPieces([&row, &blocks, M, N, K](const RowPiece& piece) {
      for (std::size_t m = 0; m < M; ++m)
        for (std::size_t p = blocks.size() - 1; p-- > 0;)  // the last block first: order is free
          piece(m, blocks[p], blocks[p + 1] - blocks[p], row.data() + (m * N + blocks[p]) * K);
    });
  };
  DatasetValues pieces;
  pieces.in_pieces = true;
  MemoryRun memory;
  const int in_memory = memory.add_series("/trajectory/W", {M, N, K}, "T,M,N,K", "weights");
  {
    RunWriter w(file.path(), false, provenance());
    const int t = w.add_series("/trajectory/time", {}, "T", "time", time_values());
    const int s = w.add_series("/trajectory/W", {M, N, K}, "T,M,N,K", "weights", pieces);
    for (std::size_t r = 0; r < rows; ++r) {
      const double time = double(r);
      w.append(t, &time);
      W.push_back(awkward_values(M * N * K));
      w.append_pieces(s, in_pieces(W.back()));
      memory.append_pieces(in_memory, in_pieces(W.back()));
    }
    w.finish("complete");
  }
  const Array got = h5_read(file.path(), "/trajectory/W");
  REQUIRE(got.shape == std::vector<std::size_t>{rows, M, N, K});
  std::vector<double> all;
  for (const auto& row : W) all.insert(all.end(), row.begin(), row.end());
  CHECK(bitwise_equal(got.data, all));
  CHECK(bitwise_equal(memory.dataset("/trajectory/W").data, all));
}
