// nnfield merge A.h5 B.h5 ... -o ALL.h5 [--force] [--quiet]
// Ensembles run as separate jobs (a batch array over seed ranges, docs/cluster.md) combined
// into one file equal to a single `nnfield ensemble` over all their seeds.
#include "commands.hpp"
#include "nnfield/analysis/ensemble.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/io/provenance.hpp"

namespace nnfield::cli {
namespace {

struct MergeArgs : CommonArgs {
  std::vector<std::string> files;
};

Command register_merge(CLI::App& app, const Context& context) {
  auto args = std::make_shared<MergeArgs>();
  CLI::App* sub = app.add_subcommand("merge", "combine ensemble files of separate jobs into one, as one run over all their seeds");
  sub->add_option("files", args->files, "ensemble files (nnfield ensemble), in seed order")->required()->check(CLI::ExistingFile);
  using O = CommonOption;
  add_common_options(*sub, *args, {O::output, O::force, O::quiet});
  return {sub, [args, context]() {
            check_output_against_inputs(args->output, args->files);
            const MergedEnsemble merged = merge_ensembles(args->files);
            stop_point(context.stop);
            Provenance provenance = provenance_of(merged.config, context.command_line);
            RunWriter writer(args->output, args->force, provenance);
            writer.set_root_attribute("seeds", merged.seeds_text);
            std::string sources;
            for (const std::string& f : args->files) sources += f + "\n";
            writer.set_root_attribute("merged_from", sources);
            write_ensemble(merged.result, merged.config, writer);
            print_notes(*args, merged.result.notes);
            writer.finish("complete");
            return 0;
          }};
}

const bool registered = add_command(register_merge);

}  // namespace
}  // namespace nnfield::cli
