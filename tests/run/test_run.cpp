// Whole runs: in memory and on disk they are the same run; seeds reproduce.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>

#include "nnfield/config/config.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/run/resources.hpp"
#include "nnfield/run/run.hpp"

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
    // Short runs: sgd counts steps, the continuous kinds run to t_end (each reads only its own key).
    const std::string shorter = std::string(model) == "sgd_datafile" ? "dynamics.steps=100" : "dynamics.t_end=2.0";
    const ModelConfig config = load_model_file(src + "/models/" + model + ".toml", {shorter});
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

TEST_CASE("a field run with energy_flow writes a balanced per-site energy book", "[run][field][energy_flow]") {
  const std::string src = NNFIELD_SOURCE_DIR;
  const ModelConfig config = load_model_file(src + "/models/field_energy_flow.toml", {"dynamics.t_end=1.0"});
  RunOptions options;
  options.progress = "off";
  const RunResult r = run_model(config, options);
  REQUIRE(r.status == RunStatus::complete);
  const auto& mem = *r.memory;
  const auto& density = mem.dataset("/energy/density");
  const auto& total = mem.dataset("/energy/total").data;
  const std::size_t T = total.size(), sites = density.data.size() / T;
  const std::size_t nx = std::size_t(mem.dataset("/grid/x").data.size());
  CHECK(mem.dataset("/energy/interval_residual").data.size() == T * (nx - 1));
  CHECK(mem.dataset("/grid/exchange_nodes").data.size() % (nx - 1) == 0);
  double flux = 0.0, site = 0.0, interval = 0.0, sum_gap = 0.0;
  for (double v : mem.dataset("/energy/flux").data) flux = std::max(flux, std::fabs(v));
  for (double v : mem.dataset("/energy/continuity_residual").data) site = std::max(site, std::fabs(v));
  for (double v : mem.dataset("/energy/interval_residual").data) interval = std::max(interval, std::fabs(v));
  for (std::size_t t = 0; t < T; ++t) {
    double sum = 0.0;
    for (std::size_t i = 0; i < sites; ++i) sum += density.data[t * sites + i];
    sum_gap = std::max(sum_gap, std::fabs(sum - total[t]));
  }
  INFO("flux " << flux << ", site " << site << ", interval " << interval << ", sum e - E " << sum_gap);
  CHECK(flux > 1e-4);
  CHECK(site < 1e-12 * flux);
  CHECK(interval < 1e-12 * flux);
  CHECK(sum_gap < 1e-12 * total[0]);
}

TEST_CASE("a stop requested during set-up ends the run before any output exists", "[run]") {
  // SIGINT/SIGTERM/SIGHUP during set-up (data, initial state, the field problem): the
  // stop flag is honoured between its steps, not only once the integration runs.
  const std::string src = NNFIELD_SOURCE_DIR;
  for (const char* model : {"teacher_tanh", "field_coarse"}) {
    INFO(model);
    const ModelConfig config = load_model_file(src + "/models/" + model + ".toml");
    std::atomic<bool> stop{true};
    RunOptions options;
    options.progress = "off";
    options.output_path = temp_path(std::string("stopped_") + model);
    options.stop = &stop;
    CHECK_THROWS_AS(run_model(config, options), SetupInterrupted);
    CHECK_FALSE(std::filesystem::exists(options.output_path));
  }
}

TEST_CASE("a continuum field that is not finite on the sites is refused before the run", "[run]") {
  const std::string src = NNFIELD_SOURCE_DIR;
  const ModelConfig config =
      load_model_file(src + "/models/continuum_network.toml", {"continuum.phi=\"1/(x - 0.5)\""});
  RunOptions options;
  options.progress = "off";
  CHECK_THROWS_WITH(run_model(config, options),
                    Catch::Contains("continuum.phi = \"1/(x - 0.5)\" is not finite: inf at x = 0.5"));
}

// Sample switches are pulled by the integrators one at a time (data/data.hpp, SwitchTimes):
// a run with 10^10 of them (a thousand times what used to be the cap, and far more than a
// list of them would fit in memory) is accepted at set-up and its estimate holds no switch.
TEST_CASE("a run with 1e10 data switches is accepted and costs no memory for them", "[run][limits]") {
  const std::string model = std::string(NNFIELD_SOURCE_DIR) + "/models/blend_gradient_flow.toml";
  for (const char* presentation : {"\"switch\"", "\"blend\""}) {
    const std::vector<std::string> many = {"data.presentation=" + std::string(presentation), "data.tau=1e-6",
                                           "dynamics.t_end=1e4", "output.every=100.0"};
    std::vector<std::string> few = many;
    few[1] = "data.tau=1.0";
    const ModelConfig c = load_model_file(model, many);  // refused above 1e7 switches before
    CHECK(c.dynamics.t_end / c.data.tau == Approx(1e10));
    const ResourceEstimate e = estimate_resources(c);
    CHECK(e.memory_bytes == estimate_resources(load_model_file(model, few)).memory_bytes);
    ResourceBudget budget;
    budget.max_memory = 256e6;
    CHECK_NOTHROW(check_resources(c, budget));
  }
}

// Many switches inside one output interval: the stream hands each to the integrator, which
// stops at every one (a step never crosses a switch), however large its adaptive steps could be.
TEST_CASE("switches far denser than the output rows are all stopped at", "[run]") {
  const std::string model = std::string(NNFIELD_SOURCE_DIR) + "/models/blend_gradient_flow.toml";
  const ModelConfig c = load_model_file(
      model, {"data.presentation=\"switch\"", "data.tau=1e-3", "dynamics.t_end=1.0", "output.every=0.5"});
  RunOptions o;
  o.progress = "off";
  const RunResult r = run_model(c, o);
  REQUIRE(r.status == RunStatus::complete);
  CHECK(r.steps >= 1000);  // a step may not cross a switch: at least one per segment
  CHECK(r.rows == 3);
}
