// What a field run writes: output.trajectory selects the field's own datasets (the default
// is every one, as before the key applied to field runs), names of the other run kind and
// velocities without damping are refused, and a dataset left out changes nothing else the
// run measures. observe.autocorrelation: the lattice-exact field run is the network itself,
// so its time autocorrelations are the network's to integrator accuracy.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/run/run.hpp"

using namespace nnfield;
using Catch::Matchers::Contains;

namespace {

const std::string kModels = NNFIELD_SOURCE_DIR "/models/";

std::string error_of(const std::string& model, const std::vector<std::string>& overrides) {
  try {
    load_model_file(kModels + model, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// A small, quick version of the examples: 16 x 16, output every 0.25.
std::vector<std::string> small(std::vector<std::string> more = {}) {
  more.insert(more.begin(), {"network.M=16", "network.N=16"});
  return more;
}

std::shared_ptr<MemoryRun> run_in_memory(const std::string& model, const std::vector<std::string>& overrides) {
  RunOptions o;
  o.progress = "off";
  RunResult r = run_model(load_model_file(kModels + model, overrides), o);
  REQUIRE(r.status == RunStatus::complete);
  return r.memory;
}

std::vector<std::string> trajectory_names(const MemoryRun& run) {
  std::vector<std::string> out;
  for (const std::string& n : run.names())
    if (n.rfind("/trajectory/", 0) == 0) out.push_back(n.substr(12));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("field runs: output.trajectory defaults to every field dataset", "[run][field]") {
  using T = TrajectoryDataset;
  const ModelConfig flow = load_model_file(kModels + "field_coarse.toml");
  CHECK(flow.output.trajectory ==
        std::vector<T>{T::loss, T::gain, T::phi, T::w, T::beta, T::w_in, T::b_in, T::Z, T::response, T::adjoint});
  const ModelConfig damped = load_model_file(kModels + "field_energy_flow.toml");
  CHECK(damped.output.trajectory == field_trajectory_default(DynamicsKind::damped));
  CHECK(damped.output.trajectory.size() == 14);
  // The resolved configuration names the field's list and loads back to it.
  const ModelConfig again = load_model_string(flow.resolved_toml, "resolved.toml");
  CHECK(again.output.trajectory == flow.output.trajectory);
  // A network model keeps the network's default.
  CHECK(load_model_file(kModels + "continuum_network.toml").output.trajectory ==
        std::vector<T>{T::W, T::b, T::z, T::loss, T::gain});
}

TEST_CASE("field runs: output.trajectory refuses names the run does not have", "[run][field]") {
  CHECK_THAT(error_of("field_coarse.toml", {"output.trajectory=[\"phi\", \"W\"]"}),
             Contains("output.trajectory \"W\" is a network dataset; this field run writes it as \"w\""));
  CHECK_THAT(error_of("field_coarse.toml", {"output.trajectory=[\"z\"]"}), Contains("writes it as \"phi\""));
  CHECK_THAT(error_of("field_coarse.toml", {"output.trajectory=[\"w_dot\"]"}),
             Contains("output.trajectory \"w_dot\" (a velocity) requires dynamics.kind = \"damped\", got "
                      "\"gradient_flow\""));
  CHECK_THAT(error_of("continuum_network.toml", {"output.trajectory=[\"adjoint\"]"}),
             Contains("output.trajectory \"adjoint\" is a field run dataset; a network run without [field] has no "
                      "such dataset"));
  CHECK_THAT(error_of("continuum_network.toml", {"output.trajectory=[\"beta\"]"}), Contains("writes it as \"b\""));
  CHECK_THAT(error_of("field_coarse.toml", {"output.trajectory=[\"respons\"]"}), Contains("did you mean \"response\"?"));
  CHECK(error_of("field_energy_flow.toml", {"output.trajectory=[\"w_dot\", \"b_in_dot\"]"}) == "(no error)");
}

TEST_CASE("field runs: a dataset left out changes nothing else the run measures", "[run][field]") {
  const std::vector<std::string> observe = {"observe.correlators=[\"width\", \"xi\"]", "observe.field=\"w\"",
                                            "field.rx=2", "field.ry=2"};
  std::vector<std::string> all_overrides = small(observe), few_overrides = small(observe);
  few_overrides.push_back("output.trajectory=[\"phi\", \"loss\"]");
  const auto all = run_in_memory("field_coarse.toml", all_overrides);
  const auto few = run_in_memory("field_coarse.toml", few_overrides);
  CHECK(trajectory_names(*few) ==
        std::vector<std::string>{"loss", "max_gain_deviation_over_ax", "phi", "step", "time"});
  CHECK(trajectory_names(*all).size() == 13);  // + gain, w, beta, w_in, b_in, Z, response, adjoint
  // Everything the smaller run wrote is bitwise what the full run wrote: the correlators of w
  // (not written), the gain check without /trajectory/gain, the energy.
  for (const std::string& name : few->names()) {
    INFO(name);
    REQUIRE(all->has(name));
    CHECK(few->dataset(name).shape == all->dataset(name).shape);
    CHECK(few->dataset(name).data == all->dataset(name).data);
  }
  CHECK(few->number_attributes().at("gain_deviation_initial") == all->number_attributes().at("gain_deviation_initial"));
  CHECK(few->has("/correlators/xi"));
}

TEST_CASE("field runs: the lattice-exact field's time autocorrelations are the network's", "[run][field]") {
  // Tight tolerances: the two runs integrate the same ODE in different variables' order.
  const std::vector<std::string> common = small({"observe.autocorrelation=true", "output.every=0.05",
                                                 "integrator.rtol=1e-11", "integrator.atol=1e-13"});
  std::vector<std::string> exact = common;
  exact.insert(exact.end(), {"field.form=\"exact\"", "field.rx=1", "field.ry=1"});
  const auto net = run_in_memory("continuum_network.toml", common);
  const auto field = run_in_memory("field_coarse.toml", exact);
  for (const char* name : {"/autocorrelation/layer_mean", "/autocorrelation/layer_mean_tau_int",
                           "/autocorrelation/loss", "/autocorrelation/loss_tau_int"}) {
    INFO(name);
    const MemoryRun::Dataset &a = net->dataset(name), &b = field->dataset(name);
    REQUIRE(a.shape == b.shape);
    double worst = 0.0;
    for (std::size_t i = 0; i < a.data.size(); ++i) worst = std::max(worst, std::fabs(a.data[i] - b.data[i]));
    CHECK(worst < 1e-9);
  }
  // 41 rows (t = 0, 0.05, ..., 2), 16 layers; rho(0) = 1.
  CHECK(net->dataset("/autocorrelation/layer_mean").shape == std::vector<std::size_t>{41, 16});
  CHECK(field->dataset("/autocorrelation/loss").data.front() == 1.0);
}
