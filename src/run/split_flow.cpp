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
#include "run/split_bbd_row.hpp"
#include "run/split_output_row.hpp"
#include "run/width_blocks.hpp"

namespace nnfield {

StateSplit state_split(int N, const std::vector<ColumnArray>& parameters, const WidthBlock& block,
                       std::size_t block_params, std::size_t whole_params, bool second_order,
                       std::size_t quadratures, const std::vector<ColumnArray>& trailing) {
  std::vector<ColumnArray> arrays = parameters;
  if (second_order) arrays.insert(arrays.end(), parameters.begin(), parameters.end());
  const std::size_t copies = second_order ? 2 : 1;
  const std::size_t head = copies * block_params, whole_head = copies * whole_params;
  // The block's arrays from `at` on, in pieces, one after another.
  const auto arrays_in_pieces = [N, block](const std::vector<ColumnArray>& of, const double* at,
                                           const ValuePiece& piece) {
    for (const ColumnArray& a : of) {
      const std::size_t c = std::size_t(a.cells);
      pass_blocks_to_root(at, N, a.lines, a.cells,
                          [&](int, const WidthBlock& b, const double* v) { piece(v, std::size_t(b.width) * c); });
      at += std::size_t(a.lines) * std::size_t(block.width) * c;
    }
  };
  StateSplit split;
  split.in_pieces = [=](const State& x, const ValuePiece& piece) {
    arrays_in_pieces(arrays, x.data(), piece);
    if (processes::is_root()) piece(x.data() + head, quadratures);
    arrays_in_pieces(trailing, x.data() + head + quadratures, piece);
  };
  split.ranges = block_ranges(N, arrays, block);
  split.ranges.push_back({whole_head, quadratures});
  split.whole_size = whole_head + quadratures;
  for (ValueRange range : block_ranges(N, trailing, block)) {
    range.first += split.whole_size;
    split.ranges.push_back(range);
  }
  for (const ColumnArray& a : trailing)
    split.whole_size += std::size_t(a.lines) * std::size_t(N) * std::size_t(a.cells);
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
  std::unique_ptr<TrainingDynamics> dynamics =
      make_training_dynamics(dynamics_config, landscape, config.observe.energy_flow);
  const std::vector<ColumnArray> parameter_arrays{{whole.M, whole.K()}, {whole.M, 1}};  // W, b
  dynamics->split_over_processes(network.halo(), line_starts(parameter_arrays, block.N));
  const bool second_order = dynamics->second_order();
  const std::size_t arrays = second_order ? 2 : 1;
  // The energy flow's time integrals I ((M-1), n) follow the two energy quadratures.
  std::vector<ColumnArray> integrals;
  if (config.observe.energy_flow) integrals.push_back({whole.M - 1, 1});
  const std::size_t integral_values = std::size_t(whole.M - 1) * std::size_t(block.N) * integrals.size();
  const StateSplit split = state_split(whole.N, parameter_arrays, columns, block.num_params(),
                                       whole.num_params(), second_order,
                                       dynamics->state_size() - arrays * block.num_params() - integral_values,
                                       integrals);
  State x0 = dynamics->initial_state(init.q, init.v);
  std::vector<double> z(block.num_biases()), q, qdot;
  SplitBbdRow bbd(config, landscape);
  SplitOutputRow row(config, samples, columns);
  // Collective: the energy (a forward pass and sums over the blocks), the BBD measures, then
  // the row's measures; W, W' and the BBD currents go to process 0 in the observers' order.
  const auto snapshot_at = [&](const State& state, double t, Snapshot& s) {
    s.energy = dynamics->energy(state, t);
    s.loss = s.energy.potential;
    s.dynamics = nullptr;  // the BBD observers read the blocks' measures (s.bbd)
    s.state = nullptr;
    network.neurons(0, z.data());  // before bbd's passes overwrite the network's neurons
    bbd.measure(*dynamics, state, t, s);
    // (W, b) and their velocities: in the state, or mapped from BBD variables (W, z).
    const double* W = dynamics->parameters_in(state);
    const double* v = second_order && W ? W + block.num_params() : nullptr;
    if (!W) {
      dynamics->parameters(state, t, q, qdot);
      W = q.data();
      v = second_order ? qdot.data() : nullptr;
    }
    row.fill(W, W + block.num_weights(), v, z, s, [&bbd] { bbd.pass_pieces(); });
  };
  const auto switches = [&data](double t0, double t1) { return BreakpointSource(data.breakpoints(t0, t1)); };
  return run_continuous_split(*dynamics, std::move(x0), config, options, switches, recording, snapshot_at, split);
}

}  // namespace nnfield
