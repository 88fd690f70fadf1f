#pragma once
// `nnfield compare`: the field solver against the network it coarse-grains, and the
// network against itself under refinement (docs/theory.md 4.2, 4.4, 4.5). From one field model
// (a [continuum] section; [field] optional) it runs, in memory:
//   - networks at levels l = 0..L-1, (M_l, N_l) = (M 2^l, N 2^l) (--refine both), or only
//     M_l = M 2^l at fixed N (depth) or only N_l = N 2^l at fixed M (width), the same
//     continuum data;
//   - per level, per order p and coarse-graining (rx, ry), the midpoint field theory, and at
//     the base level a lattice-exact field run (form = exact);
// and measures, at chosen times, relative L2 differences of the output response
// R = (Z - Z0)/scale, of phi(t) - phi(0), of w(t) - w(0) and of the adjoint dl/dphi,
// the network's self-convergence on R, the observed orders in the refined spacing (a = ax, or
// ay when only the width is refined) and a fit e = C a^p (1 + D a),
// the gains, and a verdict per study ("converges at order X ± u", "pre-asymptotic",
// "no limit (...)"). Output: compare_table() and write_compare() (conv.h5 layout,
// docs in README "Comparing with the network").
#include <array>
#include <atomic>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/io/series_sink.hpp"

namespace nnfield {

// Which lattice spacings the levels refine (docs/field-limit.md section 9).
enum class CompareRefinement {
  both,   // M and N doubled per level: ax and ay together, orders in ax
  depth,  // M doubled at fixed N: orders in ax alone
  width,  // N doubled at fixed M: orders in ay alone
};
const char* name(CompareRefinement refine);          // "both", "depth", "width"
std::optional<CompareRefinement> compare_refinement_named(const std::string& name);  // the inverse
const char* spacing_name(CompareRefinement refine);  // the spacing orders are in: "ay" (width), "ax"

// One field study's coarse graining: hx = rx ax, hy = ry ay.
struct Coarsening {
  int rx = 1, ry = 1;
};

struct CompareOptions {
  int levels = 3;
  CompareRefinement refine = CompareRefinement::both;
  std::vector<int> orders{1, 2};    // field orders p
  std::vector<Coarsening> coarsen;  // empty: the model's (field.rx, field.ry), (1, 1) without [field]
  std::vector<double> times;        // empty: {t_end}
  bool allow_unstable = false;      // field runs: integrate even when the stability check refuses
  bool exact_check = true;          // the lattice-exact run at the base level
  int threads = 0;                  // 0: default_thread_count() (numerics/thread_count.hpp)
  std::function<void(const std::string&)> log;  // one line per finished run (may be empty)
  const std::atomic<bool>* stop = nullptr;  // set (SIGINT): runs stop, none start, CompareInterrupted
};

// A comparison stopped by CompareOptions::stop: nothing is measured from a partial set of runs.
class CompareInterrupted : public std::runtime_error {
 public:
  CompareInterrupted() : std::runtime_error("interrupted; no comparison was written") {}
};

// Quantities compared (the Q axis of /studies/<name>/error).
constexpr int kCompareQuantities = 4;
extern const std::array<const char*, kCompareQuantities> kCompareQuantityNames;  // response, phi, w, adjoint

// Network (M_l, N_l) of level l of a comparison of `config`.
NetworkShape compare_level_shape(const ModelConfig& config, CompareRefinement refine, int level);

// Orders from errors e_l at spacings a_l (a decreasing).
struct OrderFit {
  std::vector<double> pair_order;  // log(e_l/e_{l+1}) / log(a_l/a_{l+1}), l = 0..n-2
  bool fitted = false;             // the 3-parameter fit e = C a^p (1 + D a) (n >= 3) succeeded
  double order = 0.0, uncertainty = 0.0, C = 0.0, D = 0.0;  // NaN when not fitted
};
OrderFit fit_orders(const std::vector<double>& a, const std::vector<double>& e);

// The verdict on errors that did not leave the critical regime, theoretical: the expected order:
//   "converges at order X ± u"  the fit agrees with the finest pair to 0.3 and u <= 0.3;
//                               flagged "above theory" when X > theoretical + 0.3 (a higher-order
//                               error, on the field grids typically the depth interpolation's,
//                               dominates at these spacings) and
//                               "below the theoretical order" when X < theoretical - 0.3;
//   "inconclusive (...)"        a fit whose uncertainty u exceeds 0.3 (or is unknown);
//   "pre-asymptotic (...)"      errors that do not fall, or a fit the finest pair disagrees with.
// Without a fit (two errors) the finest pair order decides, with the same flags.
// above_cause: why an order above theory happens (null: not said).
std::string convergence_verdict(const std::vector<double>& e, const OrderFit& fit, double theoretical,
                                const char* above_cause = "a higher-order error dominates at these spacings");
// The verdict on errors theory expects not to depend on the refined spacing (order 0):
//   "independent of <spacing> (...): <why>"  the finest pair order within 0.3 of 0;
// otherwise convergence_verdict against order 0 (errors that fall or grow after all).
std::string independence_verdict(const std::vector<double>& e, const OrderFit& fit, const std::string& spacing,
                                 const std::string& why);

struct CompareLevel {
  int M = 0, N = 0;
  double ax = 0.0, ay = 0.0;
  double max_gain_over_ax = 0.0;   // network: max over time of max|g - 1|/ax
  double left_critical_at = -1.0;  // network: root attribute left_critical_regime_at, or < 0
};

struct CompareStudy {
  std::string name;                // "p2_r8" (rx = ry = 8), "p2_r8x2" (rx = 8, ry = 2)
  int p = 0, rx = 1, ry = 1;
  double theoretical_order = 0.0;  // in the refined spacing
  std::vector<bool> ran;           // per level (false: r does not divide N_l, or the run failed)
  std::vector<std::string> notes;  // skipped levels, failed runs
  // errors[time][level][quantity], NaN where not run
  std::vector<std::vector<std::array<double, kCompareQuantities>>> errors;
  // output_error[time][level] = ||Z_field - Z_net|| / ||Z_net - Y|| on the field's width
  // nodes, time 0 = t = 0 (the initial offset, which the response R = Z - Z0 leaves out),
  // then the chosen times; NaN where not run.
  std::vector<std::vector<double>> output_error;
  std::vector<double> max_gain_over_ax;  // per level (field runs)
  std::vector<double> left_critical_at;  // per level, < 0 if not
  std::array<OrderFit, kCompareQuantities> fits;          // at the last time
  std::array<std::string, kCompareQuantities> verdicts;   // per quantity
  std::string verdict;             // the study's: the response's verdict
};

struct CompareResult {
  CompareRefinement refine = CompareRefinement::both;
  std::vector<double> times;
  std::vector<CompareLevel> levels;
  std::vector<std::vector<double>> self_error;  // [time][l] = ||R_l - R_{l+1}|| / ||R_{l+1}||, l = 0..L-2
  std::vector<double> self_order;               // at the last time: log2(e_l / e_{l+1}), l = 0..L-3
  OrderFit self_fit;
  double self_theoretical_order = 1.0;  // docs/theory.md 4.2 (depth), docs/field-limit.md section 9 (width)
  std::string self_verdict;
  std::vector<CompareStudy> studies;
  bool exact_checked = false;
  double exact_max_rel_diff = 0.0;  // lattice-exact field vs network (fixed-step RK4 both), response
  std::vector<std::string> notes;
};

// Throws ConfigError for a model that cannot be compared (no [continuum], sgd dynamics,
// a time outside (0, t_end], ...) and for field settings the field solver refuses.
CompareResult run_compare(const ModelConfig& config, const CompareOptions& options);

// The table `nnfield compare` prints.
std::string compare_table(const CompareResult& result);
// /levels, /self_convergence, /studies/<name>/..., /gain (layout in compare_output.cpp).
void write_compare(const CompareResult& result, SeriesSink& sink);

}  // namespace nnfield
