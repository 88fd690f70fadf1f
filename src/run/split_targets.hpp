#pragma once
// The targets of data.source = "continuum" without continuum.Y on a network split along its
// width (docs/cluster.md, "Memory"): the initial network's output plus the misfit, the output
// computed by the split network on its blocks, so that no process builds the whole initial
// network for them.
#include "nnfield/config/config.hpp"
#include "nnfield/data/data.hpp"

namespace nnfield {

// make_samples's InitialOutput on this process's block of the width (collective: every
// process makes its samples with it): each process builds its block of the initial state
// (make_initial_columns), the split network runs it forward on the block's columns of every
// sample, and the output rows (S, N) are gathered on process 0 and sent to every process,
// bit for bit the whole network's output. `config` must outlive the returned function.
InitialOutput split_initial_output(const ModelConfig& config);

}  // namespace nnfield
