// The nesting scan that bounds model-file text before toml++ parses it
// (nnfield/config/model_limits.hpp): exact at the limit, blind to brackets and dots in
// strings and comments, and quiet on every real model file.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "nnfield/config/config.hpp"
#include "nnfield/config/model_limits.hpp"

using nnfield::detail::kMaxTomlDepth;
using nnfield::detail::toml_nesting_problem;

namespace {

std::string dotted(int parts) {
  std::string s = "a";
  for (int i = 1; i < parts; ++i) s += ".a";
  return s;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("model limits: nesting is counted exactly up to the limit", "[config][limits]") {
  CHECK_FALSE(toml_nesting_problem("[" + dotted(kMaxTomlDepth) + "]\n"));
  CHECK(toml_nesting_problem("[" + dotted(kMaxTomlDepth + 1) + "]\n"));
  CHECK_FALSE(toml_nesting_problem(dotted(kMaxTomlDepth) + " = 1\n"));
  CHECK(toml_nesting_problem(dotted(kMaxTomlDepth + 1) + " = 1\n"));
  // key (1) + arrays: 31 brackets reach 32.
  const int arrays = kMaxTomlDepth - 1;
  CHECK_FALSE(toml_nesting_problem("x = " + std::string(arrays, '[') + std::string(arrays, ']') + "\n"));
  CHECK(toml_nesting_problem("x = " + std::string(arrays + 1, '[') + std::string(arrays + 1, ']') + "\n"));
  // A table header, a dotted key and an inline table add up.
  const auto p = toml_nesting_problem("[" + dotted(20) + "]\n" + dotted(5) + " = { " + dotted(8) + " = 1 }\n");
  REQUIRE(p);
  CHECK(p->line == 2);
  CHECK(p->depth == kMaxTomlDepth + 1);
  // Statements end with their line: depth does not accumulate across keys.
  std::string many;
  for (int i = 0; i < 1000; ++i) many += dotted(10) + std::to_string(i) + " = [[1], {a = 2}, {}]\n";
  CHECK_FALSE(toml_nesting_problem(many));
}

TEST_CASE("model limits: strings and comments do not count", "[config][limits]") {
  const std::string deep(100, '[');
  CHECK_FALSE(toml_nesting_problem("x = \"" + deep + "\"\n"));
  CHECK_FALSE(toml_nesting_problem("x = '" + deep + "'\n"));
  CHECK_FALSE(toml_nesting_problem("x = \"\"\"\n" + deep + "\n\"\"\"\n"));
  CHECK_FALSE(toml_nesting_problem("x = '''" + deep + "'''\n"));
  CHECK_FALSE(toml_nesting_problem("x = \"\\\"" + deep + "\"\n"));
  CHECK_FALSE(toml_nesting_problem("# " + deep + "\nx = 1\n"));
  CHECK_FALSE(toml_nesting_problem("\"" + dotted(100) + "\" = 1\n"));
}

TEST_CASE("model limits: every model file of the repository passes the scan", "[config][limits]") {
  namespace fs = std::filesystem;
  int count = 0;
  for (const char* folder : {"/models", "/tests/models_field", "/tests/data"}) {
    for (const auto& entry : fs::directory_iterator(std::string(NNFIELD_SOURCE_DIR) + folder)) {
      if (entry.path().extension() != ".toml") continue;
      INFO(entry.path());
      CHECK_FALSE(toml_nesting_problem(read_text(entry.path().string())));
      ++count;
    }
  }
  CHECK(count >= 10);
}

TEST_CASE("model limits: files that are not model files are refused by name", "[config][limits]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("nnfield_limits_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string empty = (dir / "empty.toml").string(), blank = (dir / "blank.toml").string();
  std::ofstream(empty).close();
  std::ofstream(blank) << "  \n\t\n";
  const std::string comment = (dir / "comment.toml").string();
  std::ofstream(comment) << "# every default\n";
  for (const std::string& path : {empty, blank})
    CHECK_THROWS_WITH(nnfield::load_model_file(path), path + ": error: empty model file; `nnfield keys` lists the keys");
  CHECK_NOTHROW(nnfield::load_model_file(comment));
  CHECK_THROWS_WITH(nnfield::load_model_file(dir.string()), dir.string() + ": error: is a directory, not a model file");
  fs::remove_all(dir);
}
