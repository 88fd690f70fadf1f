#include "run/run_checkpoint.hpp"

#include <cmath>
#include <cstdint>

namespace nnfield {

namespace {

void save_recorder(const Recorder& recorder, CheckpointFile& out) {
  std::vector<std::int64_t> rows;
  for (std::size_t i = 0; i < recorder.writer.series_count(); ++i)
    rows.push_back(std::int64_t(recorder.writer.rows(int(i))));
  out.set("recorder.series_rows", std::move(rows));
  out.set_integer("recorder.rows", recorder.rows);
  out.set("recorder.regime", recorder.regime.saved_state());
  for (std::size_t i = 0; i < recorder.observers.size(); ++i)
    out.set("observer." + std::to_string(i), recorder.observers[i]->saved_state());
}

// The checkpoint number of multiples of `every` at or below `position`.
double multiples(double position, double every) { return std::floor(position / every + 1e-9); }

}  // namespace

Checkpointer::Checkpointer(const ModelConfig& config, const RunOptions& options, double start)
    : m_path(options.output_path.empty() ? std::string() : checkpoint_path_for(options.output_path)),
      m_config(config),
      m_every(config.output.checkpoint_every),
      m_seconds(config.output.checkpoint_seconds),
      m_last_position(start),
      m_last_time(std::chrono::steady_clock::now()) {}

bool Checkpointer::due(double position, bool last) const {
  if (!enabled()) return false;
  if (last) return true;
  if (m_every > 0 && multiples(position, m_every) > multiples(m_last_position, m_every)) return true;
  const std::chrono::duration<double> since = std::chrono::steady_clock::now() - m_last_time;
  return m_seconds > 0 && since.count() >= m_seconds;
}

void Checkpointer::write(Recorder& recorder, double position, const std::function<void(CheckpointFile&)>& fill) {
  recorder.writer.flush();  // every row the checkpoint counts is in the run file first
  CheckpointFile out;
  out.set("run.model_text_hash", std::to_string(text_hash(m_config.source_text)));
  out.set("run.resolved_config", m_config.resolved_toml);
  out.set_real("run.position", position);
  save_recorder(recorder, out);
  fill(out);
  out.write(m_path);
  m_last_position = position;
  m_last_time = std::chrono::steady_clock::now();
}

ResumePoint resume_point(const RunOptions& options, const CheckpointRanges& ranges) {
  ResumePoint point;
  if (!options.resume) return point;
  point.active = true;
  point.path = checkpoint_path_for(options.output_path);
  point.checkpoint = CheckpointFile::read(point.path, ranges);
  return point;
}

std::vector<std::size_t> checkpoint_series_rows(const CheckpointFile& checkpoint) {
  std::vector<std::size_t> rows;
  for (std::int64_t r : checkpoint.integers("recorder.series_rows")) rows.push_back(std::size_t(r));
  return rows;
}

void restore_recorder(Recorder& recorder, const ResumePoint& resume) {
  const CheckpointFile& checkpoint = resume.checkpoint;
  recorder.rows = long(checkpoint.integer("recorder.rows"));
  recorder.regime.restore_state(checkpoint.reals("recorder.regime"));
  for (std::size_t i = 0; i < recorder.observers.size(); ++i) {
    const std::string key = "observer." + std::to_string(i);
    const std::vector<double>& state = checkpoint.reals(key);
    if (!recorder.observers[i]->accepts_state(state))
      throw CheckpointError(resume.path + ": checkpoint entry '" + key +
                            "' does not fit the run's observers");
    recorder.observers[i]->restore_state(state);
  }
}

}  // namespace nnfield
