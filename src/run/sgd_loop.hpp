#pragma once
// The SGD loop of every run (run.cpp on the network, field_run.cpp on a field grid): draw
// a mini-batch, take its gradient, record every output.every_steps steps, step
// q <- q - eta g; checkpoints save the parameters and the sampler's position. The lattice
// says what the batch's gradient and a snapshot are; the loop is the same map.
#include <functional>
#include <vector>

#include "run/run_loop.hpp"

namespace nnfield {

// The mean loss over the samples `batch` at q, and the step direction g in `grad`
// (q <- q - eta g): the network's gradient, the field's gradient in its kinetic metric.
using BatchGradient = std::function<double(const double* q, const std::vector<int>& batch, double* grad)>;
// Fills the lattice's part of a snapshot at q for the batch just stepped on (loss given).
using SgdSnapshot = std::function<void(const double* q, const std::vector<int>& batch, Snapshot& s)>;

// Runs config.dynamics.steps steps of batches of config.dynamics.batch of S samples drawn in
// config.data.order (the sampler seeded from run.seed as the network's), from q (resumed:
// from the recording's checkpoint). SGD time is gradient-flow time, t = step * eta.
RunResult run_sgd_loop(const ModelConfig& config, const RunOptions& options, int S, std::vector<double>& q,
                       RunRecording& recording, const BatchGradient& gradient, const SgdSnapshot& snapshot);

}  // namespace nnfield
