#pragma once
// Internal to `nnfield compare` (compare.cpp): the network and field runs at every level,
// in memory on worker threads, and what each gives at the chosen times. The errors,
// orders and verdicts computed from them live in compare.cpp.
#include <atomic>
#include <string>
#include <vector>

#include "nnfield/analysis/compare.hpp"

namespace nnfield::detail {

// What one network run gives at each chosen time.
struct NetData {
  int M = 0, N = 0, K = 0;
  double ax = 0.0;
  std::vector<std::vector<double>> R, dz, dW, adj;  // (N), (M,N) row m-1 = z^(m), (M,N,K), (M,N) row m-1 = dl/dz^(m)
  std::vector<std::vector<double>> Z;               // the output Z (N) at t = 0, then at each time
  std::vector<std::vector<double>> Y;               // the presented target (N) at t = 0, then at each time
  double max_gain = 0.0, left = -1.0;
};

// What one field run gives at each chosen time.
struct FieldData {
  bool ran = false;
  std::string note;
  int nx = 0, ny = 0, ry = 1, K = 0;
  std::vector<double> x;                              // /grid/x
  std::vector<std::vector<double>> R, dphi, dw, adj;  // (ny), (nx,ny), (nx,ny,K), (nx,ny)
  std::vector<std::vector<double>> Z;                 // the output line phi(Lx) (ny) at t = 0, then at each time
  double max_gain = 0.0, left = -1.0;
};

// The checked settings of a comparison (compare.cpp).
struct ComparePlan {
  std::vector<double> times;  // sorted, in (0, t_end]
  double every = 0.0;         // output cadence: every time is a row
  CompareRefinement refine = CompareRefinement::both;  // which spacings the levels refine
  std::vector<Coarsening> coarsen;  // the studies' (rx, ry)
  const std::atomic<bool>* stop = nullptr;  // CompareOptions::stop, handed to every run
  // SGD: the base level's step time eta_eff. Every level takes the model's steps (with
  // eta_scaling = "depth" the map q <- q - eta ax dL/dq has a limit at a fixed step count),
  // and a time t of the plan is step t / sgd_eta on every level. 0: continuous dynamics.
  double sgd_eta = 0.0;
};

// One field study: order p, coarsening (rx, ry), a field run per level.
struct StudyRuns {
  int p = 1;
  Coarsening coarsen;
  std::vector<FieldData> levels;
};

struct CompareRuns {
  std::vector<NetData> nets;       // per level
  std::vector<StudyRuns> studies;  // per (p in options.orders, (rx, ry) in plan.coarsen)
  NetData exact_net;               // options.exact_check: the base level with fixed-step RK4,
  FieldData exact_field;           // network and lattice-exact field
};

// Every run, the costliest first, on options.threads workers; one line per finished
// run to options.log. A field run that fails is noted in its FieldData; a network that
// fails throws (the first such network's error).
CompareRuns run_compare_levels(const ModelConfig& config, const CompareOptions& options, const ComparePlan& plan);

std::string compare_number(double v, int precision = 6);  // v to `precision` significant digits
std::string coarsening_text(int rx, int ry);              // "rx = ry = 8", "rx = 8, ry = 2"

}  // namespace nnfield::detail
