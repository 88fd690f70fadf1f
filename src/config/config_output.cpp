// The schema rendered as text: TOML literals, the resolved configuration, and the
// Markdown reference in docs/model-files.md.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "config/config_schema.hpp"

namespace nnfield::detail {
namespace {

std::string float_literal(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // Shortest representation that reads back to the same double, so the resolved
  // TOML reproduces the configuration bit for bit.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  // Keep it a TOML float (an integer literal would still load, but would read as int).
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string mode_literal(const FieldMode& m) {
  std::string s = "{ ";
  bool first = true;
  for (const auto& k : mode_keys()) {
    if (!first) s += ", ";
    first = false;
    s += k.name + " = " + toml_literal(k.get(m));
  }
  return s + " }";
}

template <class T, class F>
std::string array_literal(const std::vector<T>& v, F item) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + item(v[i]);
  return s + "]";
}

}  // namespace

std::string toml_quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (ch < 0x20 || ch == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", unsigned(ch));
          out += buf;
        } else {
          out += char(ch);
        }
    }
  }
  return out + "\"";
}

std::string toml_literal(const Value& v) {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return float_literal(d); }
    std::string operator()(const std::string& s) const { return toml_quote(s); }
    std::string operator()(const std::vector<double>& a) const {
      return array_literal(a, float_literal);
    }
    std::string operator()(const std::vector<std::string>& a) const {
      return array_literal(a, [](const std::string& s) { return toml_quote(s); });
    }
    std::string operator()(const std::vector<FieldMode>& a) const {
      return array_literal(a, mode_literal);
    }
  };
  return std::visit(Visitor{}, v);
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + toml_quote(items[i]);
  return s;
}

std::string number_text(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(std::int64_t(v));
  return float_literal(v);
}

std::string resolved_toml(const ModelConfig& config) {
  std::string out =
      "# nnfield model, resolved: every key after defaults and --set overrides.\n";
  for (const auto& section : model_sections()) {
    // [field] switches the solver on by being there: write it only if it was.
    if (section.is_present && !section.is_present(config)) continue;
    out += "\n[" + section.name + "]\n";
    for (const auto& key : model_keys()) {
      if (section_of(key.name) != section.name) continue;
      out += leaf_of(key.name) + " = " + toml_literal(key.get(config)) + "\n";
    }
  }
  return out;
}

}  // namespace nnfield::detail

namespace nnfield {
namespace {

using detail::KeySpec;

// Markdown table cells: a literal '|' would end the cell.
std::string cell(const std::string& s) {
  std::string out;
  for (char ch : s) out += ch == '|' ? std::string("\\|") : std::string(1, ch);
  return out;
}

std::string code(const std::string& s) { return "`" + s + "`"; }

template <class Root>
std::string allowed_text(const KeySpec<Root>& k) {
  std::vector<std::string> parts;
  if (!k.choices.empty()) {
    std::string c = k.kind == detail::ValueKind::string_array ? "each one of " : "";
    for (std::size_t i = 0; i < k.choices.size(); ++i) {
      c += (i ? ", " : "") + code(detail::toml_quote(k.choices[i]));
    }
    parts.push_back(c);
  }
  if (k.lower) parts.push_back((k.lower->open ? "> " : ">= ") + detail::number_text(k.lower->value));
  if (k.upper) parts.push_back((k.upper->open ? "< " : "<= ") + detail::number_text(k.upper->value));
  if (k.kind == detail::ValueKind::mode_array) parts.push_back("see [modes](#entries-of-modes)");
  if (!k.constraint.empty()) parts.push_back(k.constraint);
  if (parts.empty()) return "any";
  std::string s;
  for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? "; " : "") + parts[i];
  return s;
}

template <class Root>
std::string table_row(const KeySpec<Root>& k, const std::string& shown_name) {
  const std::string def = k.required ? "required" : code(detail::toml_literal(k.get(Root{})));
  return "| " + code(shown_name) + " | " + detail::kind_name(k.kind) + " | " + cell(def) + " | " +
         cell(allowed_text(k)) + " | " + cell(k.doc) + " |\n";
}

const char* const table_head =
    "| key | type | default | allowed | meaning |\n"
    "|-----|------|---------|---------|---------|\n";

// Hand-written: what the tables below cannot say.
const char* const intro = R"(# Model files

<!-- Generated by nnfield::model_file_reference_markdown() from src/config/config_schema.cpp
     (`nnfield keys`). Do not edit by hand: a test fails when this file and the code differ. -->

A model file is a [TOML](https://toml.io) file that describes one run: the network, its
initial state, the training data, the dynamics, the integrator and the output. For example:

```toml
[run]
title = "small damped net"
seed = 42

[network]
M = 8
N = 32
r = 1
activation = "tanh"

[dynamics]
kind = "damped"
gamma = 0.5
t_end = 20.0
```

**Sections.** Keys live in the sections listed below (`[run]`, `[network]`, `[init]` with
its subtables `[init.smooth]` and `[init.smooth_velocity]`, `[data]` with `[data.teacher]`,
`[dynamics]`, `[integrator]`, `[output]`, `[observe]`, `[continuum]`, `[field]`). Every key has a
default, so a file only names what differs from it; an empty file is a valid model. Unknown sections
and keys are errors, with a suggestion when a valid name is close (a typo never silently falls
back to a default). A `[field]` section (even empty, or any `field.*` key given with `--set`)
makes `nnfield run` integrate the field theory instead of the network; `[continuum]` is
recorded the same way.
Integers are accepted where a float is expected, not the other way round.

**Overrides.** `nnfield ... --set section.key=value` sets any key, including nested ones
(`--set data.teacher.sigma_w=2`), on top of the file; it may be repeated and the last
setting of a key wins. The value is read as a TOML value (`--set data.x=[1,2,3]`,
`--set run.title="a b"`); if it is not valid TOML it is taken as a bare string
(`--set network.activation=erf`).

**Errors.** A problem is reported on one line, located in the file (or at the override that
set the value), naming the key, and the program exits with status 2:

```text
model.toml:4:5: error: network.r = 5 must satisfy r < N/2 (N = 8) (key 'network.r')
model.toml:7:1: error: unknown key 'network.actvation', did you mean 'network.activation'? (key 'network.actvation')
--set dynamics.t_end=-1: error: dynamics.t_end = -1.0 must be > 0 (key 'dynamics.t_end')
```

**Provenance.** Every output file stores the model file verbatim and the *resolved*
configuration: every key below with its final value, as TOML that loads back to the same run.
)";

}  // namespace

std::string model_file_reference_markdown() {
  std::ostringstream md;
  md << intro;
  for (const auto& section : detail::model_sections()) {
    md << "\n## [" << section.name << "]\n\n" << section.doc << "\n\n" << table_head;
    for (const auto& key : detail::model_keys()) {
      if (detail::section_of(key.name) == section.name) md << table_row(key, key.name);
    }
  }
  md << "\n## Entries of `modes`\n\n"
     << "`init.smooth.modes` and `init.smooth_velocity.modes` are arrays of tables, one per\n"
     << "mode: `f(x, y) += amplitude * cos(pi * kx * x / Lx + 2 pi * ky * y / Ly + phase)`.\n"
     << "Write them inline (`modes = [{ field = \"w\", offset = 0, kx = 1, amplitude = 0.2 }]`)\n"
     << "or as `[[init.smooth.modes]]` blocks.\n\n"
     << table_head;
  for (const auto& key : detail::mode_keys()) md << table_row(key, key.name);
  return md.str();
}

}  // namespace nnfield
