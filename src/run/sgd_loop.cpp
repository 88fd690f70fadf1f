// The SGD loop (src/run/sgd_loop.hpp).
#include "run/sgd_loop.hpp"

#include <cmath>
#include <string>

#include "nnfield/data/data.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/numerics/rng.hpp"
#include "nnfield/observe/progress.hpp"
#include "run/run_checkpoint.hpp"

namespace nnfield {

namespace {

bool all_finite(const std::vector<double>& v) {
  for (double x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

// Where SGD stands at the start of step k: the parameters and the batch sampler's position
// (checkpoints save it after writing row k, before the step's update).
void save_sgd(CheckpointFile& out, long k, const std::vector<double>& q, long drawn) {
  out.set("loop.kind", std::string("sgd"));
  out.set_integer("loop.step", k);
  out.set("loop.x", q);
  out.set_integer("loop.drawn", drawn);
}

// Restores save_sgd's position; returns the step to start at (its row is written already).
long restore_sgd(const ResumePoint& resume, std::vector<double>& q, BatchSampler& sampler) {
  const CheckpointFile& in = resume.checkpoint;
  if (in.text("loop.kind") != "sgd" || in.reals("loop.x").size() != q.size())
    throw CheckpointError(resume.path + ": the checkpoint is not of this run's dynamics");
  q = in.reals("loop.x");
  sampler.seek(long(in.integer("loop.drawn")));
  return long(in.integer("loop.step"));
}

// The run's status after the last step k: blown up if the parameters are not finite.
void finish_sgd(const std::vector<double>& q, long k, long steps, Recorder& rec, RunResult& result) {
  if (result.status == RunStatus::complete) {
    if (!all_finite(q)) {
      result.status = RunStatus::blew_up;
      result.message = "parameters became NaN/Inf after step " + std::to_string(k);
    } else {
      result.message = "completed " + std::to_string(steps) + " SGD steps";
    }
  }
  append_regime_note(rec, result);
  result.steps = k;
  result.rows = rec.rows;
}

}  // namespace

RunResult run_sgd_loop(const ModelConfig& config, const RunOptions& options, int S, std::vector<double>& q,
                       RunRecording& recording, const BatchGradient& gradient, const SgdSnapshot& snapshot) {
  Recorder& rec = recording.recorder();
  const long steps = config.dynamics.steps, every = config.output.every_steps;
  const double eta = effective_eta(config);  // eta_scaling (docs/theory.md 4.2)
  BatchSampler sampler(S, config.dynamics.batch, config.data.order, derive_seed(config.seed, "order"));
  std::vector<double> grad(q.size());
  ProgressLine progress(options.progress, double(steps), "step");
  RunResult result;
  long k = 0;
  const bool resumed = recording.resume().active;
  if (resumed) k = restore_sgd(recording.resume(), q, sampler);
  const long first = k;
  Checkpointer checkpointer(config, options, double(k));
  for (; k <= steps; ++k) {
    const long drawn = sampler.drawn();
    const std::vector<int>& batch = sampler.next();
    const double loss = gradient(q.data(), batch, grad.data());
    if (!std::isfinite(loss)) {
      result.status = RunStatus::blew_up;
      result.message = "loss became NaN/Inf at step " + std::to_string(k) + " (last finite state at step " +
                       std::to_string(k - 1) + ")";
      break;
    }
    if ((k % every == 0 || k == steps) && !(resumed && k == first)) {
      Snapshot s;
      s.t = double(k) * eta;  // SGD time is gradient-flow time: t = step * eta
      s.step = k;
      s.loss = loss;
      s.energy.potential = loss;
      snapshot(q.data(), batch, s);
      rec.record(s);
      result.t_last = s.t;
      result.final_loss = loss;
      result.final_energy = s.energy;
      if (checkpointer.due(double(k), k == steps))
        checkpointer.write(rec, double(k), [&](CheckpointFile& out) { save_sgd(out, k, q, drawn); });
    }
    progress.update(double(k), loss, loss);
    if (k == steps) break;
    if (options.stop && options.stop->load()) {
      result.status = RunStatus::interrupted;
      result.message = "interrupted at step " + std::to_string(k);
      // Stopped by a signal: checkpoint here (row k, if it is one, is written), losing nothing.
      if (checkpointer.enabled())
        checkpointer.write(rec, double(k), [&](CheckpointFile& out) { save_sgd(out, k, q, drawn); });
      break;
    }
    for (std::size_t j = 0; j < q.size(); ++j) q[j] -= eta * grad[j];
  }
  finish_sgd(q, k, steps, rec, result);
  progress.finish(result.message);
  return result;
}

}  // namespace nnfield
