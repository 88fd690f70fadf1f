#pragma once
// The one main loop of every run (run.cpp on the network, field_run.cpp on a field grid):
// integrate the dynamics through the output schedule; at every output time the lattice
// fills a Snapshot and the observers measure it; the run's end becomes its status.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "run/output_schedule.hpp"
#include "run/run_sink.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/observe/observer.hpp"
#include "nnfield/observe/regime_monitor.hpp"
#include "nnfield/run/run.hpp"

namespace nnfield {

// The observers of a run and where they write; the gain observers report to `regime`.
struct Recorder {
  SeriesSink& writer;
  int flush_every = 1;
  std::vector<std::unique_ptr<Observer>> observers;
  RegimeMonitor regime;
  long rows = 0;

  void add(std::unique_ptr<Observer> observer) {
    if (observer) observers.push_back(std::move(observer));
  }
  void declare();                    // create every observer's datasets
  void record(const Snapshot& s);    // one output row
  void finish();                     // after the last row of a completed run
};

// Fills the lattice's part of a snapshot (loss, energy, neurons, link fields) for state x at t.
using SnapshotAt = std::function<void(const State& x, double t, Snapshot& s)>;

class RunRecording;

// A state split over processes along a network's width or a field grid's (run.cpp's width
// split, docs/cluster.md; made by state_split, run/split_flow.hpp):
// how the loop hands it to process 0's checkpoint in pieces (no process holds it whole), and
// what of a checkpoint's state a process reads: its block.
struct StateSplit {
  // Collective: the whole state (or an array of its layout: the stepper's derivative), in
  // order, to `piece` on process 0, a piece at a time; `piece` is not called elsewhere.
  std::function<void(const State&, const ValuePiece&)> in_pieces;
  std::vector<ValueRange> ranges;  // where this process's block lies in the whole state
  std::size_t whole_size = 0;      // of the whole state
};

// What a process of a split reads of a checkpoint's state and carried derivative: its block.
// (A split's recording on process 0 reads none of them: skip_state_ranges.)
CheckpointRanges split_ranges(const StateSplit& split);
inline CheckpointRanges skip_state_ranges() { return {{"loop.x", {}}, {"loop.dxdt", {}}}; }

// Integrates `dynamics` from x over [0, config.dynamics.t_end] with output rows every
// config.output.every, checkpointing at rows (run_checkpoint.hpp); a resumed recording
// continues from its checkpoint instead of x. `summary`, if given, is appended to the
// message of a completed run.
RunResult run_continuous(TrainingDynamics& dynamics, State x, const ModelConfig& config, const RunOptions& options,
                         const BreakpointsIn& breakpoints, RunRecording& recording, const SnapshotAt& snapshot_at,
                         const std::function<std::string()>& summary = {});
// The same loop on every process of a width split: x is this process's block; snapshot_at
// is collective; process 0 records into `recording`, the others pass none and step with it.
RunResult run_continuous_split(TrainingDynamics& dynamics, State x, const ModelConfig& config,
                               const RunOptions& options, const BreakpointsIn& breakpoints, RunRecording* recording,
                               const SnapshotAt& snapshot_at, const StateSplit& split,
                               const std::function<std::string()>& summary = {});

// The regime note of the run's message (when it left the critical regime).
void append_regime_note(const Recorder& recorder, RunResult& result);

// A run's output: where it writes (an HDF5 run file, or memory when the output path is
// empty, with the provenance on the root either way) and its recorder.
class RunRecording {
 public:
  // `ranges`: what it reads of the checkpoint's large entries (resume_point).
  RunRecording(const ModelConfig& config, const RunOptions& options, const CheckpointRanges& ranges = {});
  Recorder& recorder() { return m_recorder; }
  // The checkpoint a resumed run continues from (inactive for a new run).
  const ResumePoint& resume() const { return m_resume; }
  // Writes the run's static part, declares the observers' datasets, flushes: the file is
  // readable from here on, whatever happens to the run. Resumed: reopens the datasets cut
  // back to the checkpoint's rows and restores the recorder instead of writing anew.
  void start(const std::function<void(SeriesSink&)>& write_static);
  // Writes the final status ("complete", "interrupted", "failed: ...") and hands over the
  // in-memory run, if any.
  void finish(RunResult& result);

 private:
  ResumePoint m_resume;
  RunSink m_sink;
  Recorder m_recorder;
  std::string m_resolved_toml;
};

}  // namespace nnfield
