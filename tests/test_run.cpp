// Whole runs: in memory and on disk they are the same run; seeds reproduce.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "nnfield/config.hpp"
#include "nnfield/h5io.hpp"
#include "nnfield/run.hpp"

using namespace nnfield;

namespace {
std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("nnfield_test_run_" + std::to_string(::getpid()) + "_" + name))
      .string();
}
}  // namespace

TEST_CASE("a run kept in memory equals the same run written to HDF5", "[run]") {
  for (const char* model : {"teacher_tanh", "sgd_datafile", "blend_gradient_flow"}) {
    INFO(model);
    const std::string src = NNFIELD_SOURCE_DIR;
    std::filesystem::current_path(src);  // example models name data files relative to the repository
    const ModelConfig config = load_model_file(src + "/models/" + model + ".toml",
                                               {"dynamics.t_end=2.0", "dynamics.steps=100"});
    RunOptions memory_options;
    memory_options.progress = "off";
    const RunResult in_memory = run_model(config, memory_options);
    REQUIRE(in_memory.memory);
    RunOptions file_options = memory_options;
    file_options.output_path = temp_path(model);
    file_options.force = true;
    const RunResult on_disk = run_model(config, file_options);
    CHECK(in_memory.rows == on_disk.rows);
    for (const std::string& name : in_memory.memory->names()) {
      INFO(name);
      const auto& d = in_memory.memory->dataset(name);
      const Array a = h5_read(file_options.output_path, name);
      CHECK(a.shape == d.shape);
      CHECK(a.data == d.data);  // bit for bit
    }
    CHECK(h5_read_string_attribute(file_options.output_path, "/", "status") == "complete");
    CHECK(in_memory.memory->text_attributes().at("status") == "complete");
    std::filesystem::remove(file_options.output_path);
  }
}

TEST_CASE("a seed reproduces a run and another seed changes it", "[run]") {
  const std::string src = NNFIELD_SOURCE_DIR;
  ModelConfig config = load_model_file(src + "/models/teacher_tanh.toml", {"dynamics.t_end=1.0"});
  RunOptions options;
  options.progress = "off";
  const auto a = run_model(config, options).memory;
  const auto b = run_model(config, options).memory;
  config.seed = 2;
  const auto c = run_model(config, options).memory;
  CHECK(a->dataset("/trajectory/W").data == b->dataset("/trajectory/W").data);
  CHECK(a->dataset("/trajectory/W").data != c->dataset("/trajectory/W").data);
}

TEST_CASE("shallow networks (M = 1, 2) run with every observer", "[run]") {
  const std::string src = NNFIELD_SOURCE_DIR;
  for (int M : {1, 2}) {
    INFO("M = " << M);
    const ModelConfig config = load_model_file(
        src + "/models/energy_flow.toml",
        {"network.M=" + std::to_string(M), "dynamics.t_end=1.0", "observe.correlators=[\"width\", \"xi\", \"depth\"]"});
    RunOptions options;
    options.progress = "off";
    const RunResult r = run_model(config, options);
    REQUIRE(r.status == RunStatus::complete);
    CHECK(r.memory->has("/energy/continuity_residual"));
    CHECK(r.memory->has("/trajectory/gain") == (M >= 2));  // a single weight layer has no bulk link
    const auto& res = r.memory->dataset("/energy/continuity_residual").data;
    const auto& cur = r.memory->dataset("/energy/current").data;
    double worst = 0.0, scale = 0.0;
    for (double v : res) worst = std::max(worst, std::fabs(v));
    for (double v : cur) scale = std::max(scale, std::fabs(v));
    CHECK(worst <= 1e-10 * scale);
  }
}
