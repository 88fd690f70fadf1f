// Continuous-time training of a width-split network (src/run/split_flow.hpp).
#include "run/split_flow.hpp"

#include <algorithm>
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

StateSplit state_split(int N, const std::vector<ColumnArray>& parameters, const WidthBlock& block,
                       std::size_t block_params, std::size_t whole_params, bool second_order,
                       std::size_t quadratures) {
  std::vector<ColumnArray> arrays = parameters;
  if (second_order) arrays.insert(arrays.end(), parameters.begin(), parameters.end());
  const std::size_t copies = second_order ? 2 : 1;
  const std::size_t head = copies * block_params, whole_head = copies * whole_params;
  StateSplit split;
  split.in_pieces = [=](const State& x, const ValuePiece& piece) {
    const double* at = x.data();
    for (const ColumnArray& a : arrays) {
      const std::size_t c = std::size_t(a.cells);
      pass_blocks_to_root(at, N, a.lines, a.cells,
                          [&](int, const WidthBlock& b, const double* v) { piece(v, std::size_t(b.width) * c); });
      at += std::size_t(a.lines) * std::size_t(block.width) * c;
    }
    if (processes::is_root()) piece(x.data() + head, x.size() - head);
  };
  split.ranges = block_ranges(N, arrays, block);
  split.ranges.push_back({whole_head, quadratures});
  split.whole_size = whole_head + quadratures;
  return split;
}

RunResult run_split_flow(const ModelConfig& config, const RunOptions& options, const Samples& samples,
                         const DataStream& data, const ParameterState& init, RunRecording* recording) {
  const NetworkShape& whole = config.network.shape;
  Network network(whole, config.network.activation, config.network.loss, WidthHalo::split(whole.N, whole.r));
  network.keep_neurons(false);  // the steps' passes read no neurons; snapshots run forward() for them
  network.set_threads(unsigned(std::max(0, options.threads)));  // the same count on every process
  const NetworkShape& block = network.shape();
  const WidthBlock& columns = network.halo().block();
  LossLandscape landscape(network, data);
  DynamicsConfig dynamics_config = config.dynamics;
  dynamics_config.eta = effective_eta(config);  // eta_scaling (docs/theory.md 4.2)
  std::unique_ptr<TrainingDynamics> dynamics = make_training_dynamics(dynamics_config, landscape, false);
  const std::vector<ColumnArray> parameter_arrays{{whole.M, whole.K()}, {whole.M, 1}};  // W, b
  dynamics->split_over_processes(network.halo(), line_starts(parameter_arrays, block.N));
  const bool second_order = dynamics->second_order();
  const std::size_t arrays = second_order ? 2 : 1;
  const StateSplit split = state_split(whole.N, parameter_arrays, columns, block.num_params(),
                                       whole.num_params(), second_order,
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
