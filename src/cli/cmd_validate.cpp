// nnfield validate MODEL [--set k=v ...] [--print]: check a model file without running
// (field models: also the stability check).
// nnfield keys: print the model-file reference (docs/model-files.md is its output).
#include <iostream>

#include "commands.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/field/field_problem.hpp"

namespace nnfield::cli {
namespace {

struct ValidateArgs : CommonArgs {
  bool print = false;
};

Command register_validate(CLI::App& app, const Context&) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* sub = app.add_subcommand("validate", "check a model file without running it");
  add_common_options(*sub, *args, {CommonOption::model, CommonOption::overrides});
  sub->add_flag("--print", args->print, "print the resolved configuration");
  return {sub, [args]() {
            const ModelConfig config = load_model_file(args->model, args->overrides);
            // A field model is checked as far as running it would: continuum data, grid, and
            // the stability check of docs/theory.md 4.3 (cheap: one sweep's worth of work).
            if (config.field.present) make_field_problem(config);
            if (args->print)
              std::cout << config.resolved_toml;
            else
              std::cout << args->model << ": ok\n";
            return 0;
          }};
}

Command register_keys(CLI::App& app, const Context&) {
  CLI::App* sub = app.add_subcommand("keys", "print the model-file reference (Markdown)");
  return {sub, []() {
            std::cout << model_file_reference_markdown();
            return 0;
          }};
}

const bool registered = add_command(register_validate) && add_command(register_keys);

}  // namespace
}  // namespace nnfield::cli
