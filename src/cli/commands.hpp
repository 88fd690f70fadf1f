#pragma once
// Each subcommand of the nnfield program lives in its own file and registers itself
// here: it adds its options to the app and returns the action to run if chosen.
// Exit status conventions (shared by every command):
//   0 success; 1 unexpected error; 2 bad model file, arguments or input data;
//   3 the run blew up (NaN/Inf, step-size underflow; output kept up to the last good row);
//   4 output/HDF5 error; 130 interrupted (SIGINT/SIGTERM; output closed cleanly).
#include <CLI/CLI.hpp>

#include <atomic>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

namespace nnfield::cli {

using Action = std::function<int()>;

struct Context {
  std::string command_line;         // argv joined, recorded as provenance
  const std::atomic<bool>* stop;    // set by SIGINT/SIGTERM
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
  std::string model, output, progress = "auto";
  std::vector<std::string> overrides;
  bool force = false, quiet = false;

  // The progress display to use: --quiet means --progress off.
  std::string progress_mode() const { return quiet ? "off" : progress; }
};

enum class CommonOption {
  model,      // positional: model file (TOML), required
  output,     // -o,--output: output HDF5 file, required
  overrides,  // --set section.key=value, repeatable
  force,      // --force: overwrite an existing output file
  quiet,      // -q,--quiet: no progress output
  progress,   // --progress auto|tty|plain|off
};

// Adds `options` to `sub`, bound to `args`, in the order given: the order --help lists them.
void add_common_options(CLI::App& sub, CommonArgs& args, std::initializer_list<CommonOption> options);

}  // namespace nnfield::cli
