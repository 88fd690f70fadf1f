#include "nnfield/run/field_run.hpp"

#include <algorithm>

#include "nnfield/observe/field_output.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/dynamics/integrator.hpp"
#include "nnfield/observe/progress.hpp"
#include "nnfield/run/make_dynamics.hpp"
#include "dynamics/output_schedule.hpp"
#include "io/run_sink.hpp"

namespace nnfield {

RunResult run_field_model(const ModelConfig& config, const RunOptions& options) {
  FieldProblem problem = make_field_problem(config);  // ConfigError before any file is created
  FieldPotential potential(*problem.theory, problem.X, problem.Y);
  std::unique_ptr<TrainingDynamics> dynamics = make_field_dynamics(config, potential);
  RunSink run_sink = open_run_sink(config, options);
  SeriesSink& writer = run_sink.get();
  FieldRecorder recorder(writer, problem, *dynamics, config.observe.energy_flow, config.dynamics.gamma);
  recorder.write_static(config);
  writer.flush();

  State x = dynamics->initial_state(problem.q0, problem.v0);
  const double t_end = config.dynamics.t_end;
  ProgressLine progress(options.progress, t_end);
  RunResult result;
  IntegrationStats stats;
  IntegrationCallbacks cb;
  const int flush_every = std::max(1, config.output.flush_every);
  cb.observe = [&](const State& state, double t) {
    result.final_loss = recorder.record(state, t, stats.accepted);
    result.final_energy.potential = result.final_loss;
    result.t_last = t;
    if (++result.rows % flush_every == 0) writer.flush();
    progress.update(t, result.final_loss, recorder.last_energy());
  };
  cb.progress = [&](double t) { progress.update(t, result.final_loss, recorder.last_energy()); };
  if (options.stop) cb.should_stop = [&] { return options.stop->load(); };
  integrate_on_schedule(*dynamics, x, OutputSchedule(t_end, config.output.every), t_end, {}, config.integrator, cb,
                        stats, result);
  if (result.status == RunStatus::complete)
    result.message += ", " + std::to_string(potential.gradient_evaluations()) + " field gradients";
  if (recorder.left_critical_regime_at() >= 0)
    result.message += "; left the critical regime at t = " + std::to_string(recorder.left_critical_regime_at()) +
                      " (max|g-1|/ax > 5x its initial value: no depth limit, SPEC 4.2)";
  result.steps = stats.accepted;
  progress.finish(result.message);
  switch (result.status) {
    case RunStatus::complete: writer.finish("complete"); break;
    case RunStatus::interrupted: writer.finish("interrupted"); break;
    case RunStatus::blew_up: writer.finish("failed: " + result.message); break;
  }
  result.memory = run_sink.memory;
  return result;
}

}  // namespace nnfield
