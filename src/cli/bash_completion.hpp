#pragma once
// A bash completion script generated from the parser's own tables (the CLI11 app): the
// subcommands, each one's options, the values of options checked against a fixed set
// (CLI::IsMember), and file completion for model files (*.toml) and HDF5 files (*.h5).
#include <CLI/CLI.hpp>

#include <string>

namespace nnfield::cli {

std::string bash_completion_script(const CLI::App& app);

}  // namespace nnfield::cli
