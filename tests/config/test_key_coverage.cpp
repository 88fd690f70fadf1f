// No key is accepted and ignored: every key of the schema, set to another value on every
// run kind (network sgd, gradient flow, damped; field gradient flow, damped), is either
// refused by the loader (a one-line error naming it) or changes the run's output. The walk's
// runs are kept in memory, as ensemble's and compare's are and the Python module's without
// an output file: they take no checkpoints, so the checkpoint keys are refused there.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config/config_schema.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/run/run.hpp"

using namespace nnfield;
using namespace nnfield::detail;

namespace {

const char* kNetwork = R"TOML(
[network]
M = 3
N = 8
r = 1
[data]
source = "random"
samples = 4
)TOML";

const char* kSgd = R"TOML(
[dynamics]
kind = "sgd"
eta = 0.1
batch = 2
steps = 6
[output]
every_steps = 2
)TOML";

const char* kGradientFlow = R"TOML(
[dynamics]
kind = "gradient_flow"
t_end = 2.0
[output]
every = 1.0
)TOML";

const char* kDamped = R"TOML(
[dynamics]
kind = "damped"
gamma = 1.0
t_end = 2.0
[output]
every = 1.0
)TOML";

// The field model: a continuum data set of 3 samples switched every 0.7, so that every data
// key a field run reads can show its effect.
const char* kField = R"TOML(
[network]
M = 16
N = 16
r = 1
[continuum]
phi = "0.2 + 0.4*sin(2*pi*y)*cos(pi*x/2)"
c = "0.1*cos(pi*x)*sin(2*pi*y)"
w = ["0.3", "", "0.3"]
X = "sin(2*pi*y)"
misfit = "cos(2*pi*y)"
samples = 3
[data]
presentation = "switch"
tau = 0.7
[field]
p = 1
)TOML";

// The field model with continuum velocities (read by damped runs with init.velocity = "continuum").
std::string field_with_velocities() {
  std::string text = kField;
  const std::string after = "misfit = \"cos(2*pi*y)\"\n";
  text.insert(text.find(after) + after.size(), "phi_dot = \"0.01*sin(2*pi*(x - y))\"\n");
  return text;
}

// The text attributes that record how the run was asked for, not what it computed.
bool provenance(const std::string& name) {
  for (const char* p : {"model_text", "resolved_config", "command_line", "created", "source_path"})
    if (name == p) return true;
  return false;
}

// Everything a run wrote except provenance, as one comparable text.
std::string fingerprint(const MemoryRun& run) {
  std::ostringstream o;
  o.precision(17);
  for (const std::string& name : run.names()) {
    const MemoryRun::Dataset& d = run.dataset(name);
    o << name << " [";
    for (std::size_t s : d.shape) o << s << ",";
    o << "]";
    for (double v : d.data) o << " " << v;
    o << "\n";
  }
  for (const auto& [k, v] : run.text_attributes())
    if (!provenance(k)) o << "@" << k << "=" << v << "\n";
  for (const auto& [k, v] : run.number_attributes())
    if (!provenance(k)) o << "@" << k << "=" << v << "\n";
  return o.str();
}

// Other values worth trying for a key whose current value is `now`.
std::vector<std::string> candidates(const ModelKey& k, const Value& now) {
  // 0 = automatic: 1 is what the stability check picks for these smooth data.
  if (k.name == "field.depth_substeps") return {"3"};
  std::vector<std::string> out;
  switch (k.kind) {
    case ValueKind::boolean:
      out.push_back(std::get<bool>(now) ? "false" : "true");
      break;
    case ValueKind::integer: {
      const auto i = std::get<std::int64_t>(now);
      for (std::int64_t v : {i + 1, i * 2, i - 1, std::int64_t(3)})
        if (v != i) out.push_back(std::to_string(v));
      break;
    }
    case ValueKind::floating: {
      const double d = std::get<double>(now);
      for (double v : {d * 1.5, d + 0.1, d * 0.5, 0.3})
        if (v != d) out.push_back(toml_literal(Value{v}));
      break;
    }
    case ValueKind::string:
      if (k.choices.empty()) {
        out.push_back("\"0.1 + 0.05*sin(2*pi*y)\"");  // expressions; titles and paths take it as text
      } else {
        for (const std::string& c : k.choices)
          if (c != std::get<std::string>(now)) out.push_back(toml_quote(c));
      }
      break;
    case ValueKind::string_array:
      // Every choice alone: a list of choices may hold some only for some run kinds
      // (output.trajectory: the network's datasets, a field run's).
      for (const std::string& c : k.choices) out.push_back("[" + toml_quote(c) + "]");
      if (k.choices.empty()) out.push_back("[\"0.3\", \"0.1\", \"0.3\"]");
      break;
    case ValueKind::float_array:
      out.push_back("[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]");
      break;
    case ValueKind::mode_array:
      out.push_back("[{kx = 1, ky = 1, amplitude = 0.1}]");
      break;
  }
  return out;
}

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
                                                        "[init]\nvelocity = \"continuum\"\n"}};
  // Keys whose effect needs files or is outside one run's output (documented where they are tested).
  const std::map<std::string, std::string> skipped = {
      {"init.file", "an HDF5 file (tests/data/test_initial_state.cpp)"},
      {"data.file", "an HDF5 file (tests/data/test_data.cpp)"},
      {"output.flush_every", "when rows reach the disk, not what they hold (tests/io)"},
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
// (ensemble, propagate, compare) or learns it at the run (a model run without an output file).
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
// keys: every key of the schema, set to each candidate value on every run kind, loads for a
// run file and for runs in memory alike, but for those two (the loader of ensemble,
// propagate and compare, and run_model without a file, share this rule table).
TEST_CASE("runs in memory refuse the checkpoint keys and nothing else a run file reads", "[config][coverage]") {
  const std::vector<std::string> texts = {std::string(kNetwork) + kSgd, std::string(kNetwork) + kDamped,
                                          std::string(kField) + kGradientFlow};
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
  CHECK(differ == std::vector<std::string>{"output.checkpoint_every", "output.checkpoint_seconds"});
}
