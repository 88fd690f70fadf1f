// nnfield compare MODEL -o CONV.h5 [--levels L] [--refine both|depth|width] [--orders 1,2] [--coarsen 1,4,8x2]
//                  [--times t1,t2] [--threads n] [--set k=v ...] [--force] [-q] [--allow-unstable]
// The field solver against the network, and the network against itself, under refinement
// (include/nnfield/analysis/compare.hpp): a table on stdout and CONV.h5.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/analysis/compare.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/io/provenance.hpp"

namespace nnfield::cli {
namespace {

struct CompareArgs : CommonArgs {
  std::string orders = "1,2", coarsen, times, refine = "both";
  int levels = 3;
  bool allow_unstable = false;
};

template <class T>
std::vector<T> parse_list(const std::string& text, const std::string& option) {
  std::vector<T> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    T v{};
    try {
      if constexpr (std::is_same_v<T, int>) v = std::stoi(item, &used);
      else v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size()) throw ConfigError(option + ": '" + item + "' is not a number (in '" + text + "')");
    out.push_back(v);
  }
  if (out.empty()) throw ConfigError(option + ": empty list");
  return out;
}

// --coarsen: comma-separated items "R" (rx = ry = R) or "RXxRY" (rx = RX, ry = RY: depth x
// width, as a grid's M x N).
std::vector<Coarsening> parse_coarsening(const std::string& text) {
  std::vector<Coarsening> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const std::size_t x = item.find('x');
    const std::string rx = item.substr(0, x), ry = x == std::string::npos ? rx : item.substr(x + 1);
    const auto integer = [](const std::string& part) {
      return !part.empty() && part.size() < 8 && part.find_first_not_of("0123456789") == std::string::npos;
    };
    if (!integer(rx) || !integer(ry))
      throw ConfigError("--coarsen: '" + item + "' is not R or RXxRY, e.g. 8 or 8x2 (in '" + text + "')");
    out.push_back({std::stoi(rx), std::stoi(ry)});
  }
  if (out.empty()) throw ConfigError("--coarsen: empty list");
  return out;
}

CompareRefinement parse_refinement(const std::string& text) {
  if (const auto refine = compare_refinement_named(text)) return *refine;
  throw ConfigError("--refine: '" + text + "' is not both, depth or width");
}

Command register_compare(CLI::App& app, const Context& context) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* sub = app.add_subcommand(
      "compare", "field solver vs network and network self-convergence under refinement (orders, verdicts)");
  sub->add_option("model", args->model, "field model file (TOML with [continuum]; [field] optional)")->required();
  using O = CommonOption;
  add_common_options(*sub, *args, {O::output});
  sub->add_option("--levels", args->levels, "refinement levels l = 0..L-1, each doubling what --refine says (default 3)")
      ->check(CLI::Range(1, 12));
  sub->add_option("--refine", args->refine,
                  "both: (M, N) 2^l, orders in ax (default); depth: M 2^l at fixed N, orders in ax; width: N 2^l "
                  "at fixed M, orders in ay");
  sub->add_option("--orders", args->orders, "field orders p studied, comma-separated (default 1,2)");
  sub->add_option("--coarsen", args->coarsen,
                  "field coarse-grainings, comma-separated: R (rx = ry = R) or RXxRY (depth x width, e.g. 8x2) "
                  "(default: the model's field.rx x field.ry, or 1)");
  sub->add_option("--times", args->times, "times compared, comma-separated (default: t_end)");
  add_common_options(*sub, *args, {O::overrides, O::force, O::quiet, O::resources, O::threads});
  sub->add_flag("--allow-unstable", args->allow_unstable, "field runs: integrate even when the stability check refuses");
  return {sub, [args, context]() {
            ModelConfig config = load_model_for(*args, ModelUse::compare(!args->coarsen.empty()));
            check_output_against_inputs(args->output, model_inputs(config));
            CompareOptions options;
            options.refine = parse_refinement(args->refine);
            // The finest level is the largest run held at once.
            ModelConfig finest = config;
            finest.network.shape = compare_level_shape(config, options.refine, args->levels - 1);
            check_resources(finest, resource_budget(*args, ""));
            options.threads = int(args->thread_count());
            options.levels = args->levels;
            options.orders = parse_list<int>(args->orders, "--orders");
            if (!args->coarsen.empty()) options.coarsen = parse_coarsening(args->coarsen);
            if (!args->times.empty()) options.times = parse_list<double>(args->times, "--times");
            options.allow_unstable = args->allow_unstable;
            if (!args->quiet && processes::is_root())
              options.log = [](const std::string& line) { std::fprintf(stderr, "compare: %s\n", line.c_str()); };
            if (processes::is_root() && std::filesystem::exists(args->output) && !args->force)
              return fail(4, args->output + " exists; use --force to overwrite it");
            options.stop = context.stop;
            CompareResult result;
            try {
              result = run_compare(config, options);
            } catch (const CompareInterrupted& e) {
              return fail(130, e.what());
            }
            if (!processes::is_root()) return 0;  // process 0 reports and writes
            if (!args->quiet) std::cout << compare_table(result) << std::flush;
            Provenance provenance = provenance_of(config, context.command_line);
            provenance.threads = unsigned(options.threads);
            RunWriter writer(args->output, args->force, provenance);
            writer.set_root_attribute("processes", double(processes::count()));
            try {
              write_compare(result, writer);
            } catch (...) {
              writer.finish("failed");
              throw;
            }
            writer.finish("complete");
            return 0;
          }};
}

const bool registered = add_command(register_compare);

}  // namespace
}  // namespace nnfield::cli
