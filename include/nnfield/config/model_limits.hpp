#pragma once
// Limits on model files and count-like settings, checked before anything is parsed or
// allocated (docs/model-files.md, "Limits", is generated from these). Why: the TOML
// parser and the expression parser recurse, and the run allocates from counts, so a
// hostile or mistyped input must fail with a message, not overflow the stack or the heap.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nnfield::detail {

constexpr std::size_t kMaxModelFileBytes = std::size_t(16) << 20;  // 16 MiB
constexpr int kMaxTomlDepth = 32;          // table, key, array and inline-table nesting
constexpr std::size_t kMaxKeyLength = 128;  // characters in a dotted key

// Count-like keys: upper bounds in the schema, before the memory estimate sees them.
constexpr double kMaxLayers = 1e6;        // network.M, data.teacher.M
constexpr double kMaxWidth = 1e6;         // network.N
constexpr double kMaxSamples = 1e7;       // data.samples, dynamics.batch
constexpr double kMaxCutoff = 1024;       // spectral cutoffs of random smooth fields
constexpr double kMaxContinuumSamples = 4096;  // continuum.samples (each is a smooth field per sample)
constexpr double kMaxSubsteps = 4096;     // field.depth_substeps
constexpr double kMaxSteps = 1e12;        // dynamics.steps
constexpr std::size_t kMaxModes = 4096;   // entries of init.smooth.modes (each is summed at every site)

// Rules across keys.
constexpr double kMaxOutputRows = 1e8;     // rows of a run: t_end / output.every, steps / every_steps
constexpr double kTimeResolution = 1e-12;  // a fixed step dt, output.every and data.tau >= t_end * this

// The first place where `text` nests deeper than kMaxTomlDepth, judged without parsing
// it (so the check itself cannot recurse): line, column (1-based) and the depth reached.
struct NestingProblem {
  std::size_t line = 1, column = 1;
  int depth = 0;
};
std::optional<NestingProblem> toml_nesting_problem(std::string_view text);

// A long name shown in a message: its first characters and its length.
std::string shortened_name(const std::string& name);

}  // namespace nnfield::detail
