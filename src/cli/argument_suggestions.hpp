#pragma once
// Mistyped subcommands and options, caught before CLI11 parses (which would report a
// missing required option first, or "a subcommand is required"), with the nearest valid
// name from the same tables the parser uses (nnfield/config/name_suggestion.hpp).
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace nnfield::cli {

// "unknown command 'rn', did you mean 'run'?" / "run: unknown option '--forse', did you
// mean '--force'?" for the first argument of argv the app does not know; nothing if all
// are known (CLI11 then reports anything else).
std::optional<std::string> unknown_argument(CLI::App& app, int argc, const char* const* argv);

}  // namespace nnfield::cli
