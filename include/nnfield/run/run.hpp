#pragma once
// A run: model file -> network + data + initial state -> dynamics -> integrator ->
// observers -> run file. The CLI's `nnfield run` and the Python module call this.
#include <atomic>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "nnfield/config/config.hpp"
#include "nnfield/io/series_sink.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"

namespace nnfield {

struct RunOptions {
  std::string output_path;                     // HDF5 run file; empty: keep the run in memory
  bool force = false;                          // overwrite an existing output file
  std::string progress = "auto";               // "auto" | "tty" | "plain" | "off"
  std::string command_line;                    // recorded as provenance
  const std::atomic<bool>* stop = nullptr;     // set (e.g. by SIGINT) to stop cleanly
  // Threads for the network's forward and backward passes (SGD steps, the gradient-flow and
  // damped right-hand sides); 0: default_thread_count() (numerics/thread_count.hpp).
  // Field runs: the stability check's depth lines and a batch's samples (field/sample_sweeps.hpp).
  // Results do not depend on it. Default 1: ensembles and
  // compare run many runs at once, one per worker.
  int threads = 1;
  // Continue the run in output_path from its checkpoint (`nnfield run --resume`, docs/output-schema.md,
  // "Checkpoint and restart"); the config must be the checkpointed run's (run/resume.hpp).
  bool resume = false;
  // A run kept in memory holds only these series and rows (all by default).
  MemoryCapture capture;
};

enum class RunStatus { complete, interrupted, blew_up };

struct RunResult {
  RunStatus status = RunStatus::complete;
  std::string message;     // one line: what happened
  double t_last = 0.0;     // time of the last row written
  long rows = 0;
  long steps = 0;          // integrator or SGD steps
  double final_loss = 0.0;
  Energy final_energy;
  // The largest max|g - 1| over the rows (the regime check's measure); NaN without a gain observer.
  double max_gain_deviation = std::numeric_limits<double>::quiet_NaN();
  std::shared_ptr<MemoryRun> memory;  // the run's datasets when output_path was empty
};

// Throws ConfigError (bad model inputs such as a data file), H5Error (output) and
// SetupInterrupted (stopped before the first row).
RunResult run_model(const ModelConfig& config, const RunOptions& options);
// `mpirun -np K nnfield run` (K > 1): the network, or the field grid ([field]), split along
// its width over the K processes (docs/cluster.md); process 0 writes the file, the same file
// one process writes.
// Refuses (ConfigError) what is not split: see check_width_split (run/sgd_lattice.hpp).
RunResult run_width_split(const ModelConfig& config, const RunOptions& options);

// Stopped (SIGINT, SIGTERM, SIGHUP) while setting up, before any output exists: the
// commands exit 130. The integration loops have their own, gentler stop (a clean file).
class SetupInterrupted : public std::runtime_error {
 public:
  SetupInterrupted() : std::runtime_error("interrupted before the run started; nothing was written") {}
};
// Throws SetupInterrupted if `stop` is set: called between the steps of set-up and checks.
void stop_point(const std::atomic<bool>* stop);

}  // namespace nnfield
