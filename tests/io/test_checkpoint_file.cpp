// Checkpoint files (include/nnfield/io/checkpoint_file.hpp): bitwise round trips, atomic
// replacement (a write cut short leaves the previous checkpoint), corrupt files refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
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

// A network split along its width writes its parameters in pieces (set_streamed) and each
// process reads its block back (read with ranges): the file is the one set() writes.
TEST_CASE("checkpoint file: entries given in pieces and read in ranges", "[io][checkpoint]") {
  ScratchFolder dir;
  const std::string whole_path = (dir.path / "whole.ckpt").string(), pieces_path = (dir.path / "pieces.ckpt").string();
  std::vector<double> x(300000);  // 2.4 MB: more than one of the writer's buffers
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(double(i));
  CheckpointFile whole, pieces;
  for (CheckpointFile* f : {&whole, &pieces}) {
    f->set("a", std::vector<double>{1.0});
    f->set("z", std::vector<double>{2.0});
    f->set_integer("n", 7);
  }
  whole.set("loop.x", x);
  pieces.set_streamed("loop.x", x.size(), [&x](const ValuePiece& piece) {
    for (std::size_t at = 0; at < x.size(); at += 7000) piece(x.data() + at, std::min<std::size_t>(7000, x.size() - at));
  });
  whole.write(whole_path);
  pieces.write(pieces_path);
  CHECK(slurp(whole_path) == slurp(pieces_path));
  std::size_t passed = 0;
  CheckpointFile counted;
  counted.set_streamed("y", 3, [&passed](const ValuePiece&) { ++passed; });
  counted.pass_streamed();
  CHECK(passed == 1);

  const CheckpointFile part = CheckpointFile::read(pieces_path, {{"loop.x", {{5, 3}, {299990, 10}}}});
  const std::vector<double>& got = part.reals("loop.x");
  REQUIRE(got.size() == 13);
  CHECK(got[0] == x[5]);
  CHECK(got[2] == x[7]);
  CHECK(got[3] == x[299990]);
  CHECK(got[12] == x[299999]);
  CHECK(part.reals("z") == std::vector<double>{2.0});
  CHECK(part.integer("n") == 7);
  // A range beyond the entry keeps none of it (the reader then says the entry does not fit).
  CHECK(CheckpointFile::read(pieces_path, {{"loop.x", {{299999, 2}}}}).reals("loop.x").empty());
  // A corrupt byte inside the ranges skipped is still found (the checksum runs over all).
  std::string bytes = slurp(pieces_path);
  bytes[bytes.size() / 2] ^= 1;
  std::ofstream(pieces_path, std::ios::binary | std::ios::trunc) << bytes;
  CHECK_THROWS_WITH(CheckpointFile::read(pieces_path, {{"loop.x", {{0, 1}}}}), Catch::Contains("truncated or corrupt"));
  // A streamed entry that gives fewer values than it said is a programming error.
  CheckpointFile short_entry;
  short_entry.set_streamed("x", 3, [](const ValuePiece& piece) { piece(nullptr, 0); });
  CHECK_THROWS_AS(short_entry.write((dir.path / "short.ckpt").string()), std::logic_error);
}
