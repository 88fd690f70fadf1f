// `nnfield compare` (include/nnfield/analysis/compare.hpp): the runs (compare_runs.cpp),
// then, from what they give, the relative differences, the orders and the verdicts.
#include "nnfield/analysis/compare.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/compare_runs.hpp"
#include "nnfield/numerics/processes.hpp"

namespace nnfield {

const std::array<const char*, kCompareQuantities> kCompareQuantityNames = {"response", "phi", "w", "adjoint"};

const char* name(CompareRefinement refine) {
  switch (refine) {
    case CompareRefinement::both: return "both";
    case CompareRefinement::depth: return "depth";
    case CompareRefinement::width: return "width";
  }
  return "?";
}

std::optional<CompareRefinement> compare_refinement_named(const std::string& text) {
  for (CompareRefinement r : {CompareRefinement::both, CompareRefinement::depth, CompareRefinement::width})
    if (text == name(r)) return r;
  return std::nullopt;
}

const char* spacing_name(CompareRefinement refine) { return refine == CompareRefinement::width ? "ay" : "ax"; }

NetworkShape compare_level_shape(const ModelConfig& config, CompareRefinement refine, int level) {
  NetworkShape s = config.network.shape;
  if (refine != CompareRefinement::width) s.M <<= level;
  if (refine != CompareRefinement::depth) s.N <<= level;
  return s;
}

namespace {

using detail::compare_number;
using detail::CompareRuns;
using detail::FieldData;
using detail::NetData;
using detail::StudyRuns;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Output cadence t_end / n, no coarser than the model's output.every (the critical-regime
// check looks at the output rows), with every requested time a row.
double output_every(double t_end, const std::vector<double>& times, double model_every) {
  const int n0 = model_every > 0 ? std::max(1, int(std::ceil(t_end / model_every - 1e-9))) : 1;
  for (int n = n0; n <= 100000; ++n) {
    const double every = t_end / n;
    bool ok = true;
    for (double t : times) {
      const double k = t / every;
      ok = ok && std::fabs(k - std::round(k)) <= 1e-9 * std::max(1.0, k);
    }
    if (ok) return every;
  }
  return kNaN;
}

// Cubic Lagrange weights in the layer index m at s = x/ax, on the nodes lo..hi.
std::vector<std::pair<int, double>> depth_weights(double s, int lo, int hi) {
  const int n = std::min(4, hi - lo + 1);
  const double nearest = std::round(s);
  if (std::fabs(s - nearest) < 1e-9 && nearest >= lo && nearest <= hi) return {{int(nearest), 1.0}};
  int j0 = int(std::floor(s)) - (n - 1) / 2;
  j0 = std::max(lo, std::min(j0, hi - n + 1));
  std::vector<std::pair<int, double>> out;
  for (int j = j0; j < j0 + n; ++j) {
    double wgt = 1.0;
    for (int i = j0; i < j0 + n; ++i)
      if (i != j) wgt *= (s - i) / double(j - i);
    out.push_back({j, wgt});
  }
  return out;
}

// ||field - network||/||network|| over lines a < lines, width nodes b, components k;
// the network value at node m is net[(m - offset) * N * C + i * C + k], i = b ry.
double line_error(const std::vector<double>& field, const std::vector<double>& net, const FieldData& f,
                  const NetData& n, int lines, int lo, int hi, int offset, int C) {
  double num2 = 0.0, den2 = 0.0;
  for (int a = 0; a < lines; ++a) {
    const auto wts = depth_weights(f.x[std::size_t(a)] / n.ax, lo, hi);
    for (int b = 0; b < f.ny; ++b) {
      const int i = b * f.ry;
      for (int k = 0; k < C; ++k) {
        double v = 0.0;
        for (const auto& [m, wgt] : wts) v += wgt * net[(std::size_t(m - offset) * n.N + std::size_t(i)) * C + k];
        const double fv = field[(std::size_t(a) * f.ny + b) * C + k];
        num2 += (fv - v) * (fv - v);
        den2 += v * v;
      }
    }
  }
  return std::sqrt(num2 / den2);
}

std::array<double, kCompareQuantities> study_errors(const FieldData& f, const NetData& n, std::size_t ti) {
  std::array<double, kCompareQuantities> e{};
  double num2 = 0.0, den2 = 0.0;
  for (int b = 0; b < f.ny; ++b) {
    const double v = n.R[ti][std::size_t(b * f.ry)], fv = f.R[ti][std::size_t(b)];
    num2 += (fv - v) * (fv - v);
    den2 += v * v;
  }
  e[0] = std::sqrt(num2 / den2);
  e[1] = line_error(f.dphi[ti], n.dz[ti], f, n, f.nx, 1, n.M, 1, 1);
  // The links leaving the last line (x = Lx) do not exist.
  e[2] = line_error(f.dw[ti], n.dW[ti], f, n, f.nx - 1, 1, n.M - 1, 0, n.K);
  e[3] = line_error(f.adj[ti], n.adj[ti], f, n, f.nx, 1, n.M, 1, 1);
  return e;
}

// ||Z_field - Z_net|| / ||Z_net - Y|| at time index ti (0: t = 0) on the field's width nodes.
double output_error(const FieldData& f, const NetData& n, std::size_t ti) {
  double num2 = 0.0, den2 = 0.0;
  for (int b = 0; b < f.ny; ++b) {
    const std::size_t i = std::size_t(b * f.ry);
    const double zn = n.Z[ti][i], d = f.Z[ti][std::size_t(b)] - zn, m = zn - n.Y[ti][i];
    num2 += d * d;
    den2 += m * m;
  }
  return std::sqrt(num2 / den2);
}

std::string left_text(double t, int M, int N) {
  return "left the critical regime at t = " + compare_number(t, 4) + " at M = " + std::to_string(M) +
         ", N = " + std::to_string(N);
}

// The times, output cadence and coarsening factors, checked: ConfigError naming the model.
detail::ComparePlan plan_compare(const ModelConfig& config, const CompareOptions& options) {
  const std::string where = config.source_path.empty() ? "model" : config.source_path;
  if (!config.continuum.present)
    throw ConfigError(where + ": compare needs a [continuum] section (the data every level samples)");
  const bool sgd = config.dynamics.kind == DynamicsKind::sgd;
  // SGD's rows are the first sample of each step's batch: one sample only if every batch is
  // the whole set in one order (or the set is one sample).
  if (sgd && config.continuum.samples > 1 &&
      (config.dynamics.batch != config.continuum.samples || config.data.order != DataOrder::sequential))
    throw ConfigError(where + ": dynamics.kind = \"sgd\": compare follows the first sample of each batch, which "
                      "changes unless dynamics.batch = continuum.samples and data.order = \"sequential\"");
  if (options.levels < 2 || options.levels > 8) throw ConfigError(where + ": --levels must be in 2..8");
  // SGD time is gradient-flow time, t = step * eta (eta ax with eta_scaling = "depth").
  const double eta = effective_eta(config);
  const double t_end = sgd ? double(config.dynamics.steps) * eta : config.dynamics.t_end;
  const double model_every = sgd ? double(config.output.every_steps) * eta : config.output.every;
  detail::ComparePlan plan;
  plan.times = options.times.empty() ? std::vector<double>{t_end} : options.times;
  std::sort(plan.times.begin(), plan.times.end());
  for (double t : plan.times)
    if (!(t > 0.0 && t <= t_end * (1 + 1e-12)))
      throw ConfigError(where + ": --times: t = " + compare_number(t) + " is not in (0, t_end = " +
                        compare_number(t_end) + "]");
  plan.every = output_every(t_end, plan.times, model_every);
  plan.stop = options.stop;
  if (sgd) plan.sgd_eta = eta;
  if (!std::isfinite(plan.every))
    throw ConfigError(where + ": --times: no output cadence t_end/n puts every time on a row");
  plan.refine = options.refine;
  if (sgd && std::fabs(plan.every / eta - std::round(plan.every / eta)) > 1e-9 * plan.every / eta)
    throw ConfigError(where + ": dynamics.kind = \"sgd\": the compared times need rows every whole number of "
                      "steps (output.every_steps dividing dynamics.steps, --times on such rows)");
  plan.coarsen = options.coarsen;
  if (plan.coarsen.empty())
    plan.coarsen = {config.field.present ? Coarsening{config.field.rx, config.field.ry} : Coarsening{1, 1}};
  for (const Coarsening& r : plan.coarsen)
    if (r.rx < 1 || r.ry < 1)
      throw ConfigError(where + ": --coarsen: factors " + detail::coarsening_text(r.rx, r.ry) + " must be >= 1");
  for (int p : options.orders)
    if (p < 1 || p > 3) throw ConfigError(where + ": --orders: p = " + std::to_string(p) + " (the midpoint form has p = 1, 2, 3)");
  return plan;
}

// ||R_l - R_{l+1}|| / ||R_{l+1}|| at time index ti, on the coarser network's width sites
// (the finer network's sites 2i when the width was refined, i otherwise).
double self_error(const NetData& c, const NetData& f, std::size_t ti) {
  const int stride = f.N / c.N;
  double num2 = 0.0, den2 = 0.0;
  for (int i = 0; i < c.N; ++i) {
    const double v = f.R[ti][std::size_t(stride * i)], d = c.R[ti][std::size_t(i)] - v;
    num2 += d * d;
    den2 += v * v;
  }
  return std::sqrt(num2 / den2);
}

// The refined spacing of each level: ay when only the width is refined, ax otherwise.
std::vector<double> refined_spacings(const CompareResult& out) {
  std::vector<double> a;
  for (const CompareLevel& lv : out.levels) a.push_back(out.refine == CompareRefinement::width ? lv.ay : lv.ax);
  return a;
}

// Why networks refined in width alone may converge faster than order 1 in ay (docs/field-limit.md
// section 9): the O(ay) term is the advection (ay/ax) sum_k (k-r) s_k d_y, the O(ay^2) one the diffusion.
const char* kSymmetricStencil =
    "the O(ay) width advection vanishes for a symmetric width stencil, leaving the O(ay^2) diffusion";

// The levels and the networks' self-convergence with its verdict. Returns where the
// networks left the critical regime ("" if they did not).
std::string add_self_convergence(const std::vector<NetData>& nets, double Ly, CompareResult& out) {
  const std::size_t T = out.times.size(), L = nets.size();
  for (const NetData& n : nets) out.levels.push_back({n.M, n.N, n.ax, Ly / n.N, n.max_gain, n.left});
  const std::vector<double> a = refined_spacings(out);
  out.self_error.assign(T, std::vector<double>(L - 1));
  for (std::size_t ti = 0; ti < T; ++ti)
    for (std::size_t l = 0; l + 1 < L; ++l) out.self_error[ti][l] = self_error(nets[l], nets[l + 1], ti);
  const std::vector<double>& se = out.self_error[T - 1];
  for (std::size_t l = 0; l + 1 < se.size(); ++l) out.self_order.push_back(std::log2(se[l] / se[l + 1]));
  out.self_fit = fit_orders(std::vector<double>(a.begin(), a.end() - 1), se);
  std::string network_left;
  for (const CompareLevel& lv : out.levels)
    if (lv.left_critical_at >= 0 && network_left.empty()) network_left = left_text(lv.left_critical_at, lv.M, lv.N);
  bool self_decreasing = true;
  for (std::size_t l = 0; l + 1 < se.size(); ++l) self_decreasing = self_decreasing && se[l + 1] < se[l];
  if (!network_left.empty())
    out.self_verdict = "no limit (networks " + network_left + ")";
  else if (!self_decreasing)
    out.self_verdict = "no limit (the self-convergence errors do not decrease)";
  else
    out.self_verdict = convergence_verdict(se, out.self_fit, out.self_theoretical_order,
                                           out.refine == CompareRefinement::width ? kSymmetricStencil : nullptr);
  // At fixed N the width couplings per unit depth grow as ax falls (docs/field-limit.md section 9).
  if (out.refine == CompareRefinement::depth && out.self_verdict.rfind("converges", 0) != 0)
    out.self_verdict += "; at fixed N the width couplings per unit depth grow like ay/ax and ay^2/ax: the networks "
                        "approach a depth limit only while ay << ax";
  return network_left;
}

// A study's per-level records and errors against the networks. Returns where its field
// runs left the critical regime ("" if they did not).
std::string add_study_levels(const StudyRuns& s, const std::vector<NetData>& nets, std::size_t T, CompareStudy& st) {
  const std::size_t L = nets.size();
  st.errors.assign(T, std::vector<std::array<double, kCompareQuantities>>(L));
  st.output_error.assign(T + 1, std::vector<double>(L, kNaN));
  std::string field_left;
  for (std::size_t l = 0; l < L; ++l) {
    const FieldData& f = s.levels[l];
    st.ran.push_back(f.ran);
    st.max_gain_over_ax.push_back(f.ran ? f.max_gain : kNaN);
    st.left_critical_at.push_back(f.ran ? f.left : -1.0);
    if (!f.note.empty()) st.notes.push_back(f.note);
    if (f.ran && f.left >= 0 && field_left.empty()) field_left = left_text(f.left, nets[l].M, nets[l].N);
    for (std::size_t ti = 0; f.ran && ti <= T; ++ti) st.output_error[ti][l] = output_error(f, nets[l], ti);
    for (std::size_t ti = 0; ti < T; ++ti) {
      if (f.ran)
        st.errors[ti][l] = study_errors(f, nets[l], ti);
      else
        st.errors[ti][l].fill(kNaN);
    }
  }
  return field_left;
}

// Why a study has no limit, or "" when the errors may be judged.
std::string no_limit_reason(const std::string& field_left, const std::string& network_left,
                            const std::string& self_verdict) {
  if (!field_left.empty()) return "no limit (field runs " + field_left + ")";
  if (!network_left.empty()) return "no limit (networks " + network_left + ")";
  if (self_verdict.rfind("no limit", 0) == 0) return "no limit (the network self-convergence errors do not decrease)";
  return "";
}

// Why the field's error does not depend on ay (refining N alone): docs/field-limit.md section 9.
const char* kWidthExact =
    "the field's width shifts are exact, so its difference from the network is the depth error at this ax";

// The fit, pair orders and verdict of quantity q at the last time, over the levels that ran.
void fit_quantity(CompareStudy& st, int q, const std::vector<double>& a, CompareRefinement refine,
                  const std::string& no_limit) {
  const std::vector<std::array<double, kCompareQuantities>>& last = st.errors.back();
  std::vector<double> e, aa;
  for (std::size_t l = 0; l < a.size(); ++l) {
    const double v = last[l][std::size_t(q)];
    if (std::isfinite(v)) e.push_back(v), aa.push_back(a[l]);
  }
  OrderFit& fit = st.fits[std::size_t(q)];
  fit = fit_orders(aa, e);
  // Pair orders on the full level axis (NaN where a level did not run).
  std::vector<double> full;
  for (std::size_t l = 0; l + 1 < a.size(); ++l)
    full.push_back(std::log(last[l][std::size_t(q)] / last[l + 1][std::size_t(q)]) / std::log(a[l] / a[l + 1]));
  fit.pair_order = full;
  std::string& v = st.verdicts[std::size_t(q)];
  if (!no_limit.empty())
    v = no_limit;
  else if (e.size() < 2)
    v = "not measured (fewer than two levels ran)";
  else if (refine == CompareRefinement::width)
    v = independence_verdict(e, fit_orders(aa, e), spacing_name(refine), kWidthExact);
  else
    v = convergence_verdict(e, fit_orders(aa, e), st.theoretical_order);
}

CompareStudy study_result(const StudyRuns& s, const std::vector<NetData>& nets, const std::string& network_left,
                          const CompareResult& out) {
  CompareStudy st;
  const Coarsening& r = s.coarsen;
  st.name = "p" + std::to_string(s.p) + "_r" + std::to_string(r.rx) +
            (r.rx == r.ry ? std::string() : "x" + std::to_string(r.ry));
  st.p = s.p, st.rx = r.rx, st.ry = r.ry;
  // Order p in ax; none in ay (the width is not truncated: kWidthExact).
  st.theoretical_order = out.refine == CompareRefinement::width ? 0.0 : s.p;
  const std::string field_left = add_study_levels(s, nets, out.times.size(), st);
  const std::string no_limit = no_limit_reason(field_left, network_left, out.self_verdict);
  const std::vector<double> a = refined_spacings(out);
  for (int q = 0; q < kCompareQuantities; ++q) fit_quantity(st, q, a, out.refine, no_limit);
  st.verdict = st.verdicts[0];
  return st;
}

// The lattice-exact field run against the network with the same stepper: the worst
// relative difference of the response over the times.
void add_exact_check(const CompareRuns& runs, CompareResult& out) {
  const FieldData& field = runs.exact_field;
  if (!field.ran) {
    out.notes.push_back("lattice-exact check not run: " + field.note);
    return;
  }
  out.exact_checked = true;
  double worst = 0.0;
  for (std::size_t ti = 0; ti < out.times.size(); ++ti) {
    double num2 = 0.0, den2 = 0.0;
    for (int b = 0; b < field.ny; ++b) {
      const double v = runs.exact_net.R[ti][std::size_t(b)], d = field.R[ti][std::size_t(b)] - v;
      num2 += d * d;
      den2 += v * v;
    }
    worst = std::max(worst, std::sqrt(num2 / den2));
  }
  out.exact_max_rel_diff = worst;
}

}  // namespace

CompareResult run_compare(const ModelConfig& config, const CompareOptions& options) {
  const detail::ComparePlan plan = plan_compare(config, options);
  const CompareRuns runs = detail::run_compare_levels(config, options, plan);
  CompareResult out;
  if (!processes::is_root()) return out;  // under mpirun process 0 holds every run
  out.times = plan.times;
  out.refine = plan.refine;
  const std::string network_left = add_self_convergence(runs.nets, config.network.Ly, out);
  // Damped dynamics with unit masses have no depth limit: their output's stiffness grows like
  // M (docs/field-limit.md, "Momentum with a limit"). Say why, not just "no limit".
  if (out.self_verdict.rfind("no limit", 0) == 0 && config.dynamics.kind == DynamicsKind::damped &&
      config.dynamics.eta_scaling != EtaScaling::depth)
    out.self_verdict += "; damped dynamics have a depth limit only with masses 1/(eta ax): "
                        "dynamics.eta_scaling = \"depth\"";
  for (const StudyRuns& s : runs.studies) out.studies.push_back(study_result(s, runs.nets, network_left, out));
  if (options.exact_check) add_exact_check(runs, out);
  return out;
}

}  // namespace nnfield
