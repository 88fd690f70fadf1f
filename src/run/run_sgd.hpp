#pragma once
// The SGD loop of every run (run.cpp: the network, whole or split over processes;
// field_run.cpp: a field grid): steps of the lattice's parameters, output rows recorded by
// process 0, checkpoints at rows.
#include "nnfield/config/config.hpp"
#include "nnfield/run/run.hpp"
#include "run/run_loop.hpp"
#include "run/sgd_lattice.hpp"

namespace nnfield {

// Trains `lattice` on the S samples for config.dynamics.steps steps. `recording` is null on
// the processes other than 0 of a width split: they step their blocks and take part in the
// lattice's collective calls, and their result says only how the run ended.
// What a process of the run reads of a checkpoint's parameters: the lattice's part.
CheckpointRanges sgd_checkpoint_ranges(const SgdLattice& lattice);

RunResult run_sgd(const ModelConfig& config, const RunOptions& options, SgdLattice& lattice, int S,
                  RunRecording* recording);

}  // namespace nnfield
