// nnfield command line: run, validate, keys.
//
// Exit status: 0 success; 1 unexpected error; 2 bad model file or input data;
// 3 the run blew up (NaN/Inf or step-size underflow; output kept up to the last
// good row); 4 output/HDF5 error; 130 interrupted (SIGINT/SIGTERM; output kept).
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "nnfield/config.hpp"
#include "nnfield/h5io.hpp"
#include "nnfield/run.hpp"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
  g_stop.store(true);
  // A second Ctrl-C kills at once.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

std::string join_args(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
  return s;
}

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "nnfield: %s\n", message.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nnfield: lattice field theory of neural-network training"};
  app.require_subcommand(1);

  std::string model_path, output_path, progress = "auto";
  std::vector<std::string> overrides;
  bool force = false, quiet = false;

  auto* run = app.add_subcommand("run", "run a model file and write an HDF5 run file");
  run->add_option("model", model_path, "model file (TOML)")->required();
  run->add_option("-o,--output", output_path, "output HDF5 file")->required();
  run->add_option("--set", overrides, "override a key: section.key=value (repeatable)");
  run->add_flag("--force", force, "overwrite an existing output file");
  run->add_flag("-q,--quiet", quiet, "no progress output");
  run->add_option("--progress", progress, "progress display")->check(CLI::IsMember({"auto", "tty", "plain", "off"}));

  auto* validate = app.add_subcommand("validate", "check a model file without running it");
  validate->add_option("model", model_path, "model file (TOML)")->required();
  validate->add_option("--set", overrides, "override a key: section.key=value (repeatable)");
  bool print_resolved = false;
  validate->add_flag("--print", print_resolved, "print the resolved configuration");

  app.add_subcommand("keys", "print the model-file reference (Markdown)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  try {
    if (app.got_subcommand("keys")) {
      std::cout << nnfield::model_file_reference_markdown();
      return 0;
    }
    const nnfield::ModelConfig config = nnfield::load_model_file(model_path, overrides);
    if (app.got_subcommand("validate")) {
      if (print_resolved) std::cout << config.resolved_toml;
      else std::cout << model_path << ": ok\n";
      return 0;
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    nnfield::RunOptions options;
    options.output_path = output_path;
    options.force = force;
    options.progress = quiet ? "off" : progress;
    options.command_line = join_args(argc, argv);
    options.stop = &g_stop;
    const nnfield::RunResult result = nnfield::run_model(config, options);
    switch (result.status) {
      case nnfield::RunStatus::complete: return 0;
      case nnfield::RunStatus::interrupted:
        return fail(130, result.message + "; " + output_path + " holds " + std::to_string(result.rows) + " rows");
      case nnfield::RunStatus::blew_up:
        return fail(3, result.message + "; " + output_path + " keeps the " + std::to_string(result.rows) +
                           " rows written before");
    }
  } catch (const nnfield::ConfigError& e) {
    return fail(2, e.what());
  } catch (const nnfield::H5Error& e) {
    return fail(4, e.what());
  } catch (const std::exception& e) {
    return fail(1, e.what());
  }
  return 0;
}
