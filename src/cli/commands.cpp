// What the subcommands share (commands.hpp): the registry, error reporting and the
// common options.
#include "commands.hpp"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace nnfield::cli {

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "nnfield: %s\n", message.c_str());
  return code;
}

std::vector<Registration>& registry() {
  static std::vector<Registration> commands;
  return commands;
}

bool add_command(Registration registration) {
  registry().push_back(std::move(registration));
  return true;
}

void add_common_options(CLI::App& sub, CommonArgs& args, std::initializer_list<CommonOption> options) {
  for (CommonOption option : options) {
    switch (option) {
      case CommonOption::model:
        sub.add_option("model", args.model, "model file (TOML)")->required();
        break;
      case CommonOption::output:
        sub.add_option("-o,--output", args.output, "output HDF5 file")->required();
        break;
      case CommonOption::overrides:
        sub.add_option("--set", args.overrides, "override a key: section.key=value (repeatable)");
        break;
      case CommonOption::force:
        sub.add_flag("--force", args.force, "overwrite an existing output file");
        break;
      case CommonOption::quiet:
        sub.add_flag("-q,--quiet", args.quiet,
                     "quiet: no progress, notes or summaries (errors still print)");
        break;
      case CommonOption::resources:
        sub.add_option("--max-memory", args.max_memory,
                       "memory the run may use, e.g. 8G (default: what is available now)");
        sub.add_flag("--no-resource-check", args.no_resource_check,
                     "run even when the memory or disk estimate does not fit");
        break;
      case CommonOption::threads:
        sub.add_option("--threads", args.threads,
                       "worker threads; results do not depend on it (default or 0: the CPUs this process may "
                       "use, capped by NNFIELD_THREADS, else OMP_NUM_THREADS)")
            ->check(CLI::Range(0, 1 << 16));
        break;
      case CommonOption::progress:
        sub.add_option("--progress", args.progress, "progress display")
            ->check(CLI::IsMember({"auto", "tty", "plain", "off"}));
        break;
    }
  }
}

void print_notes(const CommonArgs& args, const std::vector<std::string>& notes) {
  if (args.quiet) return;
  for (const std::string& note : notes) std::fprintf(stderr, "nnfield: note: %s\n", note.c_str());
}

void check_output_against_inputs(const std::string& output, const std::vector<std::string>& inputs) {
  if (output.empty()) throw ConfigError("-o: empty output path; give a file name");
  std::error_code ec;
  for (const std::string& input : inputs) {
    if (input.empty() || !std::filesystem::equivalent(output, input, ec)) continue;
    throw ConfigError(output + ": is the input " + input + "; refusing to write over an input, even with --force");
  }
}

ModelConfig load_model_for_memory_runs(const CommonArgs& args) {
  return load_model_file(args.model, args.overrides, UnreadKeys::refuse, RunStorage::memory);
}

std::vector<std::string> model_inputs(const ModelConfig& config) {
  return {config.source_path, config.init.file, config.data.file};
}

ResourceBudget resource_budget(const CommonArgs& args, const std::string& output) {
  ResourceBudget budget;
  budget.check = !args.no_resource_check;
  budget.output_path = output;
  if (!args.max_memory.empty()) {
    try {
      budget.max_memory = parse_byte_size(args.max_memory);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(e.what());
    }
  }
  return budget;
}

}  // namespace nnfield::cli
