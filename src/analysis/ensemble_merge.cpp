// Ensembles run as separate jobs, combined (include/nnfield/analysis/ensemble.hpp,
// merge_ensembles): every file's seeds are read back into the per-seed data a run would
// have produced (summaries from /seeds, samples from /seeds/series) and reduced by the one
// reduction run_ensemble uses, so the merged file equals one run over all the seeds.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "analysis/ensemble_seeds.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/io/h5io_catalog.hpp"

namespace nnfield {

namespace {

[[noreturn]] void refuse(const std::string& file, const std::string& why) {
  throw ConfigError(file + ": cannot merge: " + why);
}

const H5AttributeValue* attribute(const H5Catalog& catalog, const std::string& name) {
  for (const H5AttributeValue& a : catalog.root_attributes)
    if (a.name == name) return &a;
  return nullptr;
}

std::string text_attribute(const H5Catalog& catalog, const std::string& file, const std::string& name) {
  const H5AttributeValue* a = attribute(catalog, name);
  if (!a || a->kind != H5AttributeValue::Kind::text) refuse(file, "no root attribute '" + name + "'");
  return a->text;
}

// A numeric root attribute as text ("" when absent): equal texts, equal settings.
std::string number_attribute(const H5Catalog& catalog, const std::string& name) {
  const H5AttributeValue* a = attribute(catalog, name);
  if (!a) return "";
  if (!a->integers.empty()) return std::to_string(a->integers.front());
  if (!a->unsigneds.empty()) return std::to_string(a->unsigneds.front());
  return a->reals.empty() ? a->text : std::to_string(a->reals.front());
}

// The root attributes that say how errors were estimated.
const char* const kErrorSettings[] = {"error_method", "bootstrap_resamples", "bootstrap_seed"};

// One ensemble file, read back.
struct EnsembleFile {
  std::string path, seeds_text, resolved_config, model_text, model_path;
  std::map<std::string, std::string> settings;  // error method and bootstrap settings
  std::vector<std::uint64_t> seeds;
  std::vector<SeedData> data;
};

RunStatus status_from_code(const std::string& file, long long code) {
  switch (code) {
    case 0: return RunStatus::complete;
    case 1: return RunStatus::interrupted;
    case 2: return RunStatus::blew_up;
  }
  refuse(file, "/seeds/status holds " + std::to_string(code) + " (expected 0, 1 or 2)");
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
      refuse(file, "root attribute 'seed_messages' does not list seed " + std::to_string(seed));
    messages.push_back(line.substr(prefix.size()));
  }
  return messages;
}

// The summaries of every seed, from /seeds.
void read_summaries(EnsembleFile& f, const H5Catalog& catalog) {
  for (long long s : h5_read_int(f.path, "/seeds/seed")) f.seeds.push_back(std::uint64_t(s));
  const std::size_t S = f.seeds.size();
  const std::vector<long long> status = h5_read_int(f.path, "/seeds/status"), steps = h5_read_int(f.path, "/seeds/steps");
  const Array loss = h5_read(f.path, "/seeds/final_loss"), train = h5_read(f.path, "/seeds/final_train_loss"),
              energy = h5_read(f.path, "/seeds/final_energy"), t_last = h5_read(f.path, "/seeds/t_last"),
              xi = h5_read(f.path, "/seeds/xi_y");
  if (status.size() != S || steps.size() != S || loss.size() != S || train.size() != S || energy.size() != S ||
      t_last.size() != S || xi.shape.size() != 2 || xi.shape[0] != S)
    refuse(f.path, "the datasets under /seeds do not all have one entry per seed");
  const std::vector<std::string> messages = seed_messages(f.path, text_attribute(catalog, f.path, "seed_messages"), f.seeds);
  const std::size_t M = xi.shape[1];
  f.data.resize(S);
  for (std::size_t k = 0; k < S; ++k) {
    SeedSummary& s = f.data[k].summary;
    s.seed = f.seeds[k];
    s.status = status_from_code(f.path, status[k]);
    if (s.status == RunStatus::interrupted) refuse(f.path, "seed " + std::to_string(s.seed) + " was interrupted; run it again");
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
void read_series(EnsembleFile& f, const H5Catalog& catalog) {
  std::vector<std::size_t> complete;
  for (std::size_t k = 0; k < f.data.size(); ++k)
    if (f.data[k].summary.status == RunStatus::complete) complete.push_back(k);
  const std::string prefix = "/seeds/series";
  bool any = false;
  for (const H5DatasetInfo& info : catalog.datasets) {
    if (info.name.rfind(prefix + "/", 0) != 0) continue;
    if (info.name == prefix + "/seed") {  // the group's coordinates
      const std::vector<long long> seeds = h5_read_int(f.path, info.name);
      for (std::size_t j = 0; j < seeds.size() && j < complete.size(); ++j)
        if (std::uint64_t(seeds[j]) != f.seeds[complete[j]]) refuse(f.path, info.name + " does not list the complete seeds");
      continue;
    }
    if (info.name == prefix + "/correlators/time") continue;
    any = true;
    const std::string name = info.name.substr(prefix.size());
    const Array a = h5_read(f.path, info.name);
    if (a.shape.size() < 2 || a.shape[0] != complete.size())
      refuse(f.path, info.name + " does not have one row per complete seed");
    MemoryRun::Dataset d;
    d.shape.assign(a.shape.begin() + 1, a.shape.end());
    d.index_order = info.index_order.rfind("seed,", 0) == 0 ? info.index_order.substr(5) : info.index_order;
    d.description = info.description;
    const std::size_t note = d.description.rfind(kSeedSeriesNote);
    if (note != std::string::npos) d.description.erase(note);
    d.kind.units = h5_read_string_attribute(f.path, info.name, "units");
    const std::size_t values = a.size() / complete.size();
    for (std::size_t j = 0; j < complete.size(); ++j) {
      d.data.assign(a.data.begin() + std::ptrdiff_t(j * values), a.data.begin() + std::ptrdiff_t((j + 1) * values));
      f.data[complete[j]].datasets[name] = d;
    }
  }
  if (!complete.empty() && !any)
    refuse(f.path, "it has no per-seed samples (/seeds/series): it was written by an nnfield older than merge; "
                   "run its seeds again");
  std::vector<double> time, correlator_time;
  if (h5_has(f.path, "/trajectory/time")) time = h5_read(f.path, "/trajectory/time").data;
  if (h5_has(f.path, "/correlators/time")) correlator_time = h5_read(f.path, "/correlators/time").data;
  for (std::size_t k : complete) {
    f.data[k].time = time;
    f.data[k].correlator_time = correlator_time;
  }
}

EnsembleFile read_ensemble_file(const std::string& path) {
  EnsembleFile f;
  f.path = path;
  try {
    const H5Catalog catalog = h5_catalog(path);
    const H5AttributeValue* kind = attribute(catalog, "kind");
    if (!kind || kind->text != "ensemble") refuse(path, "not an nnfield ensemble file (root attribute kind)");
    const std::string status = text_attribute(catalog, path, "status");
    if (status != "complete") refuse(path, "the ensemble's status is '" + status + "', not complete; run it again");
    f.seeds_text = text_attribute(catalog, path, "seeds");
    f.resolved_config = text_attribute(catalog, path, "resolved_config");
    f.model_text = text_attribute(catalog, path, "model_text");
    f.model_path = text_attribute(catalog, path, "model_path");
    for (const char* name : kErrorSettings) f.settings[name] = number_attribute(catalog, name);
    read_summaries(f, catalog);
    read_series(f, catalog);
  } catch (const H5Error& e) {
    refuse(path, e.what());
  }
  return f;
}

// Files may differ in run.seed only (the master seeds come from --seeds), and must
// estimate errors the same way.
void check_same_ensemble(const EnsembleFile& first, const EnsembleFile& f) {
  auto a = resolved_key_values(first.resolved_config), b = resolved_key_values(f.resolved_config);
  a.erase("run.seed");
  b.erase("run.seed");
  for (const auto& [key, value] : a) {
    const auto it = b.find(key);
    if (it == b.end() || it->second != value)
      refuse(f.path, "its model differs from " + first.path + "'s in '" + key + "' (only run.seed may differ)");
  }
  for (const auto& [key, value] : b)
    if (!a.count(key)) refuse(f.path, "its model differs from " + first.path + "'s in '" + key + "' (only run.seed may differ)");
  for (const char* name : kErrorSettings) {
    const std::string &mine = f.settings.at(name), &theirs = first.settings.at(name);
    if (mine != theirs)
      refuse(f.path, "its " + std::string(name) + " (" + (mine.empty() ? "none" : mine) + ") differs from " +
                         first.path + "'s (" + (theirs.empty() ? "none" : theirs) +
                         "); errors are estimated one way in a merged file");
  }
}

}  // namespace

MergedEnsemble merge_ensembles(const std::vector<std::string>& files) {
  if (files.size() < 2) throw ConfigError("merge: give at least two ensemble files");
  std::vector<SeedData> data;
  std::vector<std::uint64_t> seeds;
  std::map<std::uint64_t, std::string> seen;
  MergedEnsemble merged;
  EnsembleFile first;
  for (std::size_t i = 0; i < files.size(); ++i) {
    EnsembleFile f = read_ensemble_file(files[i]);
    if (i == 0) {
      merged.config = load_model_string(f.resolved_config, f.model_path);
      merged.config.source_text = f.model_text;
      merged.seeds_text = f.seeds_text;
    } else {
      check_same_ensemble(first, f);
      merged.seeds_text += " + " + f.seeds_text;
    }
    for (std::size_t k = 0; k < f.seeds.size(); ++k) {
      const auto [at, fresh] = seen.emplace(f.seeds[k], f.path);
      if (!fresh) refuse(f.path, "seed " + std::to_string(f.seeds[k]) + " is also in " + at->second);
      seeds.push_back(f.seeds[k]);
      data.push_back(std::move(f.data[k]));
    }
    if (i == 0) {
      f.data.clear();
      first = std::move(f);
    }
  }
  ErrorOptions errors;
  errors.method = error_method_from_name(first.settings.at("error_method"));
  if (errors.method == ErrorMethod::bootstrap) {
    errors.resamples = std::stoi(first.settings.at("bootstrap_resamples"));
    errors.seed = std::stoull(first.settings.at("bootstrap_seed"));
  }
  const std::vector<char> ran(data.size(), 1);
  merged.result = reduce_seeds(data, ran, seeds, errors, std::size_t(merged.config.network.shape.N));
  return merged;
}

}  // namespace nnfield
