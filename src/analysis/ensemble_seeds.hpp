#pragma once
// One seed's share of an ensemble, and the reduction of every seed's share to the
// ensemble's means and errors. run_ensemble reduces the seeds it ran, merge_ensembles
// the seeds it read back from ensemble files: one reduction, so a merged file equals a
// single run over the same seeds.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nnfield/analysis/ensemble.hpp"

namespace nnfield {

// Appended to the description of each /seeds/series dataset (and removed when read back).
inline const char* const kSeedSeriesNote =
    " (one row per complete seed, /seeds/series/seed)";

// What the ensemble keeps of one seed's run.
struct SeedData {
  SeedSummary summary;
  std::vector<double> time, correlator_time;
  std::map<std::string, MemoryRun::Dataset> datasets;  // averaged ones, full (T, row...) arrays
};

// seeds[k] is the seed of data[k]; ran[k] = 0 marks a seed that never ran (interrupted).
// N is the network width (for the ensemble's xi_y). The result holds the summaries in
// the given order, the means and errors over the complete seeds, and those seeds' samples.
EnsembleResult reduce_seeds(std::vector<SeedData>& data, const std::vector<char>& ran,
                            const std::vector<std::uint64_t>& seeds, const ErrorOptions& errors, std::size_t N);

}  // namespace nnfield
