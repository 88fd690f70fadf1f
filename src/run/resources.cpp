// Resource estimates of a run (include/nnfield/run/resources.hpp). Each part is counted
// with the keys that drive it, so a refusal can say what to change.
#include "nnfield/run/resources.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

#include "nnfield/io/h5io.hpp"

namespace nnfield {
namespace {

struct Part {
  double bytes;
  std::string cause;
};

std::string kv(const char* key, double value) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s = %.6g", key, value);
  return buf;
}

// State copies an integrator holds: the state, its stages and its error estimate.
double integrator_copies(const ModelConfig& c) {
  if (c.dynamics.kind == DynamicsKind::sgd) return 3;
  switch (c.integrator.stepper) {
    case StepperKind::rk4: return 6;
    case StepperKind::dopri5: return 11;
    case StepperKind::rkf78: return 17;
    case StepperKind::symplectic: return 5;
  }
  return 17;
}

// Lines and width of the lattice the run integrates: the network, or the field's grid.
void lattice_of(const ModelConfig& c, double& lines, double& width) {
  const NetworkShape& s = c.network.shape;
  lines = s.M;
  width = s.N;
  if (c.field.present) {
    lines = std::ceil(double(s.M) / c.field.rx) + 1;
    width = double(s.N) / c.field.ry;
  }
}

double row_doubles(const ModelConfig& c, double lines, double width) {
  const double K = c.network.shape.K(), sites = (lines + 1) * width;
  double row = 16;  // time, step, loss, energy terms
  for (TrajectoryDataset d : c.output.trajectory)
    row += d == TrajectoryDataset::W || d == TrajectoryDataset::Wdot || d == TrajectoryDataset::w ||
                   d == TrajectoryDataset::w_dot
               ? sites * K
           : d == TrajectoryDataset::loss ? 1
                                          : sites;
  if (c.observe.energy_flow) row += sites * (K + 6);
  if (c.observe.lagrangian) row += 3;
  row += c.observe.correlators.size() * sites * 2;
  return row;
}

std::string shape_keys(const ModelConfig& c) {
  const NetworkShape& s = c.network.shape;
  return kv("network.M", s.M) + ", " + kv("network.N", s.N) + ", " + kv("network.r", s.r);
}

// A network run's data: its samples, the teacher that labels them, the switches.
void add_data_parts(const ModelConfig& c, std::vector<Part>& parts) {
  const NetworkShape& s = c.network.shape;
  const double K = s.K(), N = s.N, M = s.M;
  const bool generated = c.data.source == DataSource::teacher || c.data.source == DataSource::random;
  double S = generated ? c.data.samples : 1;
  std::string samples_key = generated ? ", " + kv("data.samples", S) : "";
  if (c.data.source == DataSource::file) {
    try {  // as many samples as the file declares; a bad file is the input checks' to report
      const std::vector<std::size_t> shape = h5_shape(c.data.file, "/X");
      if (shape.size() == 2 && shape[1] == std::size_t(s.N) && shape[0] <= std::size_t(detail::kMaxSamples)) {
        S = double(shape[0]);
        samples_key = ", data.file with " + std::to_string(shape[0]) + " samples";
      }
    } catch (const H5Error&) {
    }
  }
  const bool full_batch = c.data.presentation == Presentation::full_batch;
  const double B = c.dynamics.kind == DynamicsKind::sgd ? c.dynamics.batch : full_batch ? S : 1;
  parts.push_back({8 * 6 * (M + 1) * N * B + 8 * 6 * S * N, shape_keys(c) + samples_key});
  if (c.data.source == DataSource::teacher) {
    const double Mt = c.data.teacher.M > 0 ? c.data.teacher.M : M;
    const double Kt = c.data.teacher.r >= 0 ? 2 * c.data.teacher.r + 1 : K;
    parts.push_back({8 * (Mt * N * (Kt + 1) + 2 * (Mt + 1) * N * S),
                     kv("data.teacher.M", Mt) + ", " + kv("data.samples", S) + ", " + kv("network.N", N)});
  }
  // Sample switches take no memory: the integrators pull them one at a time (data/data.hpp, SwitchTimes).
}

std::vector<Part> memory_parts(const ModelConfig& c, const ResourceEstimate& e) {
  const NetworkShape& s = c.network.shape;
  const double K = s.K(), N = s.N, M = s.M;
  double lines = 0, width = 0;
  lattice_of(c, lines, width);
  std::vector<Part> parts;
  const double velocity = c.dynamics.kind == DynamicsKind::damped ? 2 : 1;
  parts.push_back({8 * lines * width * (K + 1) * velocity * integrator_copies(c), shape_keys(c)});
  if (c.field.present) {
    // Its data come from [continuum], sampled once at the network's resolution; its depth
    // sweeps keep every RK4 stage of every substep.
    parts.push_back({8 * 4 * (M + 1) * N * (K + 2), shape_keys(c)});
    const double substeps = std::max(1, c.field.depth_substeps);
    parts.push_back({8 * 16 * lines * substeps * width,
                     kv("field.depth_substeps", substeps) + ", " + kv("field.rx", c.field.rx) + ", " + shape_keys(c)});
  } else {
    add_data_parts(c, parts);
  }
  const auto modes = [](int cx, int cy) { return 32.0 * (cx + 1) * (2.0 * cy + 1); };
  parts.push_back({modes(c.init.smooth.cutoff_x, c.init.smooth.cutoff_y) * (K + 2),
                   kv("init.smooth.cutoff_x", c.init.smooth.cutoff_x) + ", " +
                       kv("init.smooth.cutoff_y", c.init.smooth.cutoff_y)});
  if (c.continuum.present)
    parts.push_back({modes(c.continuum.cutoff_x, c.continuum.cutoff_y) * (3 * K + 6),
                     kv("continuum.cutoff_x", c.continuum.cutoff_x) + ", " +
                         kv("continuum.cutoff_y", c.continuum.cutoff_y)});
  parts.push_back({4 * e.row_bytes, "output.trajectory, observe"});
  return parts;
}

double read_number_after(const std::string& file, const std::string& label) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(label, 0) != 0) continue;
    std::istringstream rest(line.substr(label.size()));
    double kb = 0;
    if (rest >> kb) return kb * 1024;
  }
  return 0;
}

double read_single_number(const std::string& file) {
  std::ifstream in(file);
  double v = 0;
  return (in >> v) ? v : 0;  // "max" reads as nothing: no limit
}

}  // namespace

ResourceEstimate estimate_resources(const ModelConfig& c) {
  ResourceEstimate e;
  double lines = 0, width = 0;
  lattice_of(c, lines, width);
  e.row_bytes = 8 * row_doubles(c, lines, width);
  e.output_rows = c.dynamics.kind == DynamicsKind::sgd ? double(c.dynamics.steps) / double(c.output.every_steps) + 2
                                                       : std::floor(c.dynamics.t_end / c.output.every) + 2;
  const std::vector<Part> parts = memory_parts(c, e);
  const Part* largest = &parts.front();
  for (const Part& p : parts) {
    e.memory_bytes += p.bytes;
    if (p.bytes > largest->bytes) largest = &p;
  }
  e.memory_cause = largest->cause;
  return e;
}

double available_memory_bytes() {
  double available = read_number_after("/proc/meminfo", "MemAvailable:");
  const double limit = read_single_number("/sys/fs/cgroup/memory.max");
  if (limit > 0) {
    const double left = limit - read_single_number("/sys/fs/cgroup/memory.current");
    if (available <= 0 || left < available) available = std::max(left, 0.0);
  }
  return available;
}

void check_estimate(const BudgetedEstimate& e, const ResourceBudget& budget) {
  if (!budget.check) return;
  const double allowed = budget.max_memory > 0 ? budget.max_memory : available_memory_bytes();
  const std::string override_hint = budget.max_memory > 0 ? "raise --max-memory" : "set --max-memory";
  if (allowed > 0 && e.memory_bytes > allowed)
    throw ResourceError("estimated memory " + byte_text(e.memory_bytes) + " exceeds the " + byte_text(allowed) +
                        (budget.max_memory > 0 ? " of --max-memory" : " available") + " (mostly " + e.memory_cause +
                        "); reduce them, or " + override_hint + " or --no-resource-check to run anyway");
  if (budget.output_path.empty()) return;
  std::error_code ec;
  const auto folder = std::filesystem::absolute(budget.output_path, ec).parent_path();
  const auto space = std::filesystem::space(folder, ec);
  if (!ec && e.output_bytes > double(space.available))
    throw ResourceError(budget.output_path + ": estimated output " + byte_text(e.output_bytes) + " (" +
                        e.output_cause + ") exceeds the " + byte_text(double(space.available)) +
                        " free on its disk; write less, or --no-resource-check to run anyway");
}

void check_resources(const ModelConfig& config, const ResourceBudget& budget) {
  if (!budget.check) return;
  const ResourceEstimate e = estimate_resources(config);
  const bool in_memory = budget.rows_in_memory;
  const bool rows_dominate = in_memory && e.output_bytes() > e.memory_bytes;
  const std::string rows = std::to_string(std::int64_t(e.output_rows)) + " rows of " + byte_text(e.row_bytes);
  BudgetedEstimate checked;
  checked.memory_bytes = budget.copies * (e.memory_bytes + (in_memory ? e.output_bytes() : 0.0));
  checked.memory_cause = rows_dominate ? kv("output.every", config.output.every) + ", " +
                                             kv("dynamics.t_end", config.dynamics.t_end) + ": " + rows +
                                             " held in memory, with " + shape_keys(config)
                                       : e.memory_cause;
  checked.output_bytes = e.output_bytes();
  checked.output_cause = rows + "; " + kv("output.every", config.output.every) + ", output.trajectory, observe";
  check_estimate(checked, budget);
}

double parse_byte_size(const std::string& text) {
  std::size_t used = 0;
  double v = -1;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string unit = text.substr(used);
  if (!unit.empty() && (unit.back() == 'B' || unit.back() == 'b')) unit.pop_back();
  const std::string units = "KMGT";
  double scale = 1;
  if (unit.size() == 1 && units.find(char(std::toupper(unit[0]))) != std::string::npos)
    scale = std::pow(1024.0, double(units.find(char(std::toupper(unit[0]))) + 1));
  else if (!unit.empty())
    used = 0;
  if (used == 0 || !(v > 0) || !std::isfinite(v))
    throw std::invalid_argument("--max-memory: expected a size such as 8G, 512M or 1e9, got '" + text + "'");
  return v * scale;
}

std::string byte_text(double bytes) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (bytes >= 1024 && u < 5) bytes /= 1024, ++u;
  char buf[48];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.3g %s", bytes, units[u]);
  return buf;
}

}  // namespace nnfield
