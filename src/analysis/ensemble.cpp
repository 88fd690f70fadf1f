// Ensembles (include/nnfield/analysis/ensemble.hpp): seeds on worker threads, each run in memory;
// what a run recorded is reduced to the datasets the ensemble averages as soon as the run
// ends, so memory holds one full run per thread, not one per seed.
#include "nnfield/analysis/ensemble.hpp"

#include "analysis/ensemble_seeds.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "nnfield/correlators/correlators.hpp"
#include "nnfield/numerics/parallel_for.hpp"
#include "nnfield/numerics/processes.hpp"

namespace nnfield {

std::vector<std::uint64_t> parse_seed_list(const std::string& text) {
  std::vector<std::uint64_t> seeds;
  const auto number = [&](const std::string& s) -> std::uint64_t {
    std::size_t used = 0;
    long long v = -1;
    try {
      v = std::stoll(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != s.size() || s.empty() || v < 0)
      throw std::invalid_argument("--seeds: expected a:b, a,b,c or a number (seeds >= 0), got '" + text + "'");
    return std::uint64_t(v);
  };
  const std::size_t colon = text.find(':');
  if (colon != std::string::npos) {
    const std::uint64_t a = number(text.substr(0, colon)), b = number(text.substr(colon + 1));
    if (b <= a) throw std::invalid_argument("--seeds " + text + ": empty range (a:b means a, a+1, ..., b-1)");
    if (b - a > kMaxSeeds)
      throw std::invalid_argument("--seeds " + text + ": " + std::to_string(b - a) + " seeds (at most " +
                                  std::to_string(kMaxSeeds) + ")");
    for (std::uint64_t s = a; s < b; ++s) seeds.push_back(s);
  } else {
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
      if (seeds.size() == kMaxSeeds)
        throw std::invalid_argument("--seeds: more than " + std::to_string(kMaxSeeds) + " seeds");
      seeds.push_back(number(item));
    }
  }
  if (seeds.empty()) throw std::invalid_argument("--seeds: no seeds in '" + text + "'");
  return seeds;
}

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Scalar time series under /trajectory and /energy, and every correlator.
bool averaged(const std::string& name, const MemoryRun::Dataset& d) {
  if (name.rfind("/correlators/", 0) == 0) return name != "/correlators/time";
  const bool scalar_series = d.shape.size() == 1;
  if (name.rfind("/energy/", 0) == 0) return scalar_series;
  if (name.rfind("/trajectory/", 0) == 0) return scalar_series && name != "/trajectory/time" && name != "/trajectory/step";
  return false;
}

double last_of(const MemoryRun& run, const std::string& name) {
  if (!run.has(name)) return kNaN;
  const auto& d = run.dataset(name);
  return d.data.empty() ? kNaN : d.data.back();
}

SeedData run_seed(const ModelConfig& base, std::uint64_t seed, const std::atomic<bool>* stop) {
  ModelConfig config = base;
  config.seed = seed;
  // The ensemble averages scalar series and correlators; of the trajectory it needs only
  // the loss and the neurons (for the per-seed xi_y), not W and b.
  config.output.trajectory = {TrajectoryDataset::loss, TrajectoryDataset::z};
  RunOptions options;
  options.progress = "off";
  options.stop = stop;
  const RunResult result = run_model(config, options);
  const MemoryRun& run = *result.memory;

  SeedData d;
  SeedSummary& s = d.summary;
  s.seed = seed;
  s.status = result.status;
  s.message = result.message;
  s.rows = result.rows;
  s.steps = result.steps;
  s.t_last = result.t_last;
  s.final_loss = result.final_loss;
  s.final_energy = result.final_energy.total();
  s.final_train_loss = last_of(run, "/trajectory/train_loss");
  if (run.has("/trajectory/z")) {
    const auto& z = run.dataset("/trajectory/z");
    const std::size_t M = std::size_t(config.network.shape.M), N = std::size_t(config.network.shape.N);
    if (z.shape.size() == 3 && z.shape[0] > 0) {
      const double* last = z.data.data() + (z.shape[0] - 1) * M * N;
      const WidthCorrelators wc = width_correlators(last, 1, M, N, MeanSubtraction::none);
      s.xi_y.resize(M);
      second_moment_xi(wc.Sk.data(), M, N, s.xi_y.data());
    }
  }
  if (run.has("/trajectory/time")) d.time = run.dataset("/trajectory/time").data;
  if (run.has("/correlators/time")) d.correlator_time = run.dataset("/correlators/time").data;
  for (const std::string& name : run.names()) {
    const auto& ds = run.dataset(name);
    if (averaged(name, ds)) d.datasets[name] = ds;
  }
  return d;
}

// A seed's data as bytes, and back: what a process sends process 0 (processes.hpp).
// Every number travels as its bits, so the means do not depend on who ran a seed.
std::string to_bytes(const SeedData& d) {
  ByteWriter w;
  const SeedSummary& s = d.summary;
  w.value(s.seed);
  w.value(s.status);
  w.text(s.message);
  w.value(s.rows);
  w.value(s.steps);
  for (double v : {s.t_last, s.final_loss, s.final_train_loss, s.final_energy}) w.value(v);
  w.values(s.xi_y);
  w.values(d.time);
  w.values(d.correlator_time);
  w.value(std::uint64_t(d.datasets.size()));
  for (const auto& [name, dataset] : d.datasets) {
    w.text(name);
    w.values(dataset.shape);
    w.values(dataset.data);
    w.text(dataset.index_order);
    w.text(dataset.description);
  }
  return w.take();
}

SeedData seed_from_bytes(const std::string& bytes) {
  ByteReader r(bytes);
  SeedData d;
  SeedSummary& s = d.summary;
  s.seed = r.value<std::uint64_t>();
  s.status = r.value<RunStatus>();
  s.message = r.text();
  s.rows = r.value<long>();
  s.steps = r.value<long>();
  for (double* v : {&s.t_last, &s.final_loss, &s.final_train_loss, &s.final_energy}) *v = r.value<double>();
  s.xi_y = r.values<double>();
  d.time = r.values<double>();
  d.correlator_time = r.values<double>();
  for (auto n = r.value<std::uint64_t>(); n > 0; --n) {
    const std::string name = r.text();
    MemoryRun::Dataset& dataset = d.datasets[name];
    dataset.shape = r.values<std::size_t>();
    dataset.data = r.values<double>();
    dataset.index_order = r.text();
    dataset.description = r.text();
  }
  return d;
}

// Every seed's run, on worker threads of every process (mpirun); ran[k] = 1 for the
// seeds that ran (all of them unless options.stop was set). On processes other than 0
// nothing is returned: process 0 holds every seed's data.
std::vector<SeedData> run_seeds(const ModelConfig& config, const EnsembleOptions& options,
                                const std::function<void(int done)>& progress, std::vector<char>& ran) {
  const std::size_t n_seeds = options.seeds.size();
  std::vector<SeedData> data(n_seeds);
  ran.assign(n_seeds, 0);
  ParallelHooks hooks;
  hooks.stop = options.stop;
  if (progress) hooks.done = [&progress](std::size_t done) { progress(int(done)); };
  distributed_for(
      n_seeds, resolve_thread_count(options.threads),
      [&](std::size_t k) { return to_bytes(run_seed(config, options.seeds[k], options.stop)); },
      [&](std::size_t k, std::string&& bytes) {
        data[k] = seed_from_bytes(bytes);
        ran[k] = 1;
      },
      hooks);
  return data;
}

}  // namespace

EnsembleResult run_ensemble(const ModelConfig& config, const EnsembleOptions& options,
                            const std::function<void(int done)>& progress) {
  if (options.seeds.empty()) throw std::invalid_argument("ensemble: no seeds");
  std::vector<char> ran;
  std::vector<SeedData> data = run_seeds(config, options, progress, ran);
  if (!processes::is_root()) return {};  // its seeds went to process 0
  return reduce_seeds(data, ran, options.seeds, options.errors, std::size_t(config.network.shape.N));
}

}  // namespace nnfield
