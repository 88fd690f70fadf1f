// The ensemble file layout (docs/long-range-order.md, "Ensembles"): per-seed summaries
// under /seeds, ensemble means under the names the runs use, errors beside them.
#include <cmath>
#include <limits>
#include <string>

#include "nnfield/analysis/ensemble.hpp"

#include "analysis/ensemble_seeds.hpp"

namespace nnfield {

namespace {

double status_code(RunStatus s) {
  switch (s) {
    case RunStatus::complete: return 0;
    case RunStatus::interrupted: return 1;
    case RunStatus::blew_up: return 2;
  }
  return -1;
}

template <class F>
void per_seed(SeriesSink& sink, const EnsembleResult& r, const std::string& name, F&& get,
              const std::string& description, const DatasetValues& kind = {}) {
  std::vector<double> v;
  for (const SeedSummary& s : r.seeds) v.push_back(get(s));
  sink.write_array(name, {v.size()}, v.data(), "seed", description, kind);
}

// The samples of the means: /seeds/series/<the run's name>, one row per complete seed. The
// group's own coordinates come first (netCDF scoping: a dataset named after its dimension
// is that dimension for its group and below): the complete seeds, and the correlators' times.
void write_seed_series(const EnsembleResult& r, SeriesSink& sink) {
  if (r.seed_series.empty()) return;
  std::vector<double> complete;
  for (std::size_t k : r.included) complete.push_back(double(r.seeds[k].seed));
  sink.write_array("/seeds/series/seed", {complete.size()}, complete.data(), "seed",
                   "the complete seeds: the rows of every dataset under /seeds/series", integer_values());
  if (!r.correlator_time.empty())
    sink.write_array("/seeds/series/correlators/time", {r.correlator_time.size()}, r.correlator_time.data(), "T",
                     "times of the correlator rows", time_values());
  // Stored uncompressed: deflate shrinks these float64 series by about 14% and took about
  // 7% of a one-thread ensemble's time, all on process 0 after the seeds (docs/cluster.md).
  for (const EnsembleSeedSeries& s : r.seed_series)
    sink.write_array("/seeds/series" + s.name, s.shape, s.data.data(), s.index_order,
                     s.description + kSeedSeriesNote, DatasetValues{s.units, false, false});
}

}  // namespace

void write_ensemble(const EnsembleResult& r, const ModelConfig& config, SeriesSink& sink) {
  const NetworkShape& shape = config.network.shape;
  sink.set_root_attribute("kind", "ensemble");
  set_shape_attributes(sink, shape);
  set_spacing_attributes(sink, shape, config.network.Lx, config.network.Ly);
  sink.set_root_attribute("activation", activation_name(config.network.activation));
  sink.set_root_attribute("dynamics", name(config.dynamics.kind));
  sink.set_root_integer("seeds_run", std::int64_t(r.seeds.size()));
  sink.set_root_integer("seeds_averaged", std::int64_t(r.included.size()));
  sink.set_root_attribute("error_method", error_method_name(r.errors.method));
  if (r.errors.method == ErrorMethod::bootstrap) {
    sink.set_root_integer("bootstrap_resamples", std::int64_t(r.errors.resamples));
    sink.set_root_unsigned("bootstrap_seed", r.errors.seed);
  }
  std::string notes;
  for (const std::string& n : r.notes) notes += n + "\n";
  sink.set_root_attribute("notes", notes);

  per_seed(sink, r, "/seeds/seed", [](const SeedSummary& s) { return double(s.seed); },
           "master seed of each realisation (initialisation, data, data order)", integer_values());
  per_seed(sink, r, "/seeds/status", [](const SeedSummary& s) { return status_code(s.status); },
           "0 complete (averaged), 1 interrupted, 2 blew up (both excluded from the means)", integer_values());
  per_seed(sink, r, "/seeds/final_loss", [](const SeedSummary& s) { return s.final_loss; },
           "loss of the presented data at the last output row");
  per_seed(sink, r, "/seeds/final_train_loss", [](const SeedSummary& s) { return s.final_train_loss; },
           "training-set loss at the last output row");
  per_seed(sink, r, "/seeds/final_energy", [](const SeedSummary& s) { return s.final_energy; },
           "total energy at the last output row");
  per_seed(sink, r, "/seeds/t_last", [](const SeedSummary& s) { return s.t_last; }, "time of the last output row",
           time_values());
  per_seed(sink, r, "/seeds/steps", [](const SeedSummary& s) { return double(s.steps); }, "integrator or SGD steps",
           integer_values());
  std::string messages;
  for (const SeedSummary& s : r.seeds) messages += std::to_string(s.seed) + ": " + s.message + "\n";
  sink.set_root_attribute("seed_messages", messages);

  const std::size_t M = std::size_t(shape.M);
  std::vector<double> xi;
  for (const SeedSummary& s : r.seeds)
    for (std::size_t m = 0; m < M; ++m)
      xi.push_back(m < s.xi_y.size() ? s.xi_y[m] : std::numeric_limits<double>::quiet_NaN());
  sink.write_array("/seeds/xi_y", {r.seeds.size(), M}, xi.data(), "seed,M",
                   "second-moment width correlation length of the final-time neurons z^(m) per layer "
                   "(full structure factor of one configuration; NaN where undefined)");

  if (!r.time.empty())
    sink.write_array("/trajectory/time", {r.time.size()}, r.time.data(), "T", "output times (same for every seed)",
                     time_values());
  if (!r.correlator_time.empty())
    sink.write_array("/correlators/time", {r.correlator_time.size()}, r.correlator_time.data(), "T",
                     "times of the correlator rows", time_values());
  write_seed_series(r, sink);
  for (const EnsembleDataset& d : r.datasets) {
    sink.write_array(d.name, d.shape, d.mean.data(), d.index_order, d.description, DatasetValues{d.units});
    sink.write_array(d.name + "_error", d.shape, d.error.data(), d.index_order,
                     error_method_name(r.errors.method) + " error of the ensemble mean " + d.name, DatasetValues{d.units});
  }
}

}  // namespace nnfield
