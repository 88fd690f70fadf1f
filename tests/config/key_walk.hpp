#pragma once
// What the key walks (test_key_coverage.cpp over run kinds, test_command_keys.cpp over
// ensemble, propagate and compare) share: the values tried for a key, and an output as one
// comparable text.
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "config/config_schema.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/io/series_sink.hpp"

namespace nnfield::key_walk {

using detail::ModelKey;
using detail::toml_literal;
using detail::Value;
using detail::ValueKind;

// Small models of each run kind: a network (add a dynamics block) and a field model.
inline const char* const kNetwork = R"TOML(
[network]
M = 3
N = 8
r = 1
[data]
source = "random"
samples = 4
)TOML";

inline const char* const kSgd = R"TOML(
[dynamics]
kind = "sgd"
eta = 0.1
batch = 2
steps = 6
[output]
every_steps = 2
)TOML";

inline const char* const kGradientFlow = R"TOML(
[dynamics]
kind = "gradient_flow"
t_end = 2.0
[output]
every = 1.0
)TOML";

inline const char* const kDamped = R"TOML(
[dynamics]
kind = "damped"
gamma = 1.0
t_end = 2.0
[output]
every = 1.0
)TOML";

// The field model: a continuum data set of 3 samples switched every 0.7, so that every data
// key a field run reads can show its effect.
inline const char* const kField = R"TOML(
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
inline std::string field_with_velocities() {
  std::string text = kField;
  const std::string after = "misfit = \"cos(2*pi*y)\"\n";
  text.insert(text.find(after) + after.size(), "phi_dot = \"0.01*sin(2*pi*(x - y))\"\n");
  return text;
}

// The field model for SGD: its data set in batches (sgd presents no switch), with `dynamics`
// (TOML lines) in its [dynamics].
inline std::string field_sgd(const std::string& dynamics) {
  std::string text = kField;
  const std::string presentation = "presentation = \"switch\"\ntau = 0.7\n";
  text.replace(text.find(presentation), presentation.size(), "order = \"sequential\"\n");
  return text + "[dynamics]\nkind = \"sgd\"\n" + dynamics;
}

// The field model with moving sources: X(y, t) and misfit(y, t) (docs/field-limit.md section 11).
inline std::string field_moving_source() {
  std::string text = kField;
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"X = \"sin(2*pi*y)\"", "X = \"sin(2*pi*y)*(1 + 0.5*sin(3*t))\""},
                                 {"misfit = \"cos(2*pi*y)\"", "misfit = \"cos(2*pi*y) + 0.5*sin(2*pi*y)*sin(2*t)\""}})
    text.replace(text.find(from), from.size(), to);
  return text;
}

// The text attributes that record how the run was asked for, not what it computed.
inline bool provenance(const std::string& name) {
  for (const char* p : {"model_text", "resolved_config", "command_line", "created", "source_path"})
    if (name == p) return true;
  return false;
}

// Everything a run wrote except provenance, as one comparable text.
inline std::string fingerprint(const MemoryRun& run) {
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
inline std::vector<std::string> candidates(const ModelKey& k, const Value& now) {
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

}  // namespace nnfield::key_walk
