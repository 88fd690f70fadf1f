// Ensembles (include/nnfield/analysis/ensemble.hpp): seeds on worker threads, each run in memory;
// what a run recorded is reduced to the datasets the ensemble averages as soon as the run
// ends, so memory holds one full run per thread, not one per seed.
#include "nnfield/analysis/ensemble.hpp"

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

// What the ensemble keeps of one seed's run.
struct SeedData {
  SeedSummary summary;
  std::vector<double> time, correlator_time;
  std::map<std::string, MemoryRun::Dataset> datasets;  // averaged ones, full (T, row...) arrays
};

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

std::size_t row_size(const std::vector<std::size_t>& shape) {
  std::size_t n = 1;
  for (std::size_t k = 1; k < shape.size(); ++k) n *= shape[k];
  return n;
}

// (seeds, T * row) samples of one dataset over the included seeds, first T rows each.
std::vector<double> stack(const std::vector<SeedData>& data, const std::vector<std::size_t>& included,
                          const std::string& name, std::size_t values) {
  std::vector<double> samples;
  samples.reserve(included.size() * values);
  for (std::size_t i : included) {
    const auto& v = data[i].datasets.at(name).data;
    samples.insert(samples.end(), v.begin(), v.begin() + std::ptrdiff_t(values));
  }
  return samples;
}

// xi_y of the ensemble: the second-moment length of the seed-averaged structure factor with
// the ensemble mean of each layer removed at k = 0, S'(0) = <S(0)> - N <mean>^2 (the other
// modes carry no ensemble mean: no site is special across seeds). Errors by resampling seeds.
void add_ensemble_xi(const std::vector<SeedData>& data, const std::vector<std::size_t>& included, std::size_t T,
                     std::size_t N, const ErrorOptions& errors, EnsembleResult& out) {
  const MemoryRun::Dataset& S0 = data[included.front()].datasets.at("/correlators/structure");
  const MemoryRun::Dataset& L0 = data[included.front()].datasets.at("/correlators/layer_mean");
  const std::size_t nq = S0.shape.back(), rows = row_size(S0.shape) / nq;
  if (row_size(L0.shape) != rows || nq != N / 2 + 1) return;
  // Per seed, per (t, row): S(0), S(k_min), mean.
  const std::size_t p = T * rows * 3, n = included.size();
  std::vector<double> samples;
  samples.reserve(n * p);
  for (std::size_t i : included) {
    const auto& S = data[i].datasets.at("/correlators/structure").data;
    const auto& L = data[i].datasets.at("/correlators/layer_mean").data;
    for (std::size_t j = 0; j < T * rows; ++j) {
      samples.push_back(S[j * nq]);
      samples.push_back(S[j * nq + 1]);
      samples.push_back(L[j]);
    }
  }
  const auto xi = [N, T, rows](const std::vector<double>& m) {
    std::vector<double> xi_rows(T * rows);
    for (std::size_t j = 0; j < T * rows; ++j) {
      const double spectrum[2] = {m[3 * j] - double(N) * m[3 * j + 2] * m[3 * j + 2], m[3 * j + 1]};
      xi_rows[j] = second_moment_xi(spectrum, N);
    }
    return xi_rows;
  };
  const std::vector<Estimate> e = resampled(samples, n, p, xi, errors);
  EnsembleDataset d;
  d.name = "/correlators/xi_ensemble";
  d.shape = S0.shape;
  d.shape.front() = T;
  d.shape.pop_back();
  d.index_order = S0.index_order.substr(0, S0.index_order.rfind(','));
  d.description = "xi_y = sqrt(S'(0)/S(k_min) - 1)/(2 sin(pi/N)) of the seed-averaged structure factor, "
                  "S'(0) = <S(0)> - N <layer_mean>^2 (ensemble mean removed); error by resampling seeds";
  for (const Estimate& v : e) {
    d.mean.push_back(v.value);
    d.error.push_back(v.error);
  }
  out.datasets.push_back(std::move(d));
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

// Per-seed summaries in seed order; the complete runs are the ones averaged.
void summarise_seeds(std::vector<SeedData>& data, const std::vector<char>& ran, const EnsembleOptions& options,
                     EnsembleResult& out) {
  for (std::size_t k = 0; k < data.size(); ++k) {
    if (!ran[k]) {
      SeedSummary s;
      s.seed = options.seeds[k];
      s.status = RunStatus::interrupted;
      s.message = "not run (interrupted)";
      s.final_loss = s.final_energy = s.final_train_loss = kNaN;
      data[k].summary = s;
      out.interrupted = true;
    } else if (data[k].summary.status != RunStatus::complete) {
      out.notes.push_back("seed " + std::to_string(options.seeds[k]) + " excluded: " + data[k].summary.message);
      if (data[k].summary.status == RunStatus::interrupted) out.interrupted = true;
    }
    out.seeds.push_back(data[k].summary);
    if (ran[k] && data[k].summary.status == RunStatus::complete) out.included.push_back(k);
  }
}

// Rows common to every included seed (complete runs share the output times; a shorter
// one would mean different settings, so truncate and say so). Returns (T, Tc).
std::pair<std::size_t, std::size_t> common_rows(const std::vector<SeedData>& data, EnsembleResult& out) {
  const SeedData& first = data[out.included.front()];
  std::size_t T = first.time.size(), Tc = first.correlator_time.size();
  for (std::size_t i : out.included) {
    T = std::min(T, data[i].time.size());
    Tc = std::min(Tc, data[i].correlator_time.size());
  }
  for (std::size_t i : out.included)
    if (data[i].time.size() != T || data[i].correlator_time.size() != Tc)
      out.notes.push_back("runs differ in length; series truncated to the shortest (" + std::to_string(T) + " rows)");
  out.time.assign(first.time.begin(), first.time.begin() + std::ptrdiff_t(T));
  out.correlator_time.assign(first.correlator_time.begin(), first.correlator_time.begin() + std::ptrdiff_t(Tc));
  return {T, Tc};
}

// Means and errors over the included seeds of every dataset all of them have.
void average_datasets(const std::vector<SeedData>& data, std::size_t T, std::size_t Tc, const ErrorOptions& errors,
                      EnsembleResult& out) {
  const std::size_t n = out.included.size();
  for (const auto& [name, d0] : data[out.included.front()].datasets) {
    const bool correlator = name.rfind("/correlators/", 0) == 0;
    const std::size_t rows = correlator ? Tc : T;
    bool everywhere = true;
    for (std::size_t i : out.included) everywhere = everywhere && data[i].datasets.count(name) != 0;
    if (!everywhere || d0.shape.empty() || rows == 0) continue;
    const std::size_t values = rows * row_size(d0.shape);
    EnsembleDataset d;
    d.name = name;
    d.shape = d0.shape;
    d.shape.front() = rows;
    d.index_order = d0.index_order;
    d.units = d0.kind.units;
    d.description = d0.description + " (mean over " + std::to_string(n) + " seeds)";
    if (n >= 2) {
      column_means_and_errors(stack(data, out.included, name, values), n, values, errors, d.mean, d.error);
    } else {
      d.mean = stack(data, out.included, name, values);
      d.error.assign(values, kNaN);
    }
    out.datasets.push_back(std::move(d));
  }
}

}  // namespace

EnsembleResult run_ensemble(const ModelConfig& config, const EnsembleOptions& options,
                            const std::function<void(int done)>& progress) {
  if (options.seeds.empty()) throw std::invalid_argument("ensemble: no seeds");
  std::vector<char> ran;
  std::vector<SeedData> data = run_seeds(config, options, progress, ran);

  EnsembleResult out;
  if (!processes::is_root()) return out;  // its seeds went to process 0
  out.errors = options.errors;
  summarise_seeds(data, ran, options, out);
  if (out.included.empty()) return out;

  const auto [T, Tc] = common_rows(data, out);
  const std::size_t n = out.included.size();
  average_datasets(data, T, Tc, options.errors, out);
  const SeedData& first = data[out.included.front()];
  const bool have_structure = first.datasets.count("/correlators/structure") && first.datasets.count("/correlators/layer_mean");
  if (have_structure && n >= 2 && Tc > 0)
    add_ensemble_xi(data, out.included, Tc, std::size_t(config.network.shape.N), options.errors, out);
  if (n < 2) out.notes.push_back("fewer than 2 complete seeds: no errors");
  return out;
}

}  // namespace nnfield
