// No key is accepted and ignored: every key of the schema, set to another value on every
// run kind (network sgd, gradient flow, damped; field gradient flow, damped, sgd, and with
// moving sources), is either
// refused by the loader (a one-line error naming it) or changes the run's output. The walk's
// runs are kept in memory, as ensemble's and compare's are and the Python module's without
// an output file: they take no checkpoints and flush no file, so those keys are refused there.
// The commands that use part of a model (ensemble, propagate, compare): test_command_keys.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config/config_schema.hpp"
#include "key_walk.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/run/run.hpp"

using namespace nnfield;
using namespace nnfield::detail;
using namespace nnfield::key_walk;

namespace {

struct Kind {
  std::string name, text;
};

}  // namespace

TEST_CASE("every key is refused or changes the output, on every run kind", "[config][coverage]") {
  const std::vector<Kind> kinds = {{"network sgd", std::string(kNetwork) + kSgd},
                                   {"network gradient flow", std::string(kNetwork) + kGradientFlow},
                                   {"network damped", std::string(kNetwork) + kDamped},
                                   {"field gradient flow", std::string(kField) + kGradientFlow},
                                   {"field damped", field_with_velocities() + kDamped +
                                                        "[init]\nvelocity = \"continuum\"\n"},
                                   {"field sgd", field_sgd("eta = 0.5\nbatch = 2\nsteps = 6\n[output]\nevery_steps = 2\n")},
                                   {"field gradient flow, moving source", field_moving_source() + kGradientFlow}};
  // Keys whose effect needs files or is outside one run's output (documented where they are tested).
  const std::map<std::string, std::string> skipped = {
      {"init.file", "an HDF5 file (tests/data/test_initial_state.cpp)"},
      {"data.file", "an HDF5 file (tests/data/test_data.cpp)"},
      {"field.allow_unstable", "a permission: acts only when a check refuses (tests/cli/field_unstable.sh)"},
      {"integrator.dt_min", "a floor checked on rejected steps only; these runs reject none"}};
  std::vector<std::string> ignored;
  int refused = 0, changed = 0;
  for (const Kind& kind : kinds) {
    const ModelConfig base_config = load_model_string(kind.text, "base.toml");
    RunOptions o;
    o.progress = "off";
    const std::string base = fingerprint(*run_model(base_config, o).memory);
    for (const ModelKey& k : model_keys()) {
      if (skipped.count(k.name)) continue;
      for (const std::string& v : candidates(k, k.get(base_config))) {
        ModelConfig c;
        try {
          c = load_model_string(kind.text, "base.toml", {k.name + "=" + v}, UnreadKeys::refuse, RunStorage::memory);
        } catch (const ConfigError&) {
          ++refused;
          continue;
        }
        RunResult r;
        try {
          r = run_model(c, o);
        } catch (const std::exception&) {  // refused at set-up (a data or field check): not ignored
          ++refused;
          continue;
        }
        if (r.memory && fingerprint(*r.memory) != base) {
          ++changed;
          continue;
        }
        ignored.push_back(kind.name + ": " + k.name + " = " + v);
      }
    }
  }
  std::string list;
  for (const std::string& s : ignored) list += "\n  " + s;
  INFO("accepted and without effect:" << list);
  CHECK(ignored.empty());
  CHECK(changed > 100);
  CHECK(refused > 0);
}

// Checkpoints go beside a run file: a run file reads the checkpoint keys, and every way of
// keeping runs in memory refuses them with the key and why, whether it knew at load time
// (ensemble, compare) or learns it at the run (a model run without an output file).
TEST_CASE("the checkpoint keys are read with a run file and refused in memory", "[config][coverage]") {
  const std::string text = std::string(kNetwork) + kGradientFlow;
  for (const char* set : {"output.checkpoint_every=3", "output.checkpoint_seconds=7.5"}) {
    const std::string key = std::string(set).substr(0, std::string(set).find('='));
    INFO(set);
    const std::string why = key + " is not read by this run: runs kept in memory";
    CHECK_THROWS_WITH(load_model_string(text, "m.toml", {set}, UnreadKeys::refuse, RunStorage::memory),
                      Catch::StartsWith("--set " + std::string(set) + ": error: " + why));
    const ModelConfig on_file = load_model_string(text, "m.toml", {set});
    RunOptions o;
    o.progress = "off";
    CHECK_THROWS_WITH(run_model(on_file, o), Catch::StartsWith("m.toml: error: " + why));
    // Defaults are never refused: a resolved configuration loads back for memory runs too.
    const ModelConfig plain = load_model_string(text, "m.toml");
    CHECK_NOTHROW(load_model_string(plain.resolved_toml, "r.toml", {}, UnreadKeys::refuse, RunStorage::memory));
    CHECK_NOTHROW(check_keys_read_in_memory(plain));
  }
}

// What a run kept in memory refuses beyond what a run file refuses is exactly the checkpoint
// keys and output.flush_every: every key of the schema, set to each candidate value on every
// run kind, loads for a run file and for runs in memory alike, but for those three (the
// loaders of ensemble and compare, and run_model without a file, share this rule table).
TEST_CASE("runs in memory refuse the checkpoint and flush keys and nothing else a run file reads",
          "[config][coverage]") {
  const std::vector<std::string> texts = {std::string(kNetwork) + kSgd, std::string(kNetwork) + kDamped,
                                          std::string(kField) + kGradientFlow,
                                          field_sgd("batch = 2\nsteps = 6\n[output]\nevery_steps = 2\n")};
  std::vector<std::string> differ;
  for (const std::string& text : texts) {
    const ModelConfig base = load_model_string(text, "base.toml");
    for (const ModelKey& k : model_keys())
      for (const std::string& v : candidates(k, k.get(base))) {
        const std::vector<std::string> set = {k.name + "=" + v};
        bool on_file = true, in_memory = true;
        try {
          load_model_string(text, "base.toml", set);
        } catch (const ConfigError&) {
          on_file = false;
        }
        try {
          load_model_string(text, "base.toml", set, UnreadKeys::refuse, RunStorage::memory);
        } catch (const ConfigError&) {
          in_memory = false;
        }
        if (in_memory) CHECK(on_file);  // memory runs never take what a run file refuses
        if (on_file != in_memory) differ.push_back(k.name);
      }
  }
  std::sort(differ.begin(), differ.end());
  differ.erase(std::unique(differ.begin(), differ.end()), differ.end());
  CHECK(differ == std::vector<std::string>{"output.checkpoint_every", "output.checkpoint_seconds", "output.flush_every"});
}

// run.seed on a field run: read only where something in it is drawn at random (a random(...)
// spec of [continuum] it reads, or the shuffled order of a data set); otherwise refused with
// the reason, in the file as from an override. ensemble's bootstrap resamples read it anyway.
TEST_CASE("a field run whose [continuum] is all expressions refuses run.seed", "[config][coverage]") {
  std::string explicit_field = std::string(kField) + kGradientFlow;
  const auto replace = [](std::string text, const std::string& from, const std::string& to) {
    return text.replace(text.find(from), from.size(), to);
  };
  explicit_field = replace(explicit_field, "samples = 3\n", "w_in = [\"0.3\", \"0.4\", \"0.3\"]\n");
  explicit_field = replace(explicit_field, "presentation = \"switch\"\ntau = 0.7\n", "");
  const std::string why = "run.seed is not read by this run: every [continuum] field a field run reads is an "
                          "expression and no sample order is drawn";
  const auto error = [](const std::string& text, const std::vector<std::string>& sets,
                        const ModelUse& use = ModelUse(RunStorage::memory)) -> std::string {
    try {
      load_model_string(text, "m.toml", sets, UnreadKeys::refuse, use);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  };
  CHECK_THAT(error(explicit_field, {"run.seed=4"}), Catch::Contains(why));
  CHECK_THAT(error("[run]\nseed = 4\n" + explicit_field, {}), Catch::Contains("m.toml:") && Catch::Contains(why));
  CHECK(error(explicit_field, {"run.seed=4"}, ModelUse::ensemble(true)).empty());
  // Each thing a field run draws makes it read the seed, and the seed then changes the run.
  RunOptions o;
  o.progress = "off";
  const auto output = [&](const std::string& text, const std::vector<std::string>& sets) {
    return fingerprint(*run_model(load_model_string(text, "m.toml", sets, UnreadKeys::refuse, RunStorage::memory), o).memory);
  };
  const std::string data_set = replace(explicit_field, "[data]\n",
                                       "samples = 3\ndX = \"0.1*cos(2*pi*y)\"\n[data]\npresentation = \"switch\"\n"
                                       "tau = 0.3\norder = \"random\"\n");
  const std::vector<std::string> random_draws = {
      replace(explicit_field, "X = \"sin(2*pi*y)\"", "X = \"random(0.5)\""),  // a random field
      replace(data_set, "dX = \"0.1*cos(2*pi*y)\"", "dX = \"random(0.1)\""),  // a random sample
      data_set};                                                             // a random sample order
  for (const std::string& text : random_draws) {
    REQUIRE(error(text, {"run.seed=4"}).empty());
    CHECK(output(text, {"run.seed=4"}) != output(text, {}));
  }
  CHECK_THAT(error(replace(data_set, "order = \"random\"", "order = \"sequential\""), {"run.seed=4"}),
             Catch::Contains(why));
}
