// Paths in model files (docs/model-files.md, "Paths"): relative to the model file's
// folder, relative to the working directory when given by --set, absolute unchanged,
// stored absolute so the resolved configuration loads back from anywhere.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "nnfield/config/config.hpp"

namespace fs = std::filesystem;
using nnfield::load_model_file;
using nnfield::load_model_string;
using nnfield::ModelConfig;

namespace {

// A model folder `<tmp>/models` naming ../data/d.h5 and init/i.h5, and a working
// directory `<tmp>/elsewhere` that is neither.
struct PathFixture {
  fs::path root = fs::temp_directory_path() / ("nnfield_paths_" + std::to_string(::getpid()));
  fs::path model = root / "models" / "m.toml";
  fs::path cwd_before = fs::current_path();

  PathFixture() {
    fs::create_directories(root / "models");
    fs::create_directories(root / "elsewhere");
    std::ofstream(model) << "[init]\nkind = \"file\"\nfile = \"init/i.h5\"\n"
                            "[data]\nsource = \"file\"\nfile = \"../data/d.h5\"\n";
    fs::current_path(root / "elsewhere");
  }
  ~PathFixture() {
    fs::current_path(cwd_before);
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

}  // namespace

TEST_CASE("paths: a model file's relative paths resolve against its folder", "[config][paths]") {
  PathFixture f;
  const ModelConfig c = load_model_file("../models/m.toml");
  CHECK(c.init.file == (f.root / "models" / "init" / "i.h5").string());
  CHECK(c.data.file == (f.root / "data" / "d.h5").string());
  CHECK(c.source_path == "../models/m.toml");  // messages name the model as the user did
}

TEST_CASE("paths: --set paths resolve from the working directory", "[config][paths]") {
  PathFixture f;
  const ModelConfig c = load_model_file(f.model.string(), {"data.file=here.h5", "init.file=\"sub/../i.h5\""});
  CHECK(c.data.file == (f.root / "elsewhere" / "here.h5").string());
  CHECK(c.init.file == (f.root / "elsewhere" / "i.h5").string());
}

TEST_CASE("paths: absolute paths are unchanged, empty stays unset", "[config][paths]") {
  PathFixture f;
  const ModelConfig c = load_model_file(f.model.string(), {"data.file=/abs//x.h5"});
  CHECK(c.data.file == "/abs//x.h5");
  const ModelConfig d = load_model_string("[data]\nsource = \"teacher\"\n", "t.toml");
  CHECK(d.data.file.empty());
  CHECK(d.init.file.empty());
}

TEST_CASE("paths: model text without a file resolves from the working directory", "[config][paths]") {
  PathFixture f;
  const ModelConfig c = load_model_string("[data]\nsource = \"file\"\nfile = \"d.h5\"\n", "<string>");
  CHECK(c.data.file == (f.root / "elsewhere" / "d.h5").string());
}

TEST_CASE("paths: the resolved configuration names absolute paths and loads back elsewhere", "[config][paths]") {
  PathFixture f;
  const ModelConfig c = load_model_file(f.model.string());
  CHECK(c.resolved_toml.find("file = \"" + (f.root / "data" / "d.h5").string() + "\"") != std::string::npos);
  fs::create_directories(f.root / "other" / "deeper");
  const fs::path copy = f.root / "other" / "deeper" / "resolved.toml";
  std::ofstream(copy) << c.resolved_toml;
  const ModelConfig back = load_model_file(copy.string());
  CHECK(back.data.file == c.data.file);
  CHECK(back.init.file == c.init.file);
  CHECK(back.resolved_toml == c.resolved_toml);
}
