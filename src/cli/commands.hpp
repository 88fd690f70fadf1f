#pragma once
// Each subcommand of the nnfield program lives in its own file and registers itself
// here: it adds its options to the app and returns the action to run if chosen.
// Exit status conventions (shared by every command; main.cpp maps exceptions to them):
//   0 success; 1 internal error (a bug); 2 bad model file, arguments or input data;
//   3 the run blew up (NaN/Inf, step-size underflow; output kept up to the last good row);
//   4 output/HDF5 error (disk full included); 5 not enough memory or disk for the run
//   (refused up front, or std::bad_alloc); 130 interrupted (SIGINT/SIGTERM/SIGHUP; output
//   closed cleanly).
#include <CLI/CLI.hpp>

#include <atomic>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/numerics/thread_count.hpp"
#include "nnfield/run/resources.hpp"

namespace nnfield::cli {

using Action = std::function<int()>;

struct Context {
  std::string command_line;         // argv joined, recorded as provenance
  const std::atomic<bool>* stop;    // set by SIGINT/SIGTERM/SIGHUP
};

// Print "nnfield: <message>" on stderr and return `code`.
int fail(int code, const std::string& message);

// A registered subcommand: its CLI11 node and what to do if it was chosen.
struct Command {
  CLI::App* subcommand;
  Action run;
};
using Registration = std::function<Command(CLI::App& app, const Context& context)>;
std::vector<Registration>& registry();

// Define one of these per command file: static const bool registered = add_command(...);
bool add_command(Registration registration);

// The options several commands share, with one name, help text and check each.
// A command's argument struct derives from CommonArgs and adds the ones it takes.
struct CommonArgs {
  std::string model, output, progress = "auto", max_memory;
  std::vector<std::string> overrides;
  bool force = false, quiet = false, no_resource_check = false;
  int threads = 0;  // --threads; 0: not given

  // The progress display to use: --quiet means --progress off.
  std::string progress_mode() const { return quiet ? "off" : progress; }
  // The threads to work on: --threads, else default_thread_count() (std::invalid_argument,
  // exit 2, when NNFIELD_THREADS or OMP_NUM_THREADS is not a positive whole number).
  unsigned thread_count() const { return resolve_thread_count(threads); }
};

enum class CommonOption {
  model,      // positional: model file (TOML), required
  output,     // -o,--output: output HDF5 file, required
  overrides,  // --set section.key=value, repeatable
  force,      // --force: overwrite an existing output file
  quiet,      // -q,--quiet: no progress, notes or summaries; errors and requested output still print
  progress,   // --progress auto|tty|plain|off
  resources,  // --max-memory SIZE, --no-resource-check
  threads,    // --threads n: worker threads (default: default_thread_count())
};

// Adds `options` to `sub`, bound to `args`, in the order given: the order --help lists them.
void add_common_options(CLI::App& sub, CommonArgs& args, std::initializer_list<CommonOption> options);

// A command's notes for the user, "nnfield: note: ..." on stderr, unless --quiet.
void print_notes(const CommonArgs& args, const std::vector<std::string>& notes);

// What every command checks before it works (ConfigError, exit 2): the output is not
// empty and is none of `inputs` (the same file under any name, even with --force).
void check_output_against_inputs(const std::string& output, const std::vector<std::string>& inputs);
// The model file with --set, for commands that keep their runs in memory (ensemble,
// propagate, compare): they take no checkpoints, so they refuse the checkpoint keys.
ModelConfig load_model_for_memory_runs(const CommonArgs& args);
// The files a model reads: the model file itself, init.file, data.file.
std::vector<std::string> model_inputs(const ModelConfig& config);

// The resource budget of --max-memory and --no-resource-check, for `output` ("": none).
ResourceBudget resource_budget(const CommonArgs& args, const std::string& output);

}  // namespace nnfield::cli
