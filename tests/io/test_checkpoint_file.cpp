// Checkpoint files (include/nnfield/io/checkpoint_file.hpp): bitwise round trips, atomic
// replacement (a write cut short leaves the previous checkpoint), corrupt files refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <unistd.h>

#include "nnfield/io/checkpoint_file.hpp"

namespace fs = std::filesystem;
using namespace nnfield;

namespace {

struct ScratchFolder {
  fs::path path = fs::temp_directory_path() / ("nnfield_ckpt_" + std::to_string(::getpid()));
  ScratchFolder() { fs::create_directories(path); }
  ~ScratchFolder() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("checkpoint file: entries come back bit for bit", "[io][checkpoint]") {
  ScratchFolder dir;
  const std::string path = (dir.path / "run.h5.ckpt").string();
  const std::vector<double> reals{0.1, -0.0, std::numeric_limits<double>::denorm_min(),
                                  std::numeric_limits<double>::quiet_NaN(), 1e308};
  CheckpointFile out;
  out.set("x", reals);
  out.set("empty", std::vector<double>{});
  out.set("counts", std::vector<std::int64_t>{-3, std::int64_t(1) << 62});
  out.set("text", std::string("a\0b\n", 4));
  out.write(path);
  const CheckpointFile in = CheckpointFile::read(path);
  CHECK(same_bits(in.reals("x"), reals));
  CHECK(in.reals("empty").empty());
  CHECK(in.integers("counts") == std::vector<std::int64_t>{-3, std::int64_t(1) << 62});
  CHECK(in.text("text") == std::string("a\0b\n", 4));
  CHECK_THROWS_WITH(in.real("missing"), Catch::Contains(path) && Catch::Contains("'missing'"));
  CHECK_FALSE(fs::exists(path + ".tmp"));
}

TEST_CASE("checkpoint file: a write cut short leaves the previous checkpoint", "[io][checkpoint]") {
  ScratchFolder dir;
  const std::string path = (dir.path / "run.h5.ckpt").string();
  CheckpointFile first;
  first.set_real("t", 1.0);
  first.write(path);
  CheckpointFile second;
  second.set_real("t", 2.0);
  second.write((dir.path / "other.ckpt").string());
  // A kill between write() and rename() leaves a partial temporary file next to the old one.
  const std::string torn = slurp(dir.path / "other.ckpt");
  std::ofstream(path + ".tmp", std::ios::binary) << torn.substr(0, torn.size() / 2);
  CHECK(CheckpointFile::read(path).real("t") == 1.0);
  second.write(path);  // the next checkpoint replaces both
  CHECK(CheckpointFile::read(path).real("t") == 2.0);
  CHECK_FALSE(fs::exists(path + ".tmp"));
}

TEST_CASE("checkpoint file: truncated, corrupt and missing files are refused in one line", "[io][checkpoint]") {
  ScratchFolder dir;
  const std::string path = (dir.path / "run.h5.ckpt").string();
  CheckpointFile out;
  out.set("x", std::vector<double>(100, 0.5));
  out.write(path);
  const std::string bytes = slurp(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 20);
  CHECK_THROWS_AS(CheckpointFile::read(path), CheckpointError);
  CHECK_THROWS_WITH(CheckpointFile::read(path), Catch::Contains("not a complete nnfield checkpoint"));
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 1;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << flipped;
  CHECK_THROWS_WITH(CheckpointFile::read(path), Catch::Contains("truncated or corrupt"));
  fs::remove(path);
  CHECK_THROWS_WITH(CheckpointFile::read(path), Catch::Contains(path) && Catch::Contains("no checkpoint"));
}
