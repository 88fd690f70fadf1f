// `nnfield run` on a field model: the same main loop as the network's (run_loop.hpp) on
// the field grid, with the field theory's potential and observers.
#include "nnfield/run/field_run.hpp"

#include <algorithm>
#include <stdexcept>

#include "run/run_sink.hpp"
#include "nnfield/field/field_potential.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/observe/field_output.hpp"
#include "nnfield/run/make_dynamics.hpp"
#include "run/run_loop.hpp"

namespace nnfield {

namespace {

// The measurements of a field run (make_observers for the field lattice).
void add_field_observers(const ModelConfig& config, FieldProblem& problem, Recorder& rec) {
  FieldTheory& theory = *problem.theory;
  const std::vector<TrajectoryDataset>& wanted = config.output.trajectory;
  rec.add(make_field_trajectory_observer(problem, wanted));
  const bool gain = std::find(wanted.begin(), wanted.end(), TrajectoryDataset::gain) != wanted.end();
  rec.add(make_field_gain_observer(theory, rec.regime, gain));
  rec.add(make_energy_observer());
  if (config.observe.energy_flow) rec.add(make_field_energy_flow_observer(problem, config.dynamics.gamma));
  rec.add(make_correlator_observer(config, theory.nx(), theory.ny(), theory.K(),
                                   correlator_input(config, &problem.data->samples())));
  rec.add(make_time_autocorrelation_observer(config, theory.nx(), theory.ny(), theory.K()));
}

}  // namespace

RunResult run_field_model(const ModelConfig& config, const RunOptions& options) {
  FieldProblem problem = make_field_problem(config);  // ConfigError before any file is created
  stop_point(options.stop);
  FieldTheory& theory = *problem.theory;
  FieldPotential potential(theory, *problem.data);
  std::unique_ptr<TrainingDynamics> dynamics = make_field_dynamics(config, potential);
  if (config.observe.energy_flow && !dynamics->second_order())
    throw std::invalid_argument("field energy flow needs damped dynamics");
  RunRecording recording(config, options);
  add_field_observers(config, problem, recording.recorder());
  recording.start([&](SeriesSink& writer) { write_field_static(writer, problem, config); });

  const std::size_t nx = std::size_t(theory.nx()), ny = std::size_t(theory.ny());
  const std::size_t batch = std::size_t(potential.batch());
  std::vector<double> phi(nx * ny), adjoint(nx * ny), grad(theory.num_params()), X(batch * ny), Y(batch * ny);
  const auto snapshot_at = [&](const State& x, double t, Snapshot& s) {
    const double* q = x.data();
    // The sample presented at t (full_batch: the first, as the network records its neurons).
    potential.data_at(t, X.data(), Y.data());
    s.loss = theory.gradient(q, X.data(), Y.data(), grad.data(), phi.data(), adjoint.data());
    s.energy = dynamics->energy(x, t);
    if (batch > 1) s.loss = s.energy.potential;  // the batch's mean loss
    s.q = q;
    s.W = q + theory.w_offset();
    s.b = q + theory.beta_offset();
    s.v = dynamics->second_order() ? q + theory.num_params() : nullptr;
    s.neurons = phi.data();
    s.adjoint = adjoint.data();
    s.lines = theory.nx();
    s.width = theory.ny();
  };
  const auto summary = [&] { return ", " + std::to_string(potential.gradient_evaluations()) + " field gradients"; };
  const DataStream& data = *problem.data;
  const auto switches = [&data](double t0, double t1) { return BreakpointSource(data.breakpoints(t0, t1)); };
  RunResult result = run_continuous(*dynamics, dynamics->initial_state(problem.q0, problem.v0), config, options,
                                    switches, recording, snapshot_at, summary);
  recording.finish(result);
  return result;
}

}  // namespace nnfield
