#pragma once
// A field run split along the width of its grid over the processes of `mpirun -np K nnfield
// run` (docs/cluster.md, "Field runs split along the width"): gradient flow and damped
// dynamics of the field theory, each process integrating its block of the ny width nodes
// (FieldTheory split_width), every sum over the width in the one-process order, so that the
// output file and the checkpoint are one process's bit for bit.
#include <string>

#include "nnfield/config/config.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/field/sample_sweeps.hpp"
#include "nnfield/run/run.hpp"
#include "run/run_loop.hpp"

namespace nnfield {

// Refuses (ConfigError, exit 2) a field run that is not split: blocks of fewer width nodes
// than the shifts' ghosts (or none). `where` begins the message.
void check_field_split(const ModelConfig& config, const std::string& where);

// The run on every process; process 0 writes the file.
RunResult run_field_split(const ModelConfig& config, const RunOptions& options);
// This process's columns of the problem's data set.
Samples block_samples(const FieldProblem& problem, const WidthBlock& columns);
// Field SGD split (field_sgd_split.cpp): each process steps its block of the parameters.
RunResult run_field_sgd_split(const ModelConfig& config, const RunOptions& options, FieldProblem& problem);
// Process 0's recording of a split field run (null elsewhere), reading `ranges` of a
// checkpoint, with the field observers and the file's static part written.
std::unique_ptr<RunRecording> field_split_recording(const ModelConfig& config, const RunOptions& options,
                                                    FieldProblem& problem, CheckpointRanges ranges);

// Field SGD's step direction (docs/field-limit.md section 12): m^-1 dL/dq of the batch's
// mean loss into grad (frozen nodes, m = 0: zero), the mean loss returned; each sample of
// the batch its own sweep of `sweeps`' theory, the whole grid's or a split block's (then
// collective). `mass` and `samples` are that theory's.
double field_sgd_gradient(SampleSweeps& sweeps, const std::vector<double>& mass, const Samples& samples,
                          const double* q, const std::vector<int>& batch, double* grad);

// The measurements of a field run (make_observers for the field grid), on one process.
void add_field_observers(const ModelConfig& config, FieldProblem& problem, Recorder& rec);

}  // namespace nnfield
