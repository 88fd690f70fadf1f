// Propagation scans run as separate jobs, combined (include/nnfield/analysis/propagation.hpp,
// merge_propagations): the per-network sums of every file (/samples/sums) are placed on one
// (sigma_w, network) table and analysed by analyse_scan, the analysis propagate() runs.
#include <algorithm>
#include <cstring>
#include <map>

#include "analysis/merge_inputs.hpp"
#include "analysis/propagation_analysis.hpp"
#include "nnfield/analysis/propagation.hpp"
#include "nnfield/io/h5io.hpp"

namespace nnfield {

namespace {

using detail::refuse_merge;

// Root attributes every job of one scan shares: the inputs, the fits, the seed.
const char* const kScanSettings[] = {"propagate_seed", "sigma_b", "q0", "c0", "pairs", "c_star_requested",
                                     "jackknife_blocks_requested", "linear_cut", "noise_factor", "q_tolerance"};

// One file's sums: sums[s] is (networks, M * 6) at sigma_w[s].
struct ScanFile {
  detail::MergeInput input;
  std::size_t row = 0;  // M * 6
  std::vector<double> sigma_w;
  std::vector<long long> networks;
  std::vector<std::vector<double>> sums;
};

ScanFile read_scan_file(const std::string& path) {
  ScanFile f;
  f.input = detail::open_merge_input(path, "propagation", "propagation scan");
  if (!h5_has(path, "/samples/sums") || f.input.number("jackknife_blocks_requested").empty())
    refuse_merge(path, "it has no per-network sums (/samples): it was written by an nnfield older than merge; "
                       "run it again");
  try {
    f.sigma_w = h5_read(path, "/sigma_w").data;
    f.networks = h5_read_int(path, "/samples/network");
    const Array sums = h5_read(path, "/samples/sums");
    const std::size_t n = f.networks.size();
    if (sums.shape.size() != 4 || sums.shape[0] != f.sigma_w.size() || sums.shape[1] != n ||
        sums.shape[3] != std::size_t(detail::kPropagationSums))
      refuse_merge(path, "/samples/sums does not have the shape (sigma_w, network, M, 6)");
    f.row = sums.shape[2] * sums.shape[3];
    const std::size_t row = f.row;
    for (std::size_t s = 0; s < f.sigma_w.size(); ++s)
      f.sums.emplace_back(sums.data.begin() + std::ptrdiff_t(s * n * row),
                          sums.data.begin() + std::ptrdiff_t((s + 1) * n * row));
  } catch (const H5Error& e) {
    refuse_merge(path, e.what());
  }
  return f;
}

// sigma_w values compared by their bits: a point is the same point only if it is the same double.
std::uint64_t bits(double v) {
  std::uint64_t b = 0;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

// The (sigma_w, network) table of all files: points in the order they first appear,
// networks in index order; every cell exactly once, the networks one contiguous range.
struct ScanTable {
  std::vector<double> sigma_w;
  std::map<std::uint64_t, std::size_t> point_of;                         // bits(sigma_w) -> point
  std::vector<std::map<long long, const double*>> cells;                 // per point: network -> its sums
  std::vector<std::map<long long, std::string>> owner;                   // per point: network -> file

  void add(const ScanFile& f, std::size_t row) {
    for (std::size_t s = 0; s < f.sigma_w.size(); ++s) {
      const auto [at, fresh] = point_of.emplace(bits(f.sigma_w[s]), sigma_w.size());
      if (fresh) {
        sigma_w.push_back(f.sigma_w[s]);
        cells.emplace_back();
        owner.emplace_back();
      }
      const std::size_t p = at->second;
      for (std::size_t k = 0; k < f.networks.size(); ++k) {
        const auto [o, added] = owner[p].emplace(f.networks[k], f.input.path);
        if (!added)
          refuse_merge(f.input.path, "network " + std::to_string(f.networks[k]) + " at sigma_w = " +
                                         std::to_string(f.sigma_w[s]) + " is also in " + o->second);
        cells[p][f.networks[k]] = f.sums[s].data() + k * row;
      }
    }
  }

  // samples[s]: (networks, row) in network order; first network and count by reference.
  std::vector<std::vector<double>> samples(std::size_t row, long long& first, int& networks) const {
    const auto& all = cells.front();
    first = all.begin()->first;
    const long long last = all.rbegin()->first;
    if (last - first + 1 != (long long)all.size())
      refuse_merge(owner.front().begin()->second, "the networks do not form one range (" + std::to_string(first) +
                                                      ".." + std::to_string(last) + " has gaps)");
    std::vector<std::vector<double>> out;
    for (std::size_t p = 0; p < cells.size(); ++p) {
      if (cells[p].size() != all.size() || cells[p].begin()->first != first)
        refuse_merge(owner[p].begin()->second, "sigma_w = " + std::to_string(sigma_w[p]) + " has " +
                                                   std::to_string(cells[p].size()) + " networks, sigma_w = " +
                                                   std::to_string(sigma_w.front()) + " has " +
                                                   std::to_string(all.size()) +
                                                   ": every sigma_w needs every network");
      std::vector<double> point;
      for (const auto& [network, sums] : cells[p]) point.insert(point.end(), sums, sums + row);
      out.push_back(std::move(point));
    }
    networks = int(all.size());
    return out;
  }
};

PropagationOptions scan_options(const detail::MergeInput& in) {
  PropagationOptions o;
  o.q0 = std::stod(in.number("q0"));
  o.c0 = std::stod(in.number("c0"));
  o.pairs = std::stoi(in.number("pairs"));
  o.seed = std::stoull(in.number("propagate_seed"));
  o.jackknife_blocks = std::stoi(in.number("jackknife_blocks_requested"));
  o.fixed_point = fixed_point_method_from_name(in.text("c_star_requested"));
  o.linear_cut = std::stod(in.number("linear_cut"));
  o.noise_factor = std::stod(in.number("noise_factor"));
  o.q_tolerance = std::stod(in.number("q_tolerance"));
  return o;
}

}  // namespace

MergedPropagation merge_propagations(const std::vector<std::string>& files) {
  if (files.size() < 2) throw ConfigError("merge: give at least two files");
  MergedPropagation merged;
  std::vector<ScanFile> scans;
  ScanTable table;
  for (const std::string& path : files) {
    ScanFile f = read_scan_file(path);
    if (scans.empty()) {
      merged.config = f.input.config();
    } else {
      detail::check_same_model(scans.front().input, f.input);
      for (const char* name : kScanSettings)
        detail::check_same_setting(scans.front().input, f.input, name,
                                   "jobs of one scan share every setting but --networks, --first-network and --sigma-w");
    }
    if (f.row != std::size_t(merged.config.network.shape.M) * detail::kPropagationSums)
      refuse_merge(path, "/samples/sums does not have the model's network.M layers");
    scans.push_back(std::move(f));
  }
  const std::size_t row = std::size_t(merged.config.network.shape.M) * detail::kPropagationSums;
  for (const ScanFile& f : scans) table.add(f, row);
  PropagationOptions o = scan_options(scans.front().input);
  std::vector<std::vector<double>> samples = table.samples(row, o.first_network, o.networks);
  merged.record.c_star_requested = scans.front().input.text("c_star_requested");
  merged.scan = analyse_scan(merged.config.network.shape, merged.config.network.activation, table.sigma_w,
                             std::stod(scans.front().input.number("sigma_b")), o, std::move(samples));
  return merged;
}

}  // namespace nnfield
