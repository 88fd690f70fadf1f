// nnfield validate MODEL [--set k=v ...] [--print]: check a model file without running
// (field models: also the stability check).
// nnfield keys: print the model-file reference (docs/model-files.md is its output).
#include <iostream>

#include "commands.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/data/input_checks.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/run/run.hpp"

namespace nnfield::cli {
namespace {

struct ValidateArgs : CommonArgs {
  bool print = false;
};

Command register_validate(CLI::App& app, const Context& context) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* sub = app.add_subcommand("validate", "check a model file without running it");
  add_common_options(*sub, *args, {CommonOption::model, CommonOption::overrides, CommonOption::resources});
  sub->add_flag("--print", args->print, "print the resolved configuration (also with --quiet)");
  add_common_options(*sub, *args, {CommonOption::quiet});
  return {sub, [args, context]() {
            const ModelConfig config = load_model_file(args->model, args->overrides);
            stop_point(context.stop);
            // Every input as a run would meet it: the memory it would need, the init and data
            // files, the continuum fields' values on the sites.
            check_resources(config, resource_budget(*args, ""));
            check_model_inputs(config);
            stop_point(context.stop);
            // A field model is checked as far as running it would: continuum data, grid, and
            // the stability check of docs/theory.md 4.3 (cheap: one sweep's worth of work).
            if (config.field.present) make_field_problem(config);
            stop_point(context.stop);
            if (args->print)
              std::cout << config.resolved_toml;
            else if (!args->quiet)
              std::cout << args->model << ": ok\n";
            return 0;
          }};
}

Command register_keys(CLI::App& app, const Context&) {
  CLI::App* sub = app.add_subcommand("keys", "print the model-file reference (Markdown)");
  // The reference is what keys exists to print: --quiet (taken by every command) keeps it.
  auto args = std::make_shared<CommonArgs>();
  add_common_options(*sub, *args, {CommonOption::quiet});
  return {sub, [args]() {  // holds what the parser writes to
            std::cout << model_file_reference_markdown();
            return 0;
          }};
}

const bool registered = add_command(register_validate) && add_command(register_keys);

}  // namespace
}  // namespace nnfield::cli
