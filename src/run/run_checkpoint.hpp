#pragma once
// Checkpoints of a run and what every checkpoint shares (docs/output-schema.md, "Checkpoint
// and restart"). A checkpoint is taken at an output row, after the row is written and the
// run file flushed, into "RUN.h5.ckpt" (io/checkpoint_file.hpp: replaced atomically). The
// loops (run_loop.cpp, run.cpp's SGD) add their own state: the integrator's, or SGD's.
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "nnfield/io/checkpoint_file.hpp"
#include "run/run_loop.hpp"

namespace nnfield {

// Decides when a checkpoint is due and writes it, with the run's identity (model text
// hash), its resolved configuration and the recorder's state (rows of every series,
// observer accumulators, the regime monitor). Off for runs kept in memory.
class Checkpointer {
 public:
  // `start`: the position (model time, or SGD step) the run starts or resumes from.
  Checkpointer(const ModelConfig& config, const RunOptions& options, double start);
  bool enabled() const { return !m_path.empty(); }
  // At the output row at `position`: a checkpoint is due at the run's last row (`last`),
  // past a multiple of output.checkpoint_every, or output.checkpoint_seconds after the last.
  bool due(double position, bool last) const;
  // Flushes the run file, then writes the checkpoint: the shared part and what `fill` adds.
  void write(Recorder& recorder, double position, const std::function<void(CheckpointFile&)>& fill);

 private:
  std::string m_path;
  const ModelConfig& m_config;
  double m_every, m_seconds, m_last_position;
  std::chrono::steady_clock::time_point m_last_time;
};

// The rows of every time series of the checkpointed run, by handle.
std::vector<std::size_t> checkpoint_series_rows(const CheckpointFile& checkpoint);
// Restores the recorder's rows, observer accumulators and regime monitor.
void restore_recorder(Recorder& recorder, const ResumePoint& resume);

}  // namespace nnfield
