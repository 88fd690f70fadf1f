// The reduction of an ensemble's seeds (ensemble_seeds.hpp): summaries in seed order,
// means and errors of every dataset all complete seeds recorded, the ensemble's xi_y.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "analysis/ensemble_seeds.hpp"
#include "nnfield/correlators/correlators.hpp"

namespace nnfield {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

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

// Per-seed summaries in seed order; the complete runs are the ones averaged.
void summarise_seeds(std::vector<SeedData>& data, const std::vector<char>& ran, const std::vector<std::uint64_t>& seeds,
                     EnsembleResult& out) {
  for (std::size_t k = 0; k < data.size(); ++k) {
    if (!ran[k]) {
      SeedSummary s;
      s.seed = seeds[k];
      s.status = RunStatus::interrupted;
      s.message = "not run (interrupted)";
      s.final_loss = s.final_energy = s.final_train_loss = kNaN;
      data[k].summary = s;
      out.interrupted = true;
    } else if (data[k].summary.status != RunStatus::complete) {
      out.notes.push_back("seed " + std::to_string(seeds[k]) + " excluded: " + data[k].summary.message);
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
    EnsembleSeedSeries samples{name, d.shape, "seed," + d0.index_order, d0.description, d.units,
                               stack(data, out.included, name, values)};
    samples.shape.insert(samples.shape.begin(), n);
    if (n >= 2) {
      column_means_and_errors(samples.data, n, values, errors, d.mean, d.error);
    } else {
      d.mean = samples.data;
      d.error.assign(values, kNaN);
    }
    out.datasets.push_back(std::move(d));
    out.seed_series.push_back(std::move(samples));
  }
}

}  // namespace

EnsembleResult reduce_seeds(std::vector<SeedData>& data, const std::vector<char>& ran,
                            const std::vector<std::uint64_t>& seeds, const ErrorOptions& errors, std::size_t N) {
  EnsembleResult out;
  out.errors = errors;
  summarise_seeds(data, ran, seeds, out);
  if (out.included.empty()) return out;

  const auto [T, Tc] = common_rows(data, out);
  const std::size_t n = out.included.size();
  average_datasets(data, T, Tc, errors, out);
  const SeedData& first = data[out.included.front()];
  const bool have_structure = first.datasets.count("/correlators/structure") && first.datasets.count("/correlators/layer_mean");
  if (have_structure && n >= 2 && Tc > 0) add_ensemble_xi(data, out.included, Tc, N, errors, out);
  if (n < 2) out.notes.push_back("fewer than 2 complete seeds: no errors");
  return out;
}

}  // namespace nnfield
