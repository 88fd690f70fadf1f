// No model key is accepted and ignored by the commands that use part of a model (ModelUse,
// config_applicability.cpp; docs/model-files.md, "Keys the run does not read"): every key of
// the schema, set by an override to each value test_key_coverage.cpp tries, is refused by
// the loader, or changes the command's output, or is on the short list of exemptions below.
// ensemble and compare run the model, so what they do not honour they refuse in the model
// file too; propagate refuses only overrides (the file describes the training run too).
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/config_schema.hpp"
#include "key_walk.hpp"
#include "nnfield/analysis/compare.hpp"
#include "nnfield/analysis/ensemble.hpp"
#include "nnfield/analysis/propagation.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/numerics/rng.hpp"

using namespace nnfield;
using namespace nnfield::detail;
using namespace nnfield::key_walk;

namespace {

// Every command copies run.title into its file's provenance (provenance_of): part of its output.
std::string with_title(const MemoryRun& sink, const ModelConfig& c) { return fingerprint(sink) + "@title=" + c.title; }

// What `nnfield ensemble --seeds 0:2` writes, with the errors of `method` seeded as it seeds them.
std::string ensemble_output(const ModelConfig& c, ErrorMethod method) {
  EnsembleOptions o;
  o.seeds = {0, 1};
  o.threads = 1;
  o.errors.method = method;
  o.errors.resamples = 16;
  o.errors.seed = derive_seed(c.seed, "ensemble/bootstrap");
  MemoryRun sink;
  write_ensemble(run_ensemble(c, o), c, sink);
  return with_title(sink, c);
}

// What `nnfield propagate` writes without --sigma-w, --sigma-b and --seed.
std::string propagate_output(const ModelConfig& c) {
  PropagationOptions o;
  o.networks = 4;
  o.pairs = 1;
  o.threads = 1;
  o.jackknife_blocks = 2;
  o.seed = c.seed;
  MemoryRun sink;
  write_propagation(propagate(c.network.shape, c.network.activation, {c.init.sigma_w}, c.init.sigma_b, o), {}, sink);
  return with_title(sink, c);
}

// What `nnfield compare --levels 2` writes.
std::string compare_output(const ModelConfig& c) {
  CompareOptions o;
  o.levels = 2;
  o.threads = 1;
  MemoryRun sink;
  write_compare(run_compare(c, o), sink);
  return with_title(sink, c);
}

// The field model of key_walk.hpp (`field`: kField or field_with_velocities()) made small for
// compare, its networks at M = N = 8, 16, with `dynamics` (TOML lines) in its [dynamics]. The
// tolerances are tight enough to set the steps (looser ones let these smooth runs take the
// largest steps anyway), and output.every = 0.2 caps compare's cadence t_end/n at n = 3 (an
// every the tried values change).
std::string compare_model(std::string field, const std::string& dynamics) {
  const std::string size = "M = 16\nN = 16\n", tau = "tau = 0.7\n";
  field.replace(field.find(size), size.size(), "M = 8\nN = 8\n");
  field.replace(field.find(tau), tau.size(), "tau = 0.15\n");  // samples switch within t_end
  return field + "[dynamics]\n" + dynamics + "eta_scaling = \"depth\"\nt_end = 0.5\n" +
         "[integrator]\nrtol = 1e-11\natol = 1e-13\n[output]\nevery = 0.2\n";
}
// A rate fast enough that the error control, not the largest step, sets the steps.
std::string compare_gradient_flow() { return compare_model(kField, "kind = \"gradient_flow\"\neta = 8.0\n"); }
// SGD: the whole set of 3 samples as one batch in sequential order (what compare follows).
std::string compare_sgd() {
  std::string field = field_sgd("eta = 2.0\neta_scaling = \"depth\"\nbatch = 3\nsteps = 6\n");
  const std::string size = "M = 16\nN = 16\n";
  return field.replace(field.find(size), size.size(), "M = 8\nN = 8\n");
}
std::string compare_damped() {
  return compare_model(field_with_velocities(), "kind = \"damped\"\n") + "[init]\nvelocity = \"continuum\"\n";
}

// One walk: a command on a base model.
struct Walk {
  std::string name, text;
  ModelUse use;
  std::function<std::string(const ModelConfig&)> output;
};

// Keys whose effect needs files, or that act only when a check refuses.
const std::map<std::string, std::string> kExempt = {
    {"init.file", "an HDF5 file (tests/data/test_initial_state.cpp)"},
    {"data.file", "an HDF5 file (tests/data/test_data.cpp)"},
    {"field.allow_unstable", "a permission: acts only when a check refuses (tests/cli/field_unstable.sh)"},
    {"integrator.dt_min", "a floor checked on rejected steps only; these runs reject none"}};

// Walks every key over `walk`: the keys accepted and without effect, as "walk: key = value".
std::vector<std::string> walk_keys(const Walk& walk, int& refused, int& changed) {
  const ModelConfig base_config = load_model_string(walk.text, "base.toml", {}, UnreadKeys::refuse, walk.use);
  const std::string base = walk.output(base_config);
  std::vector<std::string> ignored;
  for (const ModelKey& k : model_keys()) {
    if (kExempt.count(k.name)) continue;
    for (const std::string& v : candidates(k, k.get(base_config))) {
      std::string out;
      try {
        out = walk.output(load_model_string(walk.text, "base.toml", {k.name + "=" + v}, UnreadKeys::refuse, walk.use));
      } catch (const std::exception&) {  // refused by the loader, or at set-up (a data or field check)
        ++refused;
        continue;
      }
      if (out != base)
        ++changed;
      else
        ignored.push_back(walk.name + ": " + k.name + " = " + v);
    }
  }
  return ignored;
}

void check_walks(const std::vector<Walk>& walks) {
  std::vector<std::string> ignored;
  int refused = 0, changed = 0;
  for (const Walk& w : walks)
    for (const std::string& s : walk_keys(w, refused, changed)) ignored.push_back(s);
  std::string list;
  for (const std::string& s : ignored) list += "\n  " + s;
  INFO("accepted and without effect:" << list);
  CHECK(ignored.empty());
  CHECK(changed > 20);
  CHECK(refused > 20);
}

std::string network(const char* dynamics) { return std::string(kNetwork) + dynamics; }

std::string load_error(const std::string& text, const std::vector<std::string>& sets, const ModelUse& use) {
  try {
    load_model_string(text, "m.toml", sets, UnreadKeys::refuse, use);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("ensemble: every key is refused or changes the ensemble", "[config][coverage][ensemble]") {
  const auto jackknife = [](const ModelConfig& c) { return ensemble_output(c, ErrorMethod::jackknife); };
  const ModelUse use = ModelUse::ensemble(false);
  check_walks({{"ensemble network sgd", network(kSgd), use, jackknife},
               {"ensemble network damped", network(kDamped), use, jackknife},
               {"ensemble field gradient flow", std::string(kField) + kGradientFlow, use, jackknife}});
}

TEST_CASE("propagate: every key overridden is refused or changes the scan", "[config][coverage][propagate]") {
  const ModelUse use = ModelUse::propagate(false, false, false);
  check_walks({{"propagate network", network(kGradientFlow), use, propagate_output},
               {"propagate field", std::string(kField) + kDamped, use, propagate_output}});
}

TEST_CASE("compare: every key is refused or changes the comparison", "[config][coverage][compare]") {
  const ModelUse use = ModelUse::compare(false);
  check_walks({{"compare gradient flow", compare_gradient_flow(), use, compare_output},
               {"compare damped", compare_damped(), use, compare_output},
               {"compare sgd", compare_sgd(), use, compare_output}});
}

// Keys a command does not honour are refused from the file too for ensemble and compare, and
// from overrides only for propagate; a command option in place of a key refuses its override.
TEST_CASE("commands refuse what they do not read, naming the key and why", "[config][coverage]") {
  const std::string net = network(kGradientFlow);
  SECTION("ensemble") {
    const std::string why = "output.trajectory is not read by nnfield ensemble: ensemble keeps only loss and z";
    CHECK_THAT(load_error(net + "trajectory = [\"W\", \"loss\"]\n", {}, ModelUse::ensemble(false)),
               Catch::Contains("m.toml:") && Catch::Contains(why));
    CHECK_THAT(load_error(net, {"output.trajectory=[\"W\"]"}, ModelUse::ensemble(false)),
               Catch::StartsWith("--set output.trajectory=[\"W\"]: error: " + why));
    // run.seed: in the file the seed of `nnfield run`; read by ensemble for bootstrap errors only.
    const std::string seeded = "[run]\nseed = 4\n" + net;
    CHECK(load_error(seeded, {}, ModelUse::ensemble(false)).empty());
    CHECK_THAT(load_error(net, {"run.seed=4"}, ModelUse::ensemble(false)),
               Catch::Contains("run.seed is not read by nnfield ensemble: --seeds gives each run's seed"));
    const ModelConfig a = load_model_string(net, "m.toml", {"run.seed=4"}, UnreadKeys::refuse, ModelUse::ensemble(true));
    const ModelConfig b = load_model_string(net, "m.toml", {}, UnreadKeys::refuse, ModelUse::ensemble(true));
    CHECK(ensemble_output(a, ErrorMethod::bootstrap) != ensemble_output(b, ErrorMethod::bootstrap));
  }
  SECTION("propagate") {
    const ModelUse plain = ModelUse::propagate(false, false, false);
    CHECK(load_error(net, {}, plain).empty());  // the training keys in the file describe the run
    CHECK_THAT(load_error(net, {"dynamics.t_end=5"}, plain),
               Catch::StartsWith("--set dynamics.t_end=5: error: dynamics.t_end is not read by nnfield propagate: "
                                 "it reads only network.M, network.N, network.r, network.activation, init.sigma_w"));
    // The keys propagate reads are its own, whatever a run would make of them.
    CHECK(load_error(net + "[init]\nkind = \"smooth\"\n", {"init.sigma_w=1.5"}, plain).empty());
    CHECK_THAT(load_error(net, {"init.sigma_w=1.5"}, ModelUse::propagate(true, false, false)),
               Catch::Contains("init.sigma_w is not read by nnfield propagate: --sigma-w gives sigma_w"));
    CHECK_THAT(load_error(net, {"run.seed=2"}, ModelUse::propagate(false, false, true)),
               Catch::Contains("run.seed is not read by nnfield propagate: --seed gives the seed"));
    CHECK(load_error("[init]\nsigma_b = 0.2\n" + net, {}, ModelUse::propagate(false, true, false)).empty());
    // One list: the keys the refusal names are the keys propagate takes from an override.
    CHECK_THAT(load_error(net, {"dynamics.t_end=5"}, plain),
               Catch::Contains("it reads only " + propagate_model_keys_text() + " (run.title is copied"));
    const ModelConfig base = load_model_string(net, "m.toml");
    for (const std::string& key : propagate_model_keys()) {
      const ModelKey* k = find_model_key(key);
      REQUIRE(k);
      int taken = 0;
      for (const std::string& v : candidates(*k, k->get(base))) taken += load_error(net, {key + "=" + v}, plain).empty();
      INFO(key);
      CHECK(taken > 0);
    }
    // A file's checkpoint keys are for `nnfield run` of it.
    CHECK(load_error(net + "checkpoint_every = 1.0\n", {}, plain).empty());
  }
  SECTION("compare") {
    const std::string model = compare_gradient_flow();
    CHECK_THAT(load_error(model + "[observe]\ncorrelators = [\"width\"]\n", {}, ModelUse::compare(false)),
               Catch::Contains("m.toml:") &&
                   Catch::Contains("observe.correlators is not read by nnfield compare: compare's runs measure no "
                                   "observers"));
    // field.p and field.ry in the file are for `nnfield run` of it (models/compare_small.toml).
    CHECK(load_error(std::string(model).replace(model.find("p = 1"), 5, "p = 2"), {}, ModelUse::compare(false)).empty());
    CHECK_THAT(load_error(model, {"field.p=2"}, ModelUse::compare(false)),
               Catch::Contains("field.p is not read by nnfield compare: compare runs each order of --orders"));
    CHECK(load_error(model, {"field.rx=2"}, ModelUse::compare(false)).empty());
    CHECK_THAT(load_error(model, {"field.rx=2"}, ModelUse::compare(true)),
               Catch::Contains("field.rx is not read by nnfield compare: --coarsen gives the coarse-graining factors"));
    // A network model built from [continuum] data says what compare does.
    CHECK_NOTHROW(load_model_file(NNFIELD_SOURCE_DIR "/models/continuum_network.toml", {}, UnreadKeys::refuse,
                                  ModelUse::compare(false)));
    CHECK_THAT(load_error(model, {"init.kind=\"critical\""}, ModelUse::compare(false)),
               Catch::Contains("init.kind is not read by nnfield compare"));
    // compare's networks integrate in dynamics.variables (their field runs have no such
    // option): taken, and the same comparison to the integrator's tolerance, not bit for bit.
    const ModelConfig wb = load_model_string(model, "m.toml", {}, UnreadKeys::refuse, ModelUse::compare(false));
    const ModelConfig bbd = load_model_string(model, "m.toml", {"dynamics.variables=\"bbd\""}, UnreadKeys::refuse,
                                              ModelUse::compare(false));
    CompareOptions o;
    o.levels = 2;
    o.threads = 1;
    o.orders = {1};
    const CompareResult in_wb = run_compare(wb, o), in_bbd = run_compare(bbd, o);
    const double e_wb = in_wb.self_error.back()[0], e_bbd = in_bbd.self_error.back()[0];
    INFO("network self error in (W, b) " << e_wb << ", in (W, z) " << e_bbd);
    CHECK(e_bbd != e_wb);
    CHECK(std::fabs(e_bbd - e_wb) < 1e-6 * e_wb);
    // ... and as for a network run: refused with masses 1/(eta ax), whose energy books differ.
    CHECK_THAT(load_error(compare_damped(), {"dynamics.variables=\"bbd\""}, ModelUse::compare(false)),
               Catch::Contains("dynamics.variables is not read by this run: the BBD energy books assume unit masses"));
    CHECK_THAT(load_error(model, {"dynamics.variables=\"bbd\""}, ModelUse{}),
               Catch::Contains("the field solver has no BBD coordinate option"));
    CHECK_THAT(load_error(model, {"data.samples=3"}, ModelUse::compare(false)),
               Catch::Contains("data.samples is not read by this run: a field run's samples always come from "
                               "[continuum]"));
  }
}
