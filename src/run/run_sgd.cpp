// The SGD loop (src/run/run_sgd.hpp).
#include "run/run_sgd.hpp"

#include <cmath>
#include <string>

#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/io/checkpoint_file.hpp"
#include "nnfield/numerics/rng.hpp"
#include "nnfield/observe/progress.hpp"
#include "run/run_checkpoint.hpp"

namespace nnfield {

namespace {

// Where SGD stands at the start of step k: the parameters and the batch sampler's position
// (checkpoints save it after writing row k, before the step's update). The parameters go to
// the file as the lattice hands them over, in pieces (collective: see run_sgd).
void save_sgd(CheckpointFile& out, long k, SgdLattice& lattice, long drawn) {
  out.set("loop.kind", std::string("sgd"));
  out.set_integer("loop.step", k);
  out.set_streamed("loop.x", lattice.whole_size(),
                   [&lattice](const ValuePiece& piece) { lattice.whole_in_pieces(piece); });
  out.set_integer("loop.drawn", drawn);
}

// The other processes' part in process 0's save_sgd: they hand their blocks over.
void save_sgd_elsewhere(long k, SgdLattice& lattice, long drawn) {
  CheckpointFile out;
  save_sgd(out, k, lattice, drawn);
  out.pass_streamed();
}

// Restores save_sgd's position; returns the step to start at (its row is written already).
// The checkpoint was read with the lattice's ranges of loop.x alone (sgd_checkpoint_ranges).
long restore_sgd(const ResumePoint& resume, SgdLattice& lattice, BatchSampler& sampler) {
  const CheckpointFile& in = resume.checkpoint;
  if (in.text("loop.kind") != "sgd" || in.reals("loop.x").size() != lattice.q().size())
    throw CheckpointError(resume.path + ": the checkpoint is not of this run's dynamics");
  lattice.q() = in.reals("loop.x");
  sampler.seek(long(in.integer("loop.drawn")));
  return long(in.integer("loop.step"));
}

}  // namespace

CheckpointRanges sgd_checkpoint_ranges(const SgdLattice& lattice) { return {{"loop.x", lattice.held()}}; }

RunResult run_sgd(const ModelConfig& config, const RunOptions& options, SgdLattice& lattice, int S,
                  RunRecording* recording) {
  const int B = config.dynamics.batch;
  const long steps = config.dynamics.steps, every = config.output.every_steps;
  const double eta = effective_eta(config);  // eta_scaling (docs/theory.md 4.2)
  BatchSampler sampler(S, B, config.data.order, derive_seed(config.seed, "order"));
  std::vector<double>& q = lattice.q();
  std::vector<double> grad(q.size());
  ProgressLine progress(options.progress, double(steps), "step");
  RunResult result;
  long k = 0;
  // Process 0 reads its recording's checkpoint; the others read the same file, their block.
  const ResumePoint resume = recording ? ResumePoint{} : resume_point(options, sgd_checkpoint_ranges(lattice));
  const ResumePoint& from = recording ? recording->resume() : resume;
  const bool resumed = from.active;
  if (resumed) k = restore_sgd(from, lattice, sampler);
  const long first = k;
  Checkpointer checkpointer(config, options, double(k));
  // Collective: process 0 writes the parameters as the others hand them over.
  const auto checkpoint = [&](long at, long drawn) {
    if (recording)
      checkpointer.write(recording->recorder(), double(at), [&](CheckpointFile& out) { save_sgd(out, at, lattice, drawn); });
    else
      save_sgd_elsewhere(at, lattice, drawn);
  };
  for (; k <= steps; ++k) {
    const long drawn = sampler.drawn();
    const double loss = lattice.gradient(sampler.next(), grad);
    if (!std::isfinite(loss)) {  // the whole network's loss: the same on every process
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
      lattice.snapshot(s);
      if (recording) recording->recorder().record(s);
      result.t_last = s.t;
      result.final_loss = loss;
      result.final_energy = s.energy;
      // Process 0 decides (wall clock), the others follow: a collective gather either way.
      const bool due = lattice.from_root(recording && checkpointer.due(double(k), k == steps));
      if (due) checkpoint(k, drawn);
    }
    progress.update(double(k), loss, loss);
    if (k == steps) break;
    if (lattice.stop_requested(options.stop)) {
      result.status = RunStatus::interrupted;
      result.message = "interrupted at step " + std::to_string(k);
      // Stopped by a signal: checkpoint here (row k, if it is one, is written), losing nothing.
      if (checkpointer.enabled()) checkpoint(k, drawn);
      break;
    }
    for (std::size_t j = 0; j < q.size(); ++j) q[j] -= eta * grad[j];
  }
  if (result.status == RunStatus::complete) {
    if (!lattice.finite()) {
      result.status = RunStatus::blew_up;
      result.message = "parameters became NaN/Inf after step " + std::to_string(k);
    } else {
      result.message = "completed " + std::to_string(steps) + " SGD steps";
    }
  }
  if (recording) append_regime_note(recording->recorder(), result);
  result.steps = k;
  result.rows = recording ? recording->recorder().rows : 0;
  progress.finish(result.message);
  return result;
}

}  // namespace nnfield
