// nnfield correlate RUN.h5 [--field phi|w|b] [--times t1,t2,... | --every n] [--connected]
//                   [--only LIST] -o CORR.h5 [--force] [--quiet] [--max-memory SIZE] [--no-resource-check]
// Correlators of a run already on disk (docs/correlators.md). Bad input (missing file
// or dataset, wrong shapes, unknown field) exits 2 naming the file and dataset, with
// no output file written; output errors exit 4; an estimate that does not fit the memory
// or the disk exits 5 before anything large is read.
#include <cstdio>
#include <filesystem>

#include "commands.hpp"
#include "nnfield/correlators/correlate_run.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/run/resources.hpp"

namespace nnfield::cli {
namespace {

struct CorrelateArgs : CommonArgs {
  std::string run, field = "phi";
  std::vector<double> times;
  std::size_t every = 1;
  bool connected = false;
  std::vector<std::string> only;
};

// One line on stderr before a large output, with what makes it large (src/io writes it
// compressed, so the file is usually smaller).
constexpr double kLargeOutputBytes = 1e9;

// Everything is computed before the output file is created, so bad input never
// leaves a file behind; a failure while writing removes the half-written file.
void write_result(const CorrelateResult& result, const CorrelateArgs& args, const std::string& command_line) {
  Provenance provenance = result.source;
  provenance.command_line = command_line;
  provenance.build = collect_build_provenance();
  provenance.threads = args.thread_count();
  RunWriter writer(args.output, args.force, provenance);  // throws before creating anything
  try {
    for (const auto& [name, value] : result.attributes) writer.set_root_attribute(name, value);
    for (const auto& [name, value] : result.integer_attributes) writer.set_root_integer(name, value);
    for (const NamedArray& a : result.arrays)
      writer.write_array(a.name, a.shape, a.data.data(), a.index_order, a.description, a.kind);
    writer.finish("complete");
  } catch (...) {
    try {
      writer.finish("failed");
    } catch (...) {
      // Already reporting the first error; the file is closed either way.
    }
    std::error_code ec;
    if (std::filesystem::is_regular_file(args.output, ec)) std::filesystem::remove(args.output, ec);
    throw;
  }
}

// The estimate, and the note when it is large (not with --quiet).
CorrelateEstimate correlate_size(const std::string& run, const CorrelateOptions& options, bool quiet) {
  const CorrelateEstimate e = estimate_correlate(run, options);
  if (e.output_bytes > kLargeOutputBytes && !quiet)
    std::fprintf(stderr, "nnfield: note: estimated output %s before compression (%zu rows; largest: %s); --only, "
                 "--every or --times write less\n", byte_text(e.output_bytes).c_str(), e.rows, e.largest.c_str());
  return e;
}

// Refuses (ResourceError, exit 5) what does not fit, as `nnfield run` does.
void check_size(const CorrelateEstimate& e, const CorrelateArgs& args) {
  BudgetedEstimate checked;
  checked.memory_bytes = e.memory_bytes;
  checked.memory_cause = "the field read and the correlators of " + std::to_string(e.rows) + " rows, largest: " +
                         e.largest;
  checked.output_bytes = e.output_bytes;
  checked.output_cause = std::to_string(e.rows) + " rows; largest: " + e.largest;
  check_estimate(checked, resource_budget(args, args.output));
}

Command register_correlate(CLI::App& app, const Context& context) {
  auto args = std::make_shared<CorrelateArgs>();
  CLI::App* sub = app.add_subcommand("correlate", "correlators of a run file (docs/correlators.md)");
  sub->add_option("run", args->run, "run file (HDF5) written by nnfield run")->required();
  add_common_options(*sub, *args, {CommonOption::output});
  sub->add_option("--field", args->field, "phi (neurons z, or a field run's phi), w (weights), b (biases)");
  auto* times = sub->add_option("--times", args->times, "output times to use, e.g. 0,0.5,1 (default: all rows)")
                    ->delimiter(',');
  sub->add_option("--every", args->every, "use every n-th output row")->check(CLI::PositiveNumber)->excludes(times);
  sub->add_flag("--connected", args->connected, "subtract each configuration's layer width mean");
  std::string names;
  for (const std::string& n : correlate_output_names()) names += (names.empty() ? "" : ",") + n;
  sub->add_option("--only", args->only, "outputs written, a subset of " + names + " (default: all)")
      ->delimiter(',');
  add_common_options(*sub, *args,
                     {CommonOption::force, CommonOption::quiet, CommonOption::resources, CommonOption::threads});
  return {sub, [args, context]() {
            check_output_against_inputs(args->output, {args->run});
            CorrelateOptions options;
            options.threads = args->thread_count();
            options.field = args->field;
            options.times = args->times;
            options.every = args->every;
            options.connected = args->connected;
            options.only = args->only;
            CorrelateResult result;
            try {
              check_size(correlate_size(args->run, options, args->quiet), *args);
              result = correlate_run(args->run, options);
            } catch (const CorrelateInputError& e) {
              return fail(2, e.what());
            }
            write_result(result, *args, context.command_line);
            print_notes(*args, result.notes);
            return 0;
          }};
}

const bool registered = add_command(register_correlate);

}  // namespace
}  // namespace nnfield::cli
