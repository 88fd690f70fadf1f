// Continuous-time training of a width-split network (src/run/split_flow.hpp).
#include "run/split_flow.hpp"

#include <memory>
#include <vector>

#include "nnfield/core/network.hpp"
#include "nnfield/dynamics/loss_landscape.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/run/make_dynamics.hpp"
#include "run/split_output_row.hpp"
#include "run/width_blocks.hpp"

namespace nnfield {

namespace {

// Where the lines of a block's parameters start, in their order: W's M lines of n K
// values, then b's M lines of n values; the last entry is the number of parameters.
std::vector<std::size_t> parameter_lines(const NetworkShape& block) {
  std::vector<std::size_t> starts;
  const std::size_t n = std::size_t(block.N), K = std::size_t(block.K()), M = std::size_t(block.M);
  for (std::size_t m = 0; m < M; ++m) starts.push_back(m * n * K);
  for (std::size_t m = 0; m <= M; ++m) starts.push_back(block.num_weights() + m * n);
  return starts;
}

// The state of every process's block to process 0 in pieces, and where a block lies in the
// whole state: the arrays of columns (q, and v for second-order dynamics) by blocks, the
// quadratures after them the same on every process (process 0's are written).
StateSplit state_split(const NetworkShape& whole, const WidthBlock& block, std::size_t block_params,
                       bool second_order, std::size_t quadratures) {
  const std::vector<int> cells = second_order ? std::vector<int>{whole.K(), 1, whole.K(), 1}
                                              : std::vector<int>{whole.K(), 1};
  const std::size_t arrays = second_order ? 2 : 1;
  const std::size_t head = arrays * block_params, whole_head = arrays * whole.num_params();
  StateSplit split;
  split.in_pieces = [=](const State& x, const ValuePiece& piece) {
    const double* at = x.data();
    for (int c : cells) {
      pass_blocks_to_root(at, whole.N, whole.M, c,
                          [&](int, const WidthBlock& b, const double* v) { piece(v, std::size_t(b.width * c)); });
      at += std::size_t(whole.M) * std::size_t(block.width) * std::size_t(c);
    }
    if (processes::is_root()) piece(x.data() + head, x.size() - head);
  };
  split.ranges = block_ranges(whole.N, whole.M, cells, block);
  split.ranges.push_back({whole_head, quadratures});
  split.whole_size = whole_head + quadratures;
  return split;
}

}  // namespace

RunResult run_split_flow(const ModelConfig& config, const RunOptions& options, const Samples& samples,
                         const DataStream& data, const ParameterState& init, RunRecording* recording) {
  const NetworkShape& whole = config.network.shape;
  Network network(whole, config.network.activation, config.network.loss, WidthHalo::split(whole.N, whole.r));
  network.keep_neurons(false);  // the steps' passes read no neurons; snapshots run forward() for them
  const NetworkShape& block = network.shape();
  const WidthBlock& columns = network.halo().block();
  LossLandscape landscape(network, data);
  DynamicsConfig dynamics_config = config.dynamics;
  dynamics_config.eta = effective_eta(config);  // eta_scaling (docs/theory.md 4.2)
  std::unique_ptr<TrainingDynamics> dynamics = make_training_dynamics(dynamics_config, landscape, false);
  dynamics->split_over_processes(network.halo(), parameter_lines(block));
  const bool second_order = dynamics->second_order();
  const std::size_t arrays = second_order ? 2 : 1;
  const StateSplit split = state_split(whole, columns, block.num_params(), second_order,
                                       dynamics->state_size() - arrays * block.num_params());
  State x0 = dynamics->initial_state(init.q, init.v);
  std::vector<double> z(block.num_biases());
  SplitOutputRow row(config, samples, columns);
  // Collective: the energy (a forward pass and sums over the blocks), then the row's measures.
  const auto snapshot_at = [&](const State& state, double t, Snapshot& s) {
    s.energy = dynamics->energy(state, t);
    s.loss = s.energy.potential;
    s.dynamics = nullptr;  // the BBD observers are refused under a split
    s.state = nullptr;
    network.neurons(0, z.data());
    row.fill(state.data(), state.data() + block.num_weights(), second_order ? state.data() + block.num_params() : nullptr,
             z, s);
  };
  const auto switches = [&data](double t0, double t1) { return BreakpointSource(data.breakpoints(t0, t1)); };
  return run_continuous_split(*dynamics, std::move(x0), config, options, switches, recording, snapshot_at, split);
}

}  // namespace nnfield
