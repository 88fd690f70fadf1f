// nnfield run MODEL -o RUN.h5 [--set k=v ...] [--force] [--quiet] [--progress MODE] [--allow-unstable]
//                   [--threads n]
// nnfield run --resume RUN.h5 [--set dynamics.t_end=...] [...]: continue from RUN.h5.ckpt
#include "commands.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/run/resume.hpp"
#include "nnfield/run/run.hpp"

namespace nnfield::cli {
namespace {

struct RunArgs : CommonArgs {
  bool allow_unstable = false;
  std::string resume;
};

// The model to run: the model file, or with --resume the checkpointed run's configuration.
ModelConfig run_config(const RunArgs& args) {
  if (!args.resume.empty()) return load_resume_config(args.resume, args.overrides);
  if (args.model.empty() || args.output.empty())
    throw ConfigError("run: needs a model file and -o/--output RUN.h5 (or --resume RUN.h5)");
  return load_model_file(args.model, args.overrides);
}

// The exit status of a run that ended so (README, "Exit status").
int exit_status(RunStatus status) {
  switch (status) {
    case RunStatus::complete: return 0;
    case RunStatus::interrupted: return 130;
    case RunStatus::blew_up: return 3;
  }
  return 1;
}

// run_config on every process of a width split, one process at a time: resuming takes
// the run file's lock for a moment (run/resume.hpp), which two processes cannot hold at once.
ModelConfig run_config_in_turn(const RunArgs& args) {
  if (args.resume.empty() || processes::count() == 1) return run_config(args);
  ModelConfig config;
  for (int p = 0; p < processes::count(); ++p) {
    if (p == processes::rank()) config = run_config(args);
    processes::on_all_processes(true);  // the turn passes when every process is here
  }
  return config;
}

Command register_run(CLI::App& app, const Context& context) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* sub = app.add_subcommand("run", "run a model file and write an HDF5 run file");
  using O = CommonOption;
  add_common_options(*sub, *args, {O::model, O::output, O::overrides, O::force, O::quiet});
  sub->add_flag("--allow-unstable", args->allow_unstable,
                "field models: integrate even when the stability check refuses the form (docs/theory.md 4.3)");
  add_common_options(*sub, *args, {O::threads, O::progress, O::resources});
  // --resume replaces the model file and -o: both are optional then, and excluded with it.
  CLI::Option* model_option = sub->get_option("model");
  CLI::Option* output_option = sub->get_option("--output");
  model_option->required(false);
  output_option->required(false);
  sub->add_option("--resume", args->resume,
                  "continue RUN.h5 from its checkpoint RUN.h5.ckpt (--set dynamics.t_end=... extends it)")
      ->excludes(model_option)
      ->excludes(output_option)
      ->excludes(sub->get_option("--force"));
  return {sub, [args, context]() {
            ModelConfig config = run_config_in_turn(*args);
            if (args->allow_unstable) config.field.allow_unstable = true;
            const std::string output = args->resume.empty() ? args->output : args->resume;
            check_output_against_inputs(output, model_inputs(config));
            check_resources(config, resource_budget(*args, output));
            stop_point(context.stop);
            RunOptions options;
            options.output_path = output;
            options.resume = !args->resume.empty();
            options.force = args->force;
            options.progress = args->progress_mode();
            options.command_line = context.command_line;
            options.stop = context.stop;
            options.threads = int(args->thread_count());
            // Under mpirun with several processes, one network split along its width
            // (docs/cluster.md): one thread per process unless --threads says otherwise
            // (then refused).
            const bool split = processes::count() > 1;
            if (split) options.threads = args->threads == 0 ? 1 : args->threads;
            const RunResult result = split ? run_width_split(config, options) : run_model(config, options);
            if (!processes::is_root()) return exit_status(result.status);  // process 0 reports
            switch (result.status) {
              case RunStatus::complete: return 0;
              case RunStatus::interrupted:
                return fail(130, result.message + "; " + output + " holds " + std::to_string(result.rows) +
                                     " rows");
              case RunStatus::blew_up:
                return fail(3, result.message + "; " + output + " keeps the " + std::to_string(result.rows) +
                                   " rows written before");
            }
            return 1;
          }};
}

const bool registered = add_command(register_run);

}  // namespace
}  // namespace nnfield::cli
