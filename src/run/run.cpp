#include "nnfield/run/run.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "nnfield/data/continuum_config.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/data/input_checks.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/data/initial_state.hpp"
#include "nnfield/dynamics/integrator.hpp"
#include "nnfield/core/network.hpp"
#include "nnfield/observe/observer.hpp"
#include "nnfield/observe/progress.hpp"
#include "nnfield/io/provenance.hpp"
#include "nnfield/numerics/rng.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/run/make_dynamics.hpp"
#include "run/output_schedule.hpp"
#include "run/run_sink.hpp"
#include "run/run_checkpoint.hpp"
#include "run/run_loop.hpp"
#include "run/run_sgd.hpp"
#include "run/sgd_lattice.hpp"
#include "run/field_split.hpp"
#include "run/split_flow.hpp"
#include "run/split_targets.hpp"
#include "run/width_blocks.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/run/field_run.hpp"

namespace nnfield {

namespace {

// Everything a run writes besides its time series: geometry and the data set.
void write_static(SeriesSink& w, const ModelConfig& config, const Samples& samples) {
  const NetworkShape& s = config.network.shape;
  set_shape_attributes(w, s);
  set_spacing_attributes(w, s, config.network.Lx, config.network.Ly);
  w.set_root_attribute("activation", activation_name(config.network.activation));
  w.set_root_attribute("loss", loss_name(config.network.loss));
  w.set_root_attribute("dynamics", name(config.dynamics.kind));
  const std::vector<std::size_t> shape{std::size_t(samples.S), std::size_t(samples.N)};
  w.write_array("/data/X", shape, samples.X.data(), "S,N", "input samples X");
  w.write_array("/data/Y", shape, samples.Y.data(), "S,N", "target samples Y");
}

RunResult run_network_continuous(const ModelConfig& config, const RunOptions& options, Network& network,
                                 const DataStream& data, ParameterState init, RunRecording& recording) {
  const NetworkShape& shape = config.network.shape;
  LossLandscape landscape(network, data);
  DynamicsConfig dynamics_config = config.dynamics;
  dynamics_config.eta = effective_eta(config);  // eta_scaling (docs/theory.md 4.2)
  std::unique_ptr<TrainingDynamics> dynamics =
      make_training_dynamics(dynamics_config, landscape, config.observe.energy_flow);
  std::vector<double> z(shape.num_biases()), q, v;
  const auto snapshot_at = [&](const State& state, double t, Snapshot& s) {
    if (const double* in_state = dynamics->parameters_in(state)) {  // no copy of the parameters
      s.W = in_state;
      s.v = dynamics->second_order() ? in_state + shape.num_params() : nullptr;
    } else {
      dynamics->parameters(state, t, q, v);
      s.W = q.data();
      s.v = v.empty() ? nullptr : v.data();
    }
    s.b = s.W + shape.num_weights();
    s.energy = dynamics->energy(state, t);  // runs the forward pass at (q, t)
    s.loss = s.energy.potential;
    s.landscape = &landscape;
    network.neurons(0, z.data());
    s.neurons = z.data();
    s.lines = shape.M;
    s.width = shape.N;
  };
  const auto switches = [&data](double t0, double t1) { return BreakpointSource(data.breakpoints(t0, t1)); };
  State x0 = dynamics->initial_state(init.q, init.v);
  init = ParameterState{};  // the state holds it now: no second copy through the run
  return run_continuous(*dynamics, std::move(x0), config, options, switches, recording, snapshot_at);
}

// The measurements of a network run (make_observers for the network lattice).
// `W_in_pieces`: a split run's W comes in pieces (Snapshot::W_pieces), and the correlators of the
// weights are measured on the processes (Snapshot::W_components).
void add_network_observers(const ModelConfig& config, const Samples& samples, Recorder& rec,
                           bool W_in_pieces = false) {
  const NetworkShape& shape = config.network.shape;
  rec.add(make_trajectory_observer(shape, config.output.trajectory, W_in_pieces));
  rec.add(make_train_loss_observer(shape, config.network.activation, config.network.loss, samples.X, samples.Y,
                                   samples.S));
  rec.add(make_energy_observer(/*balance=*/config.dynamics.kind != DynamicsKind::sgd));
  const auto& wanted = config.output.trajectory;
  // A single weight layer has no bulk link, hence no gain.
  if (shape.M >= 2 && std::find(wanted.begin(), wanted.end(), TrajectoryDataset::gain) != wanted.end())
    rec.add(make_gain_observer(shape, config.network.activation, rec.regime));
  if (config.observe.energy_flow)
    rec.add(make_energy_flow_observer(shape, config.network.loss, config.dynamics.gamma, W_in_pieces));
  if (config.observe.lagrangian) rec.add(make_lagrangian_observer());
  rec.add(make_correlator_observer(config, shape.M, shape.N, shape.K(), correlator_input(config, &samples),
                                   W_in_pieces));
  rec.add(make_time_autocorrelation_observer(config, shape.M, shape.N, shape.K()));
}

}  // namespace

void stop_point(const std::atomic<bool>* stop) {
  if (stop && stop->load()) throw SetupInterrupted();
}

RunResult run_model(const ModelConfig& config, const RunOptions& options) {
  if (options.output_path.empty()) check_keys_read_in_memory(config);  // no file: no checkpoints beside it
  check_continuum_values(config);  // before a non-finite field blows the run up at its first step
  stop_point(options.stop);
  if (config.field.present) return run_field_model(config, options);  // [field]: the field solver
  const NetworkShape& shape = config.network.shape;
  Samples samples = make_samples(config);
  stop_point(options.stop);
  DataStream data(samples, config.data, config.seed, lattice_source_motion(config));
  ParameterState init = make_initial_state(config, data);
  stop_point(options.stop);
  Network network(shape, config.network.activation, config.network.loss);
  network.set_threads(unsigned(std::max(0, options.threads)));
  // The steps' passes read no neurons; snapshots run forward() for them.
  network.keep_neurons(false);

  RunRecording recording(config, options);
  Recorder& rec = recording.recorder();
  add_network_observers(config, samples, rec);
  recording.start([&](SeriesSink& writer) { write_static(writer, config, samples); });

  RunResult result;
  if (config.dynamics.kind == DynamicsKind::sgd) {
    std::unique_ptr<SgdLattice> lattice = whole_network_lattice(network, samples, config.dynamics.batch,
                                                                std::move(init.q));
    result = run_sgd(config, options, *lattice, samples.S, &recording);
  } else {
    result = run_network_continuous(config, options, network, data, std::move(init), recording);
  }
  recording.finish(result);
  return result;
}

// This process's block of the initial parameters (and velocities) of a width split, built
// from its columns and the ghosts the kind reads (docs/cluster.md, "Memory").
ParameterState initial_block(const ModelConfig& config, const DataStream& data) {
  const WidthBlock block = width_block(config.network.shape.N, processes::count(), processes::rank());
  return make_initial_columns(config, data, block.first, block.width);
}

RunResult run_width_split(const ModelConfig& config, const RunOptions& options) {
  check_width_split(config, options.threads);
  check_continuum_values(config);
  stop_point(options.stop);
  if (config.field.present) return run_field_split(config, options);  // [field]: the field grid's width
  // Every process makes the data set as one process does (the generators are sequential;
  // continuum targets from the initial network's output, which the split network computes)
  // and its block of the initial parameters.
  Samples samples = make_samples(config, split_initial_output(config));
  stop_point(options.stop);
  const bool sgd = config.dynamics.kind == DynamicsKind::sgd;
  DataStream data(samples, config.data, config.seed, lattice_source_motion(config));
  ParameterState init = initial_block(config, data);
  std::unique_ptr<SgdLattice> lattice;
  // What process 0's recording reads of a checkpoint's state: its block (SGD), or none of it
  // (the flow's loop reads the blocks).
  CheckpointRanges ranges = skip_state_ranges();
  if (sgd) {
    lattice = width_split_lattice(config, samples, std::move(init.q), options.threads);
    init = ParameterState{};
    ranges = sgd_checkpoint_ranges(*lattice);
  }
  // Process 0 records; the others step their blocks with it.
  RunOptions quiet = options;
  quiet.progress = "off";
  std::unique_ptr<RunRecording> recording;
  if (processes::is_root()) {
    recording = std::make_unique<RunRecording>(config, options, ranges);
    add_network_observers(config, samples, recording->recorder(), /*W_in_pieces=*/true);
    recording->start([&](SeriesSink& writer) {
      write_static(writer, config, samples);
      writer.set_root_attribute("processes", double(processes::count()));
    });
  }
  const RunOptions& mine = recording ? options : quiet;
  RunResult result = sgd ? run_sgd(config, mine, *lattice, samples.S, recording.get())
                         : run_split_flow(config, mine, samples, data, init, recording.get());
  if (recording) recording->finish(result);
  processes::shared_work_finished();
  return result;
}

}  // namespace nnfield
