// nnfield ensemble MODEL --seeds 0:64 -o ENS.h5 [--set k=v ...] [--threads n]
//                 [--error jackknife|bootstrap] [--resamples R] [--force] [--quiet]
// Independent realisations of a model (one master seed each) in memory on every CPU;
// ensemble means with errors of the loss and energy series and of every correlator the
// model asks for ([observe] correlators), and per-seed summaries (docs/long-range-order.md).
#include <cstdio>
#include <stdexcept>

#include "commands.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/analysis/ensemble.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/io/provenance.hpp"
#include "nnfield/numerics/parallel_for.hpp"
#include "nnfield/numerics/rng.hpp"
#include "nnfield/observe/task_progress.hpp"
#include "nnfield/run/run.hpp"

namespace nnfield::cli {
namespace {

struct EnsembleArgs : CommonArgs {
  std::string seeds = "0:16", error = "jackknife";
  int resamples = 1000;
};

Command register_ensemble(CLI::App& app, const Context& context) {
  auto args = std::make_shared<EnsembleArgs>();
  CLI::App* sub = app.add_subcommand("ensemble", "run a model once per seed and write ensemble means with errors");
  using O = CommonOption;
  add_common_options(*sub, *args, {O::model, O::output});
  sub->add_option("--seeds", args->seeds, "seeds: a:b (a..b-1), a,b,c or one number")->capture_default_str();
  add_common_options(*sub, *args, {O::overrides, O::threads});
  sub->add_option("--error", args->error, "error estimate of the ensemble means")->capture_default_str()
      ->check(CLI::IsMember({"jackknife", "bootstrap"}));
  sub->add_option("--resamples", args->resamples, "bootstrap resamples")->capture_default_str()->check(CLI::Range(2, 1 << 24));
  add_common_options(*sub, *args, {O::force, O::quiet, O::progress, O::resources});
  return {sub, [args, context]() {
            const ModelConfig config = load_model_for_memory_runs(*args);
            EnsembleOptions options;
            options.threads = int(args->thread_count());
            try {
              options.seeds = parse_seed_list(args->seeds);
              options.errors.method = error_method_from_name(args->error);
            } catch (const std::invalid_argument& e) {
              return fail(2, e.what());
            }
            options.errors.resamples = args->resamples;
            options.errors.seed = derive_seed(config.seed, "ensemble/bootstrap");
            options.stop = context.stop;
            check_output_against_inputs(args->output, model_inputs(config));
            // Every thread holds one run, its rows in memory.
            ResourceBudget budget = resource_budget(*args, "");
            budget.rows_in_memory = true;
            budget.copies = int(worker_count(options.seeds.size(), unsigned(options.threads)));
            check_resources(config, budget);
            stop_point(context.stop);

            // Under mpirun every process runs seeds; process 0 alone writes and reports.
            if (!processes::is_root()) {
              run_ensemble(config, options);
              return 0;
            }
            Provenance provenance = provenance_of(config, context.command_line);
            provenance.threads = unsigned(options.threads);
            // Open the output first: a bad path fails before the runs, not after.
            RunWriter writer(args->output, args->force, provenance);
            writer.set_root_attribute("seeds", args->seeds);
            writer.set_root_attribute("processes", double(processes::count()));

            const long total = long(options.seeds.size());
            TaskProgress progress(args->progress_mode(), total, "seeds");
            EnsembleResult result;
            try {
              result = run_ensemble(config, options, [&](int done) { progress.update(done); });
            } catch (const std::exception& e) {
              writer.finish(std::string("failed: ") + e.what());
              throw;
            }
            const unsigned threads = worker_count(std::size_t(total), unsigned(options.threads));
            progress.finish(std::to_string(result.included.size()) + " of " + std::to_string(total) +
                            " seeds averaged on " + std::to_string(threads) + " threads");
            write_ensemble(result, config, writer);
            print_notes(*args, result.notes);
            if (result.interrupted) {
              writer.finish("interrupted");
              return fail(130, "interrupted; " + args->output + " holds the " + std::to_string(result.included.size()) +
                                   " seeds that completed");
            }
            if (result.included.size() < result.seeds.size()) {
              writer.finish("complete");
              return fail(3, std::to_string(result.seeds.size() - result.included.size()) +
                                 " seeds blew up and are excluded from the means (see /seeds/status)");
            }
            writer.finish("complete");
            return 0;
          }};
}

const bool registered = add_command(register_ensemble);

}  // namespace
}  // namespace nnfield::cli
