// The schema rendered as text: TOML literals, the resolved configuration, and the
// Markdown reference in docs/model-files.md.
#include <charconv>
#include <cmath>
#include <sstream>

#include "config/config_schema.hpp"
#include "nnfield/config/model_limits.hpp"
#include "nnfield/numerics/expression.hpp"

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

std::map<std::string, std::string> resolved_key_values(const std::string& resolved_toml) {
  std::map<std::string, std::string> keys;
  std::istringstream in(resolved_toml);
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      section = line.substr(1, line.find(']') - 1);
      continue;
    }
    const std::size_t eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    keys[section + "." + line.substr(0, eq)] = line.substr(eq + 3);
  }
  return keys;
}

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
      c += (i ? ", " : "") + code(toml_quote(k.choices[i]));
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
  const std::string type = k.is_path ? "path" : detail::kind_name(k.kind);
  return "| " + code(shown_name) + " | " + type + " | " + cell(def) + " | " +
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
default, so a file only names what differs from it (an empty file is refused as a likely mistake:
a comment is enough to ask for every default). Unknown sections
and keys are errors, with a suggestion when a valid name is close (a typo never silently falls
back to a default). A `[field]` section (even empty, or any `field.*` key given with `--set`)
makes `nnfield run` integrate the field theory instead of the network; `[continuum]` is
recorded the same way.
Integers are accepted where a float is expected, not the other way round.

**Keys the run does not read.** A key given with a value other than its default that the run
would not read is an error naming the key and why, never accepted and ignored: `dynamics.gamma`
on gradient flow, `data.tau` with `data.presentation = "fixed"`, `integrator.rtol` with a
fixed-step stepper, `init.sigma_w` unless `init.kind = "random"`, any `[data]` or `[init]` key
but `init.velocity` on a field run (its data and initial state come from `[continuum]`),
`run.seed` on a field run that draws nothing at random (every `[continuum]` field it reads an
expression, and no data set presented in shuffled or random order), and so
on; switching `dynamics.kind` with `--set` therefore needs the keys of the old kind removed.
A key set to its default is accepted either way, so a resolved configuration loads back.
`tests/config/test_key_coverage.cpp` sets every key on every run kind and checks that it is
refused or changes the output. Runs kept in memory (`ensemble`, `compare`, the Python module
without an output file) also refuse `output.checkpoint_every`, `output.checkpoint_seconds` and
`output.flush_every`: they write no file.

**Keys a command does not read.** A model file describes one model; the commands other than
`run` use part of it. An override (`--set`, or an entry of the Python module's `overrides`) of a
key the command does not read is refused, even with the default value, exit status 2, in one line
naming the key and what the command reads instead: the user asked for something that cannot
happen. `nnfield propagate` studies the model's network at initialisation: it reads
`network.M`, `network.N`, `network.r`, `network.activation`, `init.sigma_w` (not with
`--sigma-w`), `init.sigma_b` (not with `--sigma-b`) and `run.seed` (not with `--seed`), and
copies `run.title` into its file; the file's other keys describe the training run and are
checked as for `nnfield run` of the file. `nnfield ensemble` and `nnfield compare` run the
model, so a key they do not honour is refused in the file too, as the run kinds refuse theirs:
`ensemble` refuses `output.trajectory` (it keeps only loss and z of each seed's run),
`observe.lagrangian` and `observe.autocorrelation` (it averages the `/trajectory`, `/energy` and
correlator series), and
takes `run.seed` only with `--error bootstrap` (the resamples' seed; `--seeds` gives the runs'
seeds); `compare` refuses `[init]` but `init.velocity`, `output.trajectory`, `[observe]` and
`field.form` (its networks and field runs start from `[continuum]`; it records only what it
compares; it picks the forms; `init.kind = "continuum"` and `data.source = "continuum"` in the
file, which say what it does, are taken), and judges the other keys as a field run of the model
(the `[data]` keys a field run reads, `data.presentation`, `data.tau`, `data.order`, present
the samples to its networks too), but `dynamics.variables` as a network run: its networks
integrate in those variables (the same comparison to the integrator's tolerance), its field runs
in (w, beta). `field.rx` and `field.ry` give compare's default coarse-graining, `--coarsen` replaces
them. Two exceptions keep the example models usable: in a file, `run.seed`
for `ensemble` with jackknife errors, and `field.p` (and `field.rx`, `field.ry` with `--coarsen`)
for `compare`, are the keys of `nnfield run` of the file, refused only as overrides.
`tests/config/test_command_keys.cpp` sets every key for each of these commands and checks that
it is refused or changes the command's output.

**Overrides.** `nnfield ... --set section.key=value` sets any key, including nested ones
(`--set data.teacher.sigma_w=2`), on top of the file; it may be repeated and the last
setting of a key wins. The value is read as a TOML value (`--set data.x=[1,2,3]`,
`--set run.title="a b"`); if it is not valid TOML it is taken as a bare string
(`--set network.activation=erf`).

**Paths.** A relative path in a model file (`init.file`, `data.file`: the keys of type
*path*) names a file relative to the folder of the model file, so
`nnfield run /elsewhere/models/sgd_datafile.toml` reads `/elsewhere/data/patterns.h5` for
`file = "../data/patterns.h5"` from any working directory. A relative path given with `--set`
(or in the Python module's `overrides`) is typed where the user stands: it resolves from the
working directory, as any shell argument does. Model text that is not a file
(`nnfield.Model.from_string`) resolves from the working directory too. Absolute paths are
taken as they are. The resolved configuration stores every path absolute, so an output's
provenance names the file that was read, and `nnfield validate --print` prints a file that
loads back from anywhere.

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

// The limits of model_limits.hpp and expression.hpp, in words.
std::string limits_text() {
  std::ostringstream md;
  md << "\n**Limits.** Checked before anything is parsed or allocated, each with a one-line error "
        "(exit status 2):\n\n"
     << "- a model file of at most " << (detail::kMaxModelFileBytes >> 20) << " MiB, a regular file "
     << "(not a directory, pipe or device), not empty;\n"
     << "- tables, dotted keys, arrays and inline tables nested at most " << detail::kMaxTomlDepth
     << " levels deep; keys at most " << detail::kMaxKeyLength << " characters;\n"
     << "- expressions at most " << kMaxExpressionLength << " characters, with parentheses, function "
     << "calls, signs and powers nested at most " << kMaxExpressionNesting << " levels, and a tree at most "
     << kMaxExpressionDepth << " levels deep (a sum or product of at most that many terms);\n"
     << "- count-like keys: the upper bounds in the tables below (network.M, network.N, data.samples, "
     << "cutoffs, field.depth_substeps, dynamics.steps);\n"
     << "- at most " << detail::number_text(detail::kMaxOutputRows) << " output rows (dynamics.t_end / "
     << "output.every, dynamics.steps / output.every_steps, and observe.every), and a fixed step "
     << "integrator.dt and the sample time data.tau of at least dynamics.t_end * "
     << detail::number_text(detail::kTimeResolution) << " (so that steps and sample switches are distinct "
     << "times; switches are generated as the run reaches them, so their number costs no memory); "
     << "integrator.dt_min <= integrator.dt.\n\n"
     << "Then the commands estimate the memory a run needs and the bytes it writes, and refuse (exit "
     << "status 5, naming the keys) a run that does not fit the memory available (or `--max-memory`) "
     << "or the output's disk; `--no-resource-check` runs it anyway. `nnfield validate` also opens "
     << "init.file and data.file (shapes from the metadata first, then every value) and evaluates "
     << "every [continuum] expression on the network's sites, refusing a non-finite value with the "
     << "point.\n";
  return md.str();
}

std::string model_file_reference_markdown() {
  std::ostringstream md;
  md << intro << limits_text();
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
