// What the subcommands share (commands.hpp): the registry, error reporting and the
// common options.
#include "commands.hpp"

#include <cstdio>

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
        sub.add_flag("-q,--quiet", args.quiet, "no progress output");
        break;
      case CommonOption::progress:
        sub.add_option("--progress", args.progress, "progress display")
            ->check(CLI::IsMember({"auto", "tty", "plain", "off"}));
        break;
    }
  }
}

}  // namespace nnfield::cli
