#pragma once
// Ensembles of independent realisations (docs/theory.md section 5, "Ensembles"): the same model run
// with different master seeds (each seed changes the initialisation, the generated data and
// the data order), in memory, on worker threads; then ensemble means with jackknife or
// bootstrap errors of every time series and correlator the runs recorded, and per-seed
// summaries. Results do not depend on the number of threads: every seed's run depends only
// on its seed, and everything is combined in seed order.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/run/run.hpp"
#include "nnfield/io/series_sink.hpp"
#include "nnfield/numerics/statistics.hpp"

namespace nnfield {

// "a:b" (a, a+1, ..., b-1), "a,b,c", or one value. Throws std::invalid_argument.
// At most kMaxSeeds seeds: a range is expanded into memory, and every seed is a run.
constexpr std::uint64_t kMaxSeeds = 1000000;
std::vector<std::uint64_t> parse_seed_list(const std::string& text);

struct EnsembleOptions {
  std::vector<std::uint64_t> seeds;
  int threads = 0;          // 0: default_thread_count() (numerics/thread_count.hpp)
  ErrorOptions errors;      // jackknife (default) or bootstrap (resamples, seed)
  const std::atomic<bool>* stop = nullptr;  // set (SIGINT): running seeds stop, no new ones start
};

struct SeedSummary {
  std::uint64_t seed = 0;
  RunStatus status = RunStatus::complete;
  std::string message;
  long rows = 0, steps = 0;
  double t_last = 0.0;
  double final_loss = 0.0;
  double final_train_loss = 0.0;  // NaN when the run has no /trajectory/train_loss
  double final_energy = 0.0;
  // Second-moment correlation length along width of the final-time neurons z^(1..M), per
  // layer (correlators.hpp: second_moment_xi of the full structure factor of one
  // configuration). Empty when the run did not record /trajectory/z.
  std::vector<double> xi_y;
};

// A dataset averaged over the complete seeds: same name, shape and index order as in a run.
struct EnsembleDataset {
  std::string name;                 // e.g. "/trajectory/loss", "/correlators/width"
  std::vector<std::size_t> shape;   // (T, row...)
  std::string index_order, description;
  std::string units = "1";          // the runs' (a mean of integers is not an integer)
  std::vector<double> mean, error;
};

// One averaged dataset's samples: the values of every complete seed, shape (seeds, T, row...).
// Written under /seeds/series/ so that `nnfield merge` can reduce several files' seeds again.
struct EnsembleSeedSeries {
  std::string name;                 // the run's name, e.g. "/trajectory/loss"
  std::vector<std::size_t> shape;   // (seeds, T, row...)
  std::string index_order, description;  // "seed," + the run's; the run's description
  std::string units = "1";
  std::vector<double> data;
};

struct EnsembleResult {
  std::vector<SeedSummary> seeds;        // in the order given
  std::vector<std::size_t> included;     // indices into seeds of the runs averaged (complete ones)
  ErrorOptions errors;
  std::vector<double> time;              // /trajectory/time of the included runs (identical)
  std::vector<double> correlator_time;   // /correlators/time, if the runs measured correlators
  std::vector<EnsembleDataset> datasets; // means and errors
  std::vector<EnsembleSeedSeries> seed_series;  // the samples of every dataset in `datasets` but xi_ensemble
  std::vector<std::string> notes;        // truncations, exclusions
  bool interrupted = false;
};

// Runs config once per seed (config.seed replaced by the seed; output in memory, no
// progress line; the per-seed runs keep only the loss and z trajectories: W and b are not
// averaged). `progress`, if given, is called (serialised) with the number of seeds done.
// Throws ConfigError when a seed's inputs are bad (e.g. a missing data file).
// Under mpirun the seeds are spread over the processes (numerics/processes.hpp) and the
// result, bitwise the same as one process's, is on process 0; the others return an
// empty result. `progress` then counts the seeds done by the calling process.
EnsembleResult run_ensemble(const ModelConfig& config, const EnsembleOptions& options,
                            const std::function<void(int done)>& progress = {});

// Ensembles run as separate jobs (a batch array over seed ranges), combined: the seeds of
// every file in the order given, reduced exactly as run_ensemble reduces the seeds it ran
// (the per-seed samples are stored under /seeds/series), so the merged means, errors and
// summaries equal those of one run over all the seeds, bit for bit. Throws ConfigError,
// naming the file, for a file that is not a complete ensemble file with per-seed samples,
// a model that differs in anything but run.seed, another error method, or a seed that
// is in two files.
struct MergedEnsemble {
  ModelConfig config;      // the first file's (its model text and resolved configuration)
  EnsembleResult result;
  std::string seeds_text;  // the files' --seeds, joined by " + "
};
MergedEnsemble merge_ensembles(const std::vector<std::string>& files);

// Everything above into a sink (an HDF5 file through RunWriter, or a MemoryRun): per-seed
// summaries under /seeds/, means under the runs' names, errors under <name>_error.
void write_ensemble(const EnsembleResult& result, const ModelConfig& config, SeriesSink& sink);

}  // namespace nnfield
