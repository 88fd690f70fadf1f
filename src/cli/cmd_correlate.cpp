// nnfield correlate RUN.h5 [--field phi|w|b] [--times t1,t2,... | --every n] [--connected]
//                   [--correlators LIST] -o CORR.h5 [--force]
// Correlators of a run already on disk (docs/correlators.md). Bad input (missing file
// or dataset, wrong shapes, unknown field) exits 2 naming the file and dataset, with
// no output file written; output errors exit 4.
#include <cstdio>
#include <filesystem>

#include "commands.hpp"
#include "nnfield/correlators/correlate_run.hpp"
#include "nnfield/io/h5io.hpp"

namespace nnfield::cli {
namespace {

struct CorrelateArgs : CommonArgs {
  std::string run, field = "phi";
  std::vector<double> times;
  std::size_t every = 1;
  bool connected = false;
  std::vector<std::string> correlators;
};

// Everything is computed before the output file is created, so bad input never
// leaves a file behind; a failure while writing removes the half-written file.
void write_result(const CorrelateResult& result, const CorrelateArgs& args, const std::string& command_line) {
  Provenance provenance = result.source;
  provenance.command_line = command_line;
  provenance.build = collect_build_provenance();
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
  sub->add_option("--correlators", args->correlators,
                  "subset of width,structure,xi,depth,input,2d (default: all)")
      ->delimiter(',');
  add_common_options(*sub, *args, {CommonOption::force});
  return {sub, [args, context]() {
            check_output_against_inputs(args->output, {args->run});
            CorrelateOptions options;
            options.field = args->field;
            options.times = args->times;
            options.every = args->every;
            options.connected = args->connected;
            if (!args->correlators.empty()) options.correlators = args->correlators;
            CorrelateResult result;
            try {
              result = correlate_run(args->run, options);
            } catch (const CorrelateInputError& e) {
              return fail(2, e.what());
            }
            write_result(result, *args, context.command_line);
            for (const std::string& note : result.notes) std::fprintf(stderr, "nnfield: note: %s\n", note.c_str());
            return 0;
          }};
}

const bool registered = add_command(register_correlate);

}  // namespace
}  // namespace nnfield::cli
