// Field runs split along the width over processes (src/run/field_split.hpp).
//
// Every process builds the whole problem as one process does (the initial state, the data
// set, the automatic [field] choices), then a FieldTheory of its block of width nodes with
// the same settings, its columns of the data, parameters and velocities. The sweeps
// exchange ghosts or gather rows (WidthShiftOperator) and chain the loss through the blocks;
// the dynamics' sums over the parameters run line by line through the blocks
// (TrainingDynamics::split_over_processes). Process 0 keeps the whole problem for the
// observers, which measure the gathered state as one process's observers do; checkpoints
// take the state in pieces and a resumed process reads its block (state_split, as the
// network split).
#include "run/field_split.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include "nnfield/field/field_potential.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/observe/field_output.hpp"
#include "nnfield/run/make_dynamics.hpp"
#include "run/split_flow.hpp"
#include "run/width_blocks.hpp"

namespace nnfield {

void check_field_split(const ModelConfig& config, const std::string& where) {
  const int K = processes::count(), ry = std::max(config.field.ry, 1);
  const int ny = config.network.shape.N / ry;
  // Index shifts (ry = 1) read r ghosts from the next block; spectral ones need a node a block.
  const int least = ry == 1 ? std::max(config.network.shape.r, 1) : 1;
  if (ny / K < least)
    throw ConfigError(where + "the field grid's ny = " + std::to_string(ny) + " width nodes leave blocks of " +
                      std::to_string(ny / K) + ", fewer than " + std::to_string(least) +
                      (ry == 1 ? " (network.r: a ghost would come from beyond the next process)" : ""));
}

Samples block_samples(const FieldProblem& problem, const WidthBlock& columns) {
  const Samples& all = problem.data->samples();
  const std::vector<ColumnArray> rows{{all.S, 1}};
  return Samples{all.S, columns.width, block_of(all.X.data(), all.N, rows, columns),
                 block_of(all.Y.data(), all.N, rows, columns)};
}

namespace {

// This process's columns of the problem's data set, presented by the same stream, with the
// sources' motion on the block's width nodes.
std::unique_ptr<DataStream> block_data(const ModelConfig& config, const FieldProblem& problem,
                                       const FieldTheory& theory) {
  return std::make_unique<DataStream>(block_samples(problem, theory.halo().block()), config.data, config.seed,
                                      grid_source_motion(config, theory));
}

}  // namespace

std::unique_ptr<RunRecording> field_split_recording(const ModelConfig& config, const RunOptions& options,
                                                    FieldProblem& problem, CheckpointRanges ranges) {
  if (!processes::is_root()) return nullptr;
  auto recording = std::make_unique<RunRecording>(config, options, std::move(ranges));
  add_field_observers(config, problem, recording->recorder());
  recording->start([&](SeriesSink& writer) {
    write_field_static(writer, problem, config);
    writer.set_root_attribute("processes", double(processes::count()));
  });
  return recording;
}

RunResult run_field_split(const ModelConfig& config, const RunOptions& options) {
  // ConfigError before any file is created (on every process alike: the same checks).
  FieldProblem problem = make_field_problem(config, 1, /*shared_by_processes=*/true);
  stop_point(options.stop);
  if (config.dynamics.kind == DynamicsKind::sgd) return run_field_sgd_split(config, options, problem);
  const FieldTheory& whole = *problem.theory;
  FieldTheory theory(whole.lattice(), whole.activation(), whole.loss(), whole.settings(), /*split_width=*/true);
  const WidthBlock& columns = theory.halo().block();
  const int nx = theory.nx(), ny = columns.N, K = theory.K();
  const std::vector<ColumnArray> parameter_arrays{{1, K}, {1, 1}, {nx, K}, {nx, 1}};  // w_in, b_in, w, beta
  const std::unique_ptr<DataStream> data = block_data(config, problem, theory);
  FieldPotential potential(theory, *data);
  std::unique_ptr<TrainingDynamics> dynamics = make_field_dynamics(config, potential);
  if (config.observe.energy_flow && !dynamics->second_order())
    throw std::invalid_argument("field energy flow needs damped dynamics");
  dynamics->split_over_processes(theory.halo(), line_starts(parameter_arrays, columns.width));
  const bool second_order = dynamics->second_order();
  const std::size_t P = theory.num_params(), copies = second_order ? 2 : 1;
  std::vector<ColumnArray> state_arrays = parameter_arrays;  // q, then v for second-order dynamics
  if (second_order) state_arrays.insert(state_arrays.end(), parameter_arrays.begin(), parameter_arrays.end());
  const StateSplit split = state_split(ny, parameter_arrays, columns, P, whole.num_params(), second_order,
                                       dynamics->state_size() - copies * P);
  State x0 = dynamics->initial_state(
      block_of(problem.q0.data(), ny, parameter_arrays, columns),
      problem.v0.empty() ? std::vector<double>{} : block_of(problem.v0.data(), ny, parameter_arrays, columns));

  // Process 0 records, reading none of a checkpoint's state (every process reads its block);
  // the others step their blocks with it.
  RunOptions quiet = options;
  quiet.progress = "off";
  std::unique_ptr<RunRecording> recording = field_split_recording(config, options, problem, skip_state_ranges());
  const std::size_t n = std::size_t(columns.width), batch = std::size_t(potential.batch());
  std::vector<double> phi(std::size_t(nx) * n), adjoint(phi.size()), grad(P), X(batch * n), Y(batch * n);
  std::vector<double> whole_phi, whole_adjoint;
  State whole_state;
  const std::vector<ColumnArray> lines{{nx, 1}};
  // Collective, in the one-process order: the first sample's sweep, the energy, the gathers.
  const auto snapshot_at = [&](const State& x, double t, Snapshot& s) {
    potential.data_at(t, X.data(), Y.data());
    s.loss = theory.gradient(x.data(), X.data(), Y.data(), grad.data(), phi.data(), adjoint.data());
    s.energy = dynamics->energy(x, t);
    if (batch > 1) s.loss = s.energy.potential;  // the batch's mean loss
    gather_blocks(phi, ny, lines, whole_phi);
    gather_blocks(adjoint, ny, lines, whole_adjoint);
    // The observers measure the whole parameters (and velocities) on process 0.
    gather_blocks(State(x.begin(), x.begin() + std::ptrdiff_t(copies * P)), ny, state_arrays, whole_state);
    s.lines = nx;
    s.width = ny;
    if (!processes::is_root()) return;
    s.q = whole_state.data();
    s.W = s.q + whole.w_offset();
    s.b = s.q + whole.beta_offset();
    s.v = second_order ? s.q + whole.num_params() : nullptr;
    s.neurons = whole_phi.data();
    s.adjoint = whole_adjoint.data();
  };
  const auto summary = [&] { return ", " + std::to_string(potential.gradient_evaluations()) + " field gradients"; };
  const auto switches = [&data](double t0, double t1) { return BreakpointSource(data->breakpoints(t0, t1)); };
  RunResult result = run_continuous_split(*dynamics, std::move(x0), config, recording ? options : quiet, switches,
                                          recording.get(), snapshot_at, split, summary);
  if (recording) recording->finish(result);
  processes::shared_work_finished();
  return result;
}

}  // namespace nnfield
