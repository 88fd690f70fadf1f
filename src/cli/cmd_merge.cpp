// nnfield merge A.h5 B.h5 ... -o ALL.h5 [--force] [--quiet]
// Ensembles or propagation scans run as separate jobs (a batch array over seed ranges,
// network ranges or sigma_w values; docs/cluster.md) combined into the file one run over
// all of their work would have written.
#include <cstdio>

#include "commands.hpp"
#include "nnfield/analysis/ensemble.hpp"
#include "nnfield/analysis/propagation.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/io/h5io_catalog.hpp"
#include "nnfield/io/provenance.hpp"

namespace nnfield::cli {
namespace {

struct MergeArgs : CommonArgs {
  std::vector<std::string> files;
};

// The root attribute `kind` of the first file says what is merged.
std::string kind_of(const std::string& file) {
  H5Catalog catalog;
  try {
    catalog = h5_catalog(file);
  } catch (const H5Error& e) {
    throw ConfigError(file + ": cannot merge: " + e.what());
  }
  for (const H5AttributeValue& a : catalog.root_attributes)
    if (a.name == "kind" && (a.text == "ensemble" || a.text == "propagation")) return a.text;
  throw ConfigError(file + ": cannot merge: not an nnfield ensemble or propagation scan file (root attribute kind)");
}

std::string joined(const std::vector<std::string>& files) {
  std::string text;
  for (const std::string& f : files) text += f + "\n";
  return text;
}

int merge_ensemble_files(const MergeArgs& args, const Context& context) {
  const MergedEnsemble merged = merge_ensembles(args.files);
  stop_point(context.stop);
  RunWriter writer(args.output, args.force, provenance_of(merged.config, context.command_line));
  writer.set_root_attribute("seeds", merged.seeds_text);
  writer.set_root_attribute("merged_from", joined(args.files));
  write_ensemble(merged.result, merged.config, writer);
  print_notes(args, merged.result.notes);
  writer.finish("complete");
  return 0;
}

int merge_propagation_files(const MergeArgs& args, const Context& context) {
  const MergedPropagation merged = merge_propagations(args.files);
  stop_point(context.stop);
  Provenance provenance = provenance_of(merged.config, context.command_line);
  provenance.seed = merged.scan.options.seed;
  RunWriter writer(args.output, args.force, provenance);
  writer.set_root_attribute("merged_from", joined(args.files));
  write_propagation(merged.scan, merged.record, writer);
  writer.finish("complete");
  if (!args.quiet)
    std::printf("merged %d networks (%lld..%lld) x %zu sigma_w into %s\n", merged.scan.options.networks,
                merged.scan.options.first_network, merged.scan.options.first_network + merged.scan.options.networks - 1,
                merged.scan.points.size(), args.output.c_str());
  return 0;
}

Command register_merge(CLI::App& app, const Context& context) {
  auto args = std::make_shared<MergeArgs>();
  CLI::App* sub = app.add_subcommand(
      "merge", "combine ensembles or propagation scans run as separate jobs into the file of one run over all of them");
  sub->add_option("files", args->files, "ensemble files (in seed order) or propagation scan files")
      ->required()
      ->check(CLI::ExistingFile);
  using O = CommonOption;
  add_common_options(*sub, *args, {O::output, O::force, O::quiet});
  return {sub, [args, context]() {
            check_output_against_inputs(args->output, args->files);
            return kind_of(args->files.front()) == "ensemble" ? merge_ensemble_files(*args, context)
                                                               : merge_propagation_files(*args, context);
          }};
}

const bool registered = add_command(register_merge);

}  // namespace
}  // namespace nnfield::cli
