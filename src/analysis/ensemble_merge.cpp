// Ensembles run as separate jobs, combined (include/nnfield/analysis/ensemble.hpp,
// merge_ensembles): every file's seeds are read back into the per-seed data a run would
// have produced (summaries from /seeds, samples from /seeds/series) and reduced by the one
// reduction run_ensemble uses, so the merged file equals one run over all the seeds.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "analysis/ensemble_seeds.hpp"
#include "analysis/merge_inputs.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/io/h5io_catalog.hpp"

namespace nnfield {

namespace {

[[noreturn]] void refuse(const std::string& file, const std::string& why) { detail::refuse_merge(file, why); }

// The root attributes that say how errors were estimated.
const char* const kErrorSettings[] = {"error_method", "bootstrap_resamples", "bootstrap_seed"};

// One ensemble file, read back.
struct EnsembleFile {
  detail::MergeInput input;
  std::vector<std::uint64_t> seeds;
  std::vector<SeedData> data;
};

RunStatus status_from_code(const std::string& file, long long code) {
  switch (code) {
    case 0: return RunStatus::complete;
    case 1: return RunStatus::interrupted;
    case 2: return RunStatus::blew_up;
  }
  detail::refuse_merge(file, "/seeds/status holds " + std::to_string(code) + " (expected 0, 1 or 2)");
}

// "seed: message" lines of the seed_messages attribute, one per seed.
std::vector<std::string> seed_messages(const std::string& file, const std::string& text,
                                       const std::vector<std::uint64_t>& seeds) {
  std::vector<std::string> messages;
  std::istringstream in(text);
  std::string line;
  for (std::uint64_t seed : seeds) {
    const std::string prefix = std::to_string(seed) + ": ";
    if (!std::getline(in, line) || line.rfind(prefix, 0) != 0)
      detail::refuse_merge(file, "root attribute 'seed_messages' does not list seed " + std::to_string(seed));
    messages.push_back(line.substr(prefix.size()));
  }
  return messages;
}

// The summaries of every seed, from /seeds.
void read_summaries(EnsembleFile& f) {
  for (long long s : h5_read_int(f.input.path, "/seeds/seed")) f.seeds.push_back(std::uint64_t(s));
  const std::size_t S = f.seeds.size();
  const std::vector<long long> status = h5_read_int(f.input.path, "/seeds/status"), steps = h5_read_int(f.input.path, "/seeds/steps");
  const Array loss = h5_read(f.input.path, "/seeds/final_loss"), train = h5_read(f.input.path, "/seeds/final_train_loss"),
              energy = h5_read(f.input.path, "/seeds/final_energy"), t_last = h5_read(f.input.path, "/seeds/t_last"),
              xi = h5_read(f.input.path, "/seeds/xi_y");
  if (status.size() != S || steps.size() != S || loss.size() != S || train.size() != S || energy.size() != S ||
      t_last.size() != S || xi.shape.size() != 2 || xi.shape[0] != S)
    refuse(f.input.path, "the datasets under /seeds do not all have one entry per seed");
  const std::vector<std::string> messages = seed_messages(f.input.path, f.input.text("seed_messages"), f.seeds);
  const std::size_t M = xi.shape[1];
  f.data.resize(S);
  for (std::size_t k = 0; k < S; ++k) {
    SeedSummary& s = f.data[k].summary;
    s.seed = f.seeds[k];
    s.status = status_from_code(f.input.path, status[k]);
    if (s.status == RunStatus::interrupted) refuse(f.input.path, "seed " + std::to_string(s.seed) + " was interrupted; run it again");
    s.message = messages[k];
    s.steps = long(steps[k]);
    s.final_loss = loss.data[k];
    s.final_train_loss = train.data[k];
    s.final_energy = energy.data[k];
    s.t_last = t_last.data[k];
    s.xi_y.assign(xi.data.begin() + std::ptrdiff_t(k * M), xi.data.begin() + std::ptrdiff_t((k + 1) * M));
  }
}

// The samples of the complete seeds, from /seeds/series: row j of each belongs to the
// j-th seed whose status is complete.
void read_series(EnsembleFile& f) {
  std::vector<std::size_t> complete;
  for (std::size_t k = 0; k < f.data.size(); ++k)
    if (f.data[k].summary.status == RunStatus::complete) complete.push_back(k);
  const std::string prefix = "/seeds/series";
  bool any = false;
  for (const H5DatasetInfo& info : f.input.catalog.datasets) {
    if (info.name.rfind(prefix + "/", 0) != 0) continue;
    if (info.name == prefix + "/seed") {  // the group's coordinates
      const std::vector<long long> seeds = h5_read_int(f.input.path, info.name);
      for (std::size_t j = 0; j < seeds.size() && j < complete.size(); ++j)
        if (std::uint64_t(seeds[j]) != f.seeds[complete[j]]) refuse(f.input.path, info.name + " does not list the complete seeds");
      continue;
    }
    if (info.name == prefix + "/correlators/time") continue;
    any = true;
    const std::string name = info.name.substr(prefix.size());
    const Array a = h5_read(f.input.path, info.name);
    if (a.shape.size() < 2 || a.shape[0] != complete.size())
      refuse(f.input.path, info.name + " does not have one row per complete seed");
    MemoryRun::Dataset d;
    d.shape.assign(a.shape.begin() + 1, a.shape.end());
    d.index_order = info.index_order.rfind("seed,", 0) == 0 ? info.index_order.substr(5) : info.index_order;
    d.description = info.description;
    const std::size_t note = d.description.rfind(kSeedSeriesNote);
    if (note != std::string::npos) d.description.erase(note);
    d.kind.units = h5_read_string_attribute(f.input.path, info.name, "units");
    const std::size_t values = a.size() / complete.size();
    for (std::size_t j = 0; j < complete.size(); ++j) {
      d.data.assign(a.data.begin() + std::ptrdiff_t(j * values), a.data.begin() + std::ptrdiff_t((j + 1) * values));
      f.data[complete[j]].datasets[name] = d;
    }
  }
  if (!complete.empty() && !any)
    refuse(f.input.path, "it has no per-seed samples (/seeds/series): it was written by an nnfield older than merge; "
                   "run its seeds again");
  std::vector<double> time, correlator_time;
  if (h5_has(f.input.path, "/trajectory/time")) time = h5_read(f.input.path, "/trajectory/time").data;
  if (h5_has(f.input.path, "/correlators/time")) correlator_time = h5_read(f.input.path, "/correlators/time").data;
  for (std::size_t k : complete) {
    f.data[k].time = time;
    f.data[k].correlator_time = correlator_time;
  }
}

EnsembleFile read_ensemble_file(const std::string& path) {
  EnsembleFile f;
  f.input = detail::open_merge_input(path, "ensemble", "ensemble");
  try {
    read_summaries(f);
    read_series(f);
  } catch (const H5Error& e) {
    refuse(path, e.what());
  }
  return f;
}

// Files may differ in run.seed only (the master seeds come from --seeds), and must
// estimate errors the same way.
void check_same_ensemble(const EnsembleFile& first, const EnsembleFile& f) {
  detail::check_same_model(first.input, f.input);
  for (const char* name : kErrorSettings)
    detail::check_same_setting(first.input, f.input, name, "errors are estimated one way in a merged file");
}

}  // namespace

MergedEnsemble merge_ensembles(const std::vector<std::string>& files) {
  if (files.size() < 2) throw ConfigError("merge: give at least two files");
  std::vector<SeedData> data;
  std::vector<std::uint64_t> seeds;
  std::map<std::uint64_t, std::string> seen;
  MergedEnsemble merged;
  EnsembleFile first;
  for (std::size_t i = 0; i < files.size(); ++i) {
    EnsembleFile f = read_ensemble_file(files[i]);
    if (i > 0) check_same_ensemble(first, f);
    merged.seeds_text += (i > 0 ? " + " : "") + f.input.text("seeds");
    for (std::size_t k = 0; k < f.seeds.size(); ++k) {
      const auto [at, fresh] = seen.emplace(f.seeds[k], f.input.path);
      if (!fresh) refuse(f.input.path, "seed " + std::to_string(f.seeds[k]) + " is also in " + at->second);
      seeds.push_back(f.seeds[k]);
      data.push_back(std::move(f.data[k]));
    }
    if (i == 0) {
      f.data.clear();
      first = std::move(f);
    }
  }
  merged.config = first.input.config();
  ErrorOptions errors;
  errors.method = error_method_from_name(first.input.text("error_method"));
  if (errors.method == ErrorMethod::bootstrap) {
    errors.resamples = std::stoi(first.input.number("bootstrap_resamples"));
    errors.seed = std::stoull(first.input.number("bootstrap_seed"));
  }
  const std::vector<char> ran(data.size(), 1);
  merged.result = reduce_seeds(data, ran, seeds, errors, std::size_t(merged.config.network.shape.N));
  return merged;
}

}  // namespace nnfield
