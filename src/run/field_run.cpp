// `nnfield run` on a field model: the same main loop as the network's (run_loop.hpp) on
// the field grid, with the field theory's potential and observers.
#include "nnfield/run/field_run.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "run/run_sink.hpp"
#include "nnfield/field/field_potential.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/field/sample_sweeps.hpp"
#include "nnfield/observe/field_output.hpp"
#include "nnfield/run/make_dynamics.hpp"
#include "run/field_split.hpp"
#include "run/run_loop.hpp"
#include "run/run_sgd.hpp"

namespace nnfield {

// The measurements of a field run (make_observers for the field lattice).
void add_field_observers(const ModelConfig& config, FieldProblem& problem, Recorder& rec) {
  FieldTheory& theory = *problem.theory;
  const std::vector<TrajectoryDataset>& wanted = config.output.trajectory;
  rec.add(make_field_trajectory_observer(problem, wanted));
  const bool gain = std::find(wanted.begin(), wanted.end(), TrajectoryDataset::gain) != wanted.end();
  rec.add(make_field_gain_observer(theory, rec.regime, gain));
  rec.add(make_energy_observer(/*balance=*/config.dynamics.kind != DynamicsKind::sgd));
  if (config.observe.energy_flow) rec.add(make_field_energy_flow_observer(problem, config.dynamics.gamma));
  rec.add(make_correlator_observer(config, theory.nx(), theory.ny(), theory.K(),
                                   correlator_input(config, &problem.data->samples())));
  rec.add(make_time_autocorrelation_observer(config, theory.nx(), theory.ny(), theory.K()));
}

double field_sgd_gradient(SampleSweeps& sweeps, const std::vector<double>& mass, const Samples& samples,
                          const double* q, const std::vector<int>& batch, double* grad) {
  const auto X = [&](std::size_t s) { return samples.x(batch[s]); };
  const auto Y = [&](std::size_t s) { return samples.y(batch[s]); };
  const double L = sweeps.gradient(q, batch.size(), X, Y, grad).loss;
  const double mean = 1.0 / double(batch.size());
  for (std::size_t i = 0; i < mass.size(); ++i) grad[i] = mass[i] > 0.0 ? grad[i] * mean / mass[i] : 0.0;
  return L * mean;
}

namespace {

// SGD on the field: the discrete-step map of the field's gradient flow m q' = -eta dL/dq
// (docs/field-limit.md section 12), q <- q - eta m^-1 dL/dq on the batch's mean loss, each
// sample of the batch its own sweep through the one bulk; frozen nodes (m = 0) stay. At
// rx = ry = 1 in the lattice-exact form every mass is 1 and this is the network's step.
RunResult run_field_sgd(const ModelConfig& config, const RunOptions& options, FieldProblem& problem,
                        RunRecording& recording) {
  FieldTheory& theory = *problem.theory;
  const Samples& samples = problem.data->samples();
  const std::size_t lines = std::size_t(theory.nx()) * std::size_t(theory.ny()), P = theory.num_params();
  std::vector<double> snapshot_grad(P), phi(lines), adjoint(lines);
  SampleSweeps sweeps(theory, unsigned(std::max(0, options.threads)));
  const auto gradient = [&](const double* q, const std::vector<int>& batch, double* grad) {
    return field_sgd_gradient(sweeps, theory.mass(), samples, q, batch, grad);
  };
  // The first sample of the batch, as the network records its neurons.
  const auto snapshot = [&](const double* q, const std::vector<int>& batch, Snapshot& s) {
    const int j = batch.front();
    theory.gradient(q, samples.x(j), samples.y(j), snapshot_grad.data(), phi.data(), adjoint.data());
    s.q = q;
    s.W = q + theory.w_offset();
    s.b = q + theory.beta_offset();
    s.neurons = phi.data();
    s.adjoint = adjoint.data();
    s.lines = theory.nx();
    s.width = theory.ny();
  };
  std::unique_ptr<SgdLattice> lattice = one_process_lattice(problem.q0, gradient, snapshot);
  return run_sgd(config, options, *lattice, samples.S, &recording);
}

}  // namespace

RunResult run_field_model(const ModelConfig& config, const RunOptions& options) {
  // ConfigError before any file is created. Threads: the stability check's depth lines,
  // then the samples of a batch (sample_sweeps.hpp); results do not depend on them.
  const unsigned threads = unsigned(std::max(0, options.threads));
  FieldProblem problem = make_field_problem(config, threads);
  stop_point(options.stop);
  FieldTheory& theory = *problem.theory;
  if (config.dynamics.kind == DynamicsKind::sgd) {
    RunRecording recording(config, options);
    add_field_observers(config, problem, recording.recorder());
    recording.start([&](SeriesSink& writer) { write_field_static(writer, problem, config); });
    RunResult result = run_field_sgd(config, options, problem, recording);
    recording.finish(result);
    return result;
  }
  FieldPotential potential(theory, *problem.data);
  potential.set_threads(threads);
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
