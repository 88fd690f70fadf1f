// The one main loop (src/run/run_loop.hpp).
#include "run/run_loop.hpp"

#include <algorithm>
#include <cstdint>

#include "nnfield/io/h5io.hpp"
#include "nnfield/io/provenance.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/numerics/thread_count.hpp"
#include "nnfield/observe/progress.hpp"
#include "run/run_checkpoint.hpp"

namespace nnfield {

void Recorder::declare() {
  for (auto& o : observers) o->declare(writer);
}

void Recorder::record(const Snapshot& s) {
  for (auto& o : observers) o->observe(s, writer);
  if (++rows % flush_every == 0) writer.flush();
}

void Recorder::finish() {
  for (auto& o : observers) o->finish(writer);
}

void append_regime_note(const Recorder& recorder, RunResult& result) {
  if (recorder.regime.left_at() < 0) return;
  result.message += "; left the critical regime at t = " + std::to_string(recorder.regime.left_at()) +
                    " (max|g-1| > 5x its initial value: no depth limit, docs/theory.md 4.2)";
}

CheckpointRanges split_ranges(const StateSplit& split) {
  return {{"loop.x", split.ranges}, {"loop.dxdt", split.ranges}};
}

namespace {

// The loop's position. A split's state and carried derivative go to the file in pieces
// (collective: every process makes the entries, process 0 writes them, the others hand
// their blocks over: CheckpointFile::pass_streamed).
void save_position(CheckpointFile& out, const State& x, const SchedulePosition& at, const IntegrationStats& stats,
                   const StateSplit* split) {
  out.set("loop.kind", std::string("continuous"));
  out.set_integer("loop.next_output", at.next_output);
  out.set_real("loop.t", at.t);
  out.set_real("loop.dt", at.stepper.dt);
  out.set("loop.steps", std::vector<std::int64_t>{stats.accepted, stats.rejected});
  const auto state_entry = [&](const std::string& name, const State& values) {
    if (!split || values.empty()) return out.set(name, values);
    out.set_streamed(name, split->whole_size,
                     [split, &values](const ValuePiece& piece) { split->in_pieces(values, piece); });
  };
  state_entry("loop.x", x);
  state_entry("loop.dxdt", at.stepper.dxdt);
}

// `resume` was read with the split's ranges of loop.x and loop.dxdt: its block of the state.
void restore_position(const ResumePoint& resume, State& x, SchedulePosition& at, IntegrationStats& stats) {
  const CheckpointFile& in = resume.checkpoint;
  if (in.text("loop.kind") != "continuous" || in.reals("loop.x").size() != x.size())
    throw CheckpointError(resume.path + ": the checkpoint is not of this run's dynamics");
  x = in.reals("loop.x");
  at.next_output = long(in.integer("loop.next_output"));
  at.t = in.real("loop.t");
  at.stepper = StepperState{in.real("loop.dt"), in.reals("loop.dxdt")};
  const std::vector<std::int64_t>& steps = in.integers("loop.steps");
  if (steps.size() != 2) throw CheckpointError(resume.path + ": checkpoint entry 'loop.steps' is not two counts");
  stats = IntegrationStats{long(steps[0]), long(steps[1])};
}

// The state at the last output row, kept when that row was not checkpointed, so that a run
// stopped by a signal (status interrupted) checkpoints there and resumes losing nothing.
struct LastRow {
  bool pending = false;
  State x;
  SchedulePosition at;
  IntegrationStats stats;
};

// Process 0's `value` on every process of a split (a decision only it can take: the clock).
bool from_root(const StateSplit* split, bool value) {
  if (!split) return value;
  double v = value ? 1.0 : 0.0;
  processes::broadcast_values(0, &v, 1);
  return v != 0.0;
}

// The loop of run_continuous and run_continuous_split: `recording` is null on the processes
// of a split other than 0, `split` null on one process.
RunResult continuous_loop(TrainingDynamics& dynamics, State x, const ModelConfig& config, const RunOptions& options,
                          const BreakpointsIn& breakpoints, RunRecording* recording, const SnapshotAt& snapshot_at,
                          const std::function<std::string()>& summary, const StateSplit* split) {
  const double t_end = config.dynamics.t_end;
  const OutputSchedule schedule(t_end, config.output.every);
  ProgressLine progress(options.progress, t_end);
  RunResult result;
  IntegrationStats stats;
  SchedulePosition at;
  // A split's processes read their blocks of the state (process 0's recording read none of it).
  const ResumePoint own = split ? resume_point(options, split_ranges(*split)) : ResumePoint{};
  const ResumePoint& from = split ? own : recording->resume();
  if (from.active) restore_position(from, x, at, stats);
  Checkpointer checkpointer(config, options, at.t);
  LastRow last_row;
  const auto write_checkpoint = [&](double t, const State& state, const SchedulePosition& pos,
                                    const IntegrationStats& counts) {
    if (recording) {
      checkpointer.write(recording->recorder(), t,
                         [&](CheckpointFile& out) { save_position(out, state, pos, counts, split); });
    } else {
      CheckpointFile out;
      save_position(out, state, pos, counts, split);
      out.pass_streamed();
    }
  };
  IntegrationCallbacks cb;
  cb.observe = [&](const State& state, double t) {
    Snapshot s;
    s.t = t;
    s.step = stats.accepted;
    s.dynamics = &dynamics;
    s.state = &state;
    snapshot_at(state, t, s);
    if (recording) recording->recorder().record(s);
    result.t_last = t;
    result.final_loss = s.loss;
    result.final_energy = s.energy;
    progress.update(t, s.loss, s.energy.total());
    ++at.next_output;
    at.t = t;
    const bool due = checkpointer.enabled() &&
                     from_root(split, recording && checkpointer.due(t, at.next_output == schedule.count()));
    last_row.pending = checkpointer.enabled() && !due;
    if (last_row.pending)
      last_row = LastRow{true, state, at, stats};
    else if (checkpointer.enabled())
      write_checkpoint(t, state, at, stats);
  };
  cb.progress = [&](double t) { progress.update(t, result.final_loss, result.final_energy.total()); };
  if (split)  // every process stops at the same step
    cb.should_stop = [&] { return !processes::on_all_processes(!(options.stop && options.stop->load())); };
  else if (options.stop)
    cb.should_stop = [&] { return options.stop->load(); };
  integrate_on_schedule(dynamics, x, schedule, t_end, at, breakpoints, config.integrator, cb, stats, result);
  if (result.status == RunStatus::interrupted && last_row.pending)
    write_checkpoint(last_row.at.t, last_row.x, last_row.at, last_row.stats);
  if (result.status == RunStatus::complete && summary) result.message += summary();
  if (recording) append_regime_note(recording->recorder(), result);
  result.steps = stats.accepted;
  result.rows = recording ? recording->recorder().rows : 0;
  progress.finish(result.message);
  return result;
}

}  // namespace

RunResult run_continuous(TrainingDynamics& dynamics, State x, const ModelConfig& config, const RunOptions& options,
                         const BreakpointsIn& breakpoints, RunRecording& recording, const SnapshotAt& snapshot_at,
                         const std::function<std::string()>& summary) {
  return continuous_loop(dynamics, std::move(x), config, options, breakpoints, &recording, snapshot_at, summary,
                         nullptr);
}

RunResult run_continuous_split(TrainingDynamics& dynamics, State x, const ModelConfig& config,
                               const RunOptions& options, const BreakpointsIn& breakpoints, RunRecording* recording,
                               const SnapshotAt& snapshot_at, const StateSplit& split,
                               const std::function<std::string()>& summary) {
  return continuous_loop(dynamics, std::move(x), config, options, breakpoints, recording, snapshot_at, summary,
                         &split);
}

RunSink open_run_sink(const ModelConfig& config, const RunOptions& options, const ResumePoint& resume) {
  RunSink out;
  if (resume.active) {
    out.file = std::make_unique<RunWriter>(options.output_path, checkpoint_series_rows(resume.checkpoint));
    return out;
  }
  Provenance provenance = provenance_of(config, options.command_line);
  // Network runs pass it to Network::set_threads, field runs to their stability check and
  // SampleSweeps, which resolve 0 the same way.
  provenance.threads = resolve_thread_count(options.threads);
  if (options.output_path.empty()) {
    out.memory = std::make_shared<MemoryRun>(options.capture);
    out.memory->set_root_attribute("model_text", provenance.model_text);
    out.memory->set_root_attribute("model_path", provenance.model_path);
    out.memory->set_root_attribute("title", provenance.title);
    out.memory->set_root_attribute("resolved_config", provenance.resolved_toml);
    out.memory->set_root_unsigned("seed", provenance.seed);
    out.memory->set_root_unsigned("threads", provenance.threads);
    for (const auto& kv : provenance.build) out.memory->set_root_attribute(kv.first, kv.second);
  } else {
    out.file = std::make_unique<RunWriter>(options.output_path, options.force, provenance);
  }
  return out;
}

RunRecording::RunRecording(const ModelConfig& config, const RunOptions& options, const CheckpointRanges& ranges)
    : m_resume(resume_point(options, ranges)),
      m_sink(open_run_sink(config, options, m_resume)),
      m_recorder{m_sink.get(), std::max(1, config.output.flush_every), {}, {}, 0},
      m_resolved_toml(config.resolved_toml) {}

void RunRecording::start(const std::function<void(SeriesSink&)>& write_static) {
  if (m_resume.active) {
    // The static part is in the file already; the run goes on under the resumed configuration.
    m_recorder.declare();
    if (m_sink.get().series_count() != checkpoint_series_rows(m_resume.checkpoint).size())
      throw CheckpointError(m_resume.path + ": the checkpoint's time series are not this run's");
    restore_recorder(m_recorder, m_resume);
    m_sink.get().set_root_attribute("resolved_config", m_resolved_toml);
    m_sink.get().set_root_attribute("status", std::string("running"));
  } else {
    // The static part first: it holds the coordinates (a field run's grid) the series' axes name.
    write_static(m_sink.get());
    m_recorder.declare();
  }
  m_sink.get().flush();
}

void RunRecording::finish(RunResult& result) {
  SeriesSink& writer = m_sink.get();
  if (result.status == RunStatus::complete) m_recorder.finish();
  switch (result.status) {
    case RunStatus::complete: writer.finish("complete"); break;
    case RunStatus::interrupted: writer.finish("interrupted"); break;
    case RunStatus::blew_up: writer.finish("failed: " + result.message); break;
  }
  result.memory = m_sink.memory;
  result.max_gain_deviation = m_recorder.regime.max_deviation();
}

}  // namespace nnfield
