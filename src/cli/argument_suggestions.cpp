// Mistyped subcommands and options (argument_suggestions.hpp).
#include "argument_suggestions.hpp"

#include <cctype>
#include <vector>

#include "nnfield/config/name_suggestion.hpp"

namespace nnfield::cli {
namespace {

// Every spelling of every named option of `app`, dashes included: "--force", "-q".
std::vector<std::string> option_spellings(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& l : opt->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : opt->get_snames()) names.push_back("-" + s);
  }
  return names;
}

// `help`: the command whose --help lists the valid names ("nnfield", "nnfield run").
std::string with_suggestion(std::string message, const std::string& wrong, const std::vector<std::string>& valid,
                            const std::string& help) {
  // One letter away from every short option: a suggestion for "-z" would be a guess.
  const bool short_option = wrong.size() == 2 && wrong[0] == '-';
  if (auto near = closest_name(wrong, valid); near && !short_option) return message + ", did you mean '" + *near + "'?";
  return message + "; see " + help + " --help";
}

// A flag takes no value: "-q", "--force".
bool is_flag(const CLI::Option& opt) { return opt.get_expected_max() == 0; }

// "-0.5", "-.5", "-" (stdin): values, not options.
bool looks_like_option(const std::string& arg) {
  if (arg.size() < 2 || arg[0] != '-') return false;
  const char c = arg[1];
  return !(std::isdigit(static_cast<unsigned char>(c)) || c == '.');
}

// The option an argument names: "--set=a=1" -> "--set"; "-qf" or "-ofile" -> "-q", "-o".
std::string option_name(const std::string& arg) {
  if (arg.rfind("--", 0) == 0) return arg.substr(0, arg.find('='));
  return arg.substr(0, 2);
}

// A short option's spelling is unknown: "-qz" is -q -z when -q is a flag.
std::optional<std::string> unknown_short_flag(const CLI::App& app, const std::string& arg) {
  for (std::size_t k = 2; k < arg.size(); ++k) {
    const std::string flag = std::string("-") + arg[k];
    const CLI::Option* opt = app.get_option_no_throw(flag);
    if (!opt) return flag;
    if (!is_flag(*opt)) break;  // the rest of the argument is its value
  }
  return std::nullopt;
}

// Options of subcommand `app` from argv[first] on; the first unknown one, named.
std::optional<std::string> unknown_option(const CLI::App& app, int first, int argc, const char* const* argv) {
  const std::string where = app.get_name() + ": ", help = "nnfield " + app.get_name();
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") return std::nullopt;  // the rest are positionals
    if (!looks_like_option(arg)) continue;
    const std::string name = option_name(arg);
    const CLI::Option* opt = app.get_option_no_throw(name);
    if (!opt)
      return with_suggestion(where + "unknown option '" + name + "'", name,
                             option_spellings(app), help);
    const bool short_group = arg[1] != '-' && arg.size() > 2;
    if (short_group && is_flag(*opt)) {
      if (auto flag = unknown_short_flag(app, arg))
        return with_suggestion(where + "unknown option '" + *flag + "' (in '" + arg + "')", *flag,
                               option_spellings(app), help);
    }
    // The value of "-o x" or "--set k=v" is the next argument, whatever it looks like.
    const bool value_attached = arg.find('=') != std::string::npos || short_group;
    if (!is_flag(*opt) && !value_attached) ++i;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> unknown_argument(CLI::App& app, int argc, const char* const* argv) {
  int i = 1;
  // Options of the program itself (--help) come before the command.
  for (; i < argc && looks_like_option(argv[i]); ++i) {
    const std::string name = option_name(argv[i]);
    if (!app.get_option_no_throw(name))
      return with_suggestion("unknown option '" + name + "'", name, option_spellings(app), "nnfield");
  }
  if (i >= argc) return std::nullopt;
  const std::string command = argv[i];
  std::vector<std::string> commands;
  CLI::App* sub = nullptr;
  for (CLI::App* s : app.get_subcommands([](CLI::App* s) { return !s->get_name().empty(); })) {
    commands.push_back(s->get_name());
    if (s->get_name() == command) sub = s;
  }
  if (!sub) return with_suggestion("unknown command '" + command + "'", command, commands, "nnfield");
  return unknown_option(*sub, i + 1, argc, argv);
}

}  // namespace nnfield::cli
