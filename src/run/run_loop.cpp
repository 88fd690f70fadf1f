// The one main loop (src/run/run_loop.hpp).
#include "run/run_loop.hpp"

#include <algorithm>

#include "nnfield/io/h5io.hpp"
#include "nnfield/io/provenance.hpp"
#include "nnfield/numerics/thread_count.hpp"
#include "nnfield/observe/progress.hpp"

namespace nnfield {

void Recorder::declare() {
  for (auto& o : observers) o->declare(writer);
}

void Recorder::record(const Snapshot& s) {
  for (auto& o : observers) o->observe(s, writer);
  if (++rows % flush_every == 0) writer.flush();
}

void append_regime_note(const Recorder& recorder, RunResult& result) {
  if (recorder.regime.left_at() < 0) return;
  result.message += "; left the critical regime at t = " + std::to_string(recorder.regime.left_at()) +
                    " (max|g-1| > 5x its initial value: no depth limit, docs/theory.md 4.2)";
}

RunResult run_continuous(TrainingDynamics& dynamics, State x, const ModelConfig& config, const RunOptions& options,
                         const BreakpointsIn& breakpoints, Recorder& recorder, const SnapshotAt& snapshot_at,
                         const std::function<std::string()>& summary) {
  const double t_end = config.dynamics.t_end;
  ProgressLine progress(options.progress, t_end);
  RunResult result;
  IntegrationStats stats;
  IntegrationCallbacks cb;
  cb.observe = [&](const State& state, double t) {
    Snapshot s;
    s.t = t;
    s.step = stats.accepted;
    s.dynamics = &dynamics;
    s.state = &state;
    snapshot_at(state, t, s);
    recorder.record(s);
    result.t_last = t;
    result.final_loss = s.loss;
    result.final_energy = s.energy;
    progress.update(t, s.loss, s.energy.total());
  };
  cb.progress = [&](double t) { progress.update(t, result.final_loss, result.final_energy.total()); };
  if (options.stop) cb.should_stop = [&] { return options.stop->load(); };
  integrate_on_schedule(dynamics, x, OutputSchedule(t_end, config.output.every), t_end, breakpoints,
                        config.integrator, cb, stats, result);
  if (result.status == RunStatus::complete && summary) result.message += summary();
  append_regime_note(recorder, result);
  result.steps = stats.accepted;
  result.rows = recorder.rows;
  progress.finish(result.message);
  return result;
}

RunSink open_run_sink(const ModelConfig& config, const RunOptions& options) {
  RunSink out;
  Provenance provenance = provenance_of(config, options.command_line);
  // Network runs pass it to Network::set_threads, which resolves 0 the same way.
  provenance.threads = config.field.present ? 1u : resolve_thread_count(options.threads);
  if (options.output_path.empty()) {
    out.memory = std::make_shared<MemoryRun>();
    out.memory->set_root_attribute("model_text", provenance.model_text);
    out.memory->set_root_attribute("model_path", provenance.model_path);
    out.memory->set_root_attribute("title", provenance.title);
    out.memory->set_root_attribute("resolved_config", provenance.resolved_toml);
    out.memory->set_root_attribute("seed", double(provenance.seed));
    out.memory->set_root_attribute("threads", double(provenance.threads));
    for (const auto& kv : provenance.build) out.memory->set_root_attribute(kv.first, kv.second);
  } else {
    out.file = std::make_unique<RunWriter>(options.output_path, options.force, provenance);
  }
  return out;
}

RunRecording::RunRecording(const ModelConfig& config, const RunOptions& options)
    : m_sink(open_run_sink(config, options)), m_recorder{m_sink.get(), std::max(1, config.output.flush_every), {}, {}, 0} {}

void RunRecording::start(const std::function<void(SeriesSink&)>& write_static) {
  m_recorder.declare();
  write_static(m_sink.get());
  m_sink.get().flush();
}

void RunRecording::finish(RunResult& result) {
  SeriesSink& writer = m_sink.get();
  switch (result.status) {
    case RunStatus::complete: writer.finish("complete"); break;
    case RunStatus::interrupted: writer.finish("interrupted"); break;
    case RunStatus::blew_up: writer.finish("failed: " + result.message); break;
  }
  result.memory = m_sink.memory;
}

}  // namespace nnfield
