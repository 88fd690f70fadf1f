#pragma once
// A field run split along the width of its grid over the processes of `mpirun -np K nnfield
// run` (docs/cluster.md, "Field runs split along the width"): gradient flow and damped
// dynamics of the field theory, each process integrating its block of the ny width nodes
// (FieldTheory split_width), every sum over the width in the one-process order, so that the
// output file and the checkpoint are one process's bit for bit.
#include <string>

#include "nnfield/config/config.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/run/run.hpp"
#include "run/run_loop.hpp"

namespace nnfield {

// Refuses (ConfigError, exit 2) a field run that is not split: field SGD, blocks of fewer
// width nodes than the shifts' ghosts (or none). `where` begins the message.
void check_field_split(const ModelConfig& config, const std::string& where);

// The run on every process; process 0 writes the file.
RunResult run_field_split(const ModelConfig& config, const RunOptions& options);

// The measurements of a field run (make_observers for the field grid), on one process.
void add_field_observers(const ModelConfig& config, FieldProblem& problem, Recorder& rec);

}  // namespace nnfield
