// What `nnfield compare` prints and writes (include/nnfield/analysis/compare.hpp).
//   /levels/{M,N,ax,ay}                   (L); root attribute "refined": both, depth or width,
//                                         "spacing": the refined spacing orders are in (ax, ay)
//   /times                                (T) the chosen times; errors below are at the last one
//   /self_convergence/error               (L-1) ||R_l - R_{l+1}|| / ||R_{l+1}||
//   /self_convergence/error_by_time       (T, L-1)
//   /self_convergence/order               (L-2) log2(e_l / e_{l+1})
//   /self_convergence/{fit_order, fit_uncertainty, fit_C, fit_D}   scalars (NaN: no fit)
//   /self_convergence/theoretical_order   scalar
//   /studies/<name>/error                 (L, Q), Q = response, phi, w, adjoint
//   /studies/<name>/error_by_time         (T, L, Q)
//   /studies/<name>/pair_order            (L-1, Q)
//   /studies/<name>/{fit_order, fit_uncertainty, fit_C, fit_D}     (Q)
//   /studies/<name>/{p, rx, ry, theoretical_order}                 scalars
//   /studies/<name>/output_error          (1+T, L) ||Z_field - Z_net|| / ||Z_net - Y||, row 0 at t = 0
//   /studies/<name>/max_gain_over_ax      (L) field runs
//   /gain/max_over_ax                     (L) networks; /gain/left_critical_regime_at (L), -1 = never
// SeriesSink writes attributes on "/" only: the verdicts are root attributes
// "verdict", "self_convergence_verdict" and "verdict.<name>" (and "verdict.<name>.<quantity>").
#include <cmath>
#include <cstdio>
#include <sstream>

#include "analysis/compare_runs.hpp"
#include "nnfield/analysis/compare.hpp"

namespace nnfield {

namespace {

std::string fmt(double v, const char* f = "%.3e") {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

void scalar(SeriesSink& s, const std::string& name, double v, const std::string& description,
            const DatasetValues& kind = {}) {
  s.write_array(name, {}, &v, "scalar", description, kind);
}

// What the levels refine, for the table's header.
const char* refined_text(CompareRefinement refine) {
  switch (refine) {
    case CompareRefinement::both: return "M and N together (ax and ay); orders in ax";
    case CompareRefinement::depth: return "M alone at fixed N (ax); orders in ax";
    case CompareRefinement::width: return "N alone at fixed M (ay); orders in ay";
  }
  return "?";
}


}  // namespace

std::string compare_table(const CompareResult& r) {
  std::ostringstream o;
  const std::size_t L = r.levels.size();
  o << "levels refine " << refined_text(r.refine) << " (errors at t = " << fmt(r.times.back(), "%g") << "):\n";
  o << "  l      M      N         ax         ay   max|g-1|/ax   self error   self order\n";
  for (std::size_t l = 0; l < L; ++l) {
    const CompareLevel& lv = r.levels[l];
    char line[200];
    const double e = l + 1 < L ? r.self_error.back()[l] : NAN;
    const double ord = l < r.self_order.size() ? r.self_order[l] : NAN;
    std::snprintf(line, sizeof line, "  %zu %6d %6d %10.4e %10.4e %13s %12s %12s%s\n", l, lv.M, lv.N, lv.ax, lv.ay,
                  fmt(lv.max_gain_over_ax, "%.3f").c_str(), fmt(e).c_str(), fmt(ord, "%.3f").c_str(),
                  lv.left_critical_at >= 0 ? ("  left the critical regime at t = " + fmt(lv.left_critical_at, "%g")).c_str()
                                           : "");
    o << line;
  }
  o << "network self-convergence (output response, theory order " << fmt(r.self_theoretical_order, "%g") << " in "
    << spacing_name(r.refine) << "): " << r.self_verdict << "\n";
  if (r.exact_checked)
    o << "lattice-exact check: max rel diff " << fmt(r.exact_max_rel_diff, "%.2e")
      << " (exact field form vs the network, response, fixed-step RK4)\n";
  for (const std::string& n : r.notes) o << "note: " << n << "\n";
  for (const CompareStudy& s : r.studies) {
    o << "\nstudy " << s.name << " (midpoint p = " << s.p << ", " << detail::coarsening_text(s.rx, s.ry)
      << ", theory order " << fmt(s.theoretical_order, "%g") << " in " << spacing_name(r.refine) << "): " << s.verdict
      << "\n";
    o << "  l      M   response        phi          w    adjoint   max|g-1|/ax   output(0)     output\n";
    for (std::size_t l = 0; l < L; ++l) {
      const auto& e = s.errors.back()[l];
      char line[240];
      std::snprintf(line, sizeof line, "  %zu %6d %10s %10s %10s %10s %13s %11s %10s\n", l, r.levels[l].M,
                    fmt(e[0]).c_str(), fmt(e[1]).c_str(), fmt(e[2]).c_str(), fmt(e[3]).c_str(),
                    fmt(s.max_gain_over_ax[l], "%.3f").c_str(), fmt(s.output_error.front()[l]).c_str(),
                    fmt(s.output_error.back()[l]).c_str());
      o << line;
    }
    o << "  output(0), output: ||Z_field - Z_net|| / ||Z_net - Y|| at t = 0 and at the last time (the response\n"
         "  columns measure Z - Z0 and leave the initial offset out)\n";
    for (int q = 0; q < kCompareQuantities; ++q) {
      const OrderFit& f = s.fits[std::size_t(q)];
      o << "  " << kCompareQuantityNames[std::size_t(q)] << ": pair orders in " << spacing_name(r.refine);
      for (double p : f.pair_order) o << " " << fmt(p, "%.2f");
      o << "; fit " << (f.fitted ? fmt(f.order, "%.2f") + " ± " + fmt(f.uncertainty, "%.2f") : std::string("-"));
      o << "; " << s.verdicts[std::size_t(q)] << "\n";
    }
    for (const std::string& n : s.notes) o << "  note: " << n << "\n";
  }
  return o.str();
}

namespace {

// /studies/<name>/... and the study's verdicts and notes as root attributes.
void write_study(const CompareStudy& st, std::size_t L, std::size_t T, SeriesSink& s) {
  const std::size_t Q = kCompareQuantities;
  const std::string g = "/studies/" + st.name + "/";
  std::vector<double> e, et, pair, fo, fu, fc, fd;
  for (std::size_t l = 0; l < L; ++l)
    for (std::size_t q = 0; q < Q; ++q) e.push_back(st.errors.back()[l][q]);
  for (std::size_t t = 0; t < T; ++t)
    for (std::size_t l = 0; l < L; ++l)
      for (std::size_t q = 0; q < Q; ++q) et.push_back(st.errors[t][l][q]);
  for (std::size_t l = 0; l + 1 < L; ++l)
    for (std::size_t q = 0; q < Q; ++q) pair.push_back(st.fits[q].pair_order[l]);
  for (std::size_t q = 0; q < Q; ++q) {
    fo.push_back(st.fits[q].order), fu.push_back(st.fits[q].uncertainty);
    fc.push_back(st.fits[q].C), fd.push_back(st.fits[q].D);
  }
  const std::string qdesc = " (Q: response, phi, w, adjoint)";
  s.write_array(g + "error", {L, Q}, e.data(), "L,quantity",
                "relative L2 difference field vs network at the last time" + qdesc + "; verdict: " + st.verdict);
  s.write_array(g + "error_by_time", {T, L, Q}, et.data(), "T,L,quantity", "the errors at each chosen time" + qdesc);
  s.write_array(g + "pair_order", {L - 1, Q}, pair.data(), "L-1,quantity",
                "log(e_l/e_{l+1}) / log(a_l/a_{l+1}), a the refined spacing" + qdesc);
  s.write_array(g + "fit_order", {Q}, fo.data(), "quantity", "fit e = C a^p (1 + D a): p (NaN: no fit)" + qdesc);
  s.write_array(g + "fit_uncertainty", {Q}, fu.data(), "quantity",
                "3 levels: spread of the pair orders; more: standard error of p" + qdesc);
  s.write_array(g + "fit_C", {Q}, fc.data(), "quantity", "fit: C" + qdesc);
  s.write_array(g + "fit_D", {Q}, fd.data(), "quantity", "fit: D" + qdesc);
  std::vector<double> oe;
  for (const auto& row : st.output_error) oe.insert(oe.end(), row.begin(), row.end());
  s.write_array(g + "output_error", {T + 1, L}, oe.data(), "T+1,L",
                "||Z_field - Z_net|| / ||Z_net - Y|| on the field's width nodes; row 0 at t = 0 (the initial "
                "offset), then the chosen times (NaN: not run)");
  s.write_array(g + "max_gain_over_ax", {L}, st.max_gain_over_ax.data(), "L",
                "field runs: max over time of max|g - 1|/ax (NaN: not run)");
  scalar(s, g + "p", st.p, "order of the truncated theory (midpoint form)", integer_values());
  scalar(s, g + "rx", st.rx, "depth coarse-graining factor", integer_values());
  scalar(s, g + "ry", st.ry, "width coarse-graining factor", integer_values());
  scalar(s, g + "theoretical_order", st.theoretical_order,
         "expected global order in the refined spacing (docs/theory.md 4.3: p in ax; 0 in ay)");
  s.set_root_attribute("verdict." + st.name, st.verdict);
  for (std::size_t q = 0; q < Q; ++q)
    s.set_root_attribute("verdict." + st.name + "." + kCompareQuantityNames[q], st.verdicts[q]);
  std::string notes;
  for (const std::string& n : st.notes) notes += n + "\n";
  s.set_root_attribute("notes." + st.name, notes);
}

}  // namespace

void write_compare(const CompareResult& r, SeriesSink& s) {
  const std::size_t L = r.levels.size(), T = r.times.size();
  s.set_root_attribute("kind", "compare");
  std::vector<double> M, N, ax, ay, gain, left;
  for (const CompareLevel& lv : r.levels) {
    M.push_back(lv.M), N.push_back(lv.N), ax.push_back(lv.ax), ay.push_back(lv.ay);
    gain.push_back(lv.max_gain_over_ax), left.push_back(lv.left_critical_at);
  }
  s.write_array("/levels/M", {L}, M.data(), "L", "network depth M_l = M 2^l (M without depth refinement)",
                integer_values());
  s.write_array("/levels/N", {L}, N.data(), "L", "network width N_l = N 2^l (N without width refinement)",
                integer_values());
  s.write_array("/levels/ax", {L}, ax.data(), "L", "depth spacing ax = Lx/M_l");
  s.write_array("/levels/ay", {L}, ay.data(), "L", "width spacing ay = Ly/N_l");
  s.set_root_attribute("refined", name(r.refine));
  s.set_root_attribute("spacing", spacing_name(r.refine));
  s.write_array("/times", {T}, r.times.data(), "T", "the chosen times; datasets without _by_time: the last", time_values());
  s.write_array("/gain/max_over_ax", {L}, gain.data(), "L", "networks: max over time of max|g - 1|/ax");
  s.write_array("/gain/left_critical_regime_at", {L}, left.data(), "L",
                "networks: time max|g-1|/ax first exceeded 5x its initial value (docs/theory.md 4.2), -1 = never",
                time_values());

  std::vector<double> se_t;
  for (const auto& row : r.self_error) se_t.insert(se_t.end(), row.begin(), row.end());
  s.write_array("/self_convergence/error", {L - 1}, r.self_error.back().data(), "L-1",
                "||R_l - R_{l+1}|| / ||R_{l+1}||, output response on level l's width points (row l: levels l, l+1)");
  s.write_array("/self_convergence/error_by_time", {T, L - 1}, se_t.data(), "T,L-1", "the self-convergence error at each time");
  if (!r.self_order.empty())
    s.write_array("/self_convergence/order", {r.self_order.size()}, r.self_order.data(), "L-2",
                  "log2(e_l / e_{l+1}): the order in the refined spacing");
  scalar(s, "/self_convergence/fit_order", r.self_fit.order, "fit e = C a^p (1 + D a): p (NaN: fewer than 3 errors)");
  scalar(s, "/self_convergence/fit_uncertainty", r.self_fit.uncertainty, "uncertainty of the fitted p");
  scalar(s, "/self_convergence/fit_C", r.self_fit.C, "fit e = C a^p (1 + D a): C");
  scalar(s, "/self_convergence/fit_D", r.self_fit.D, "fit e = C a^p (1 + D a): D");
  scalar(s, "/self_convergence/theoretical_order", r.self_theoretical_order,
         "expected order in the refined spacing (docs/theory.md 4.2; docs/field-limit.md section 9)");
  s.set_root_attribute("self_convergence_verdict", r.self_verdict);
  if (r.exact_checked) s.set_root_attribute("lattice_exact_max_rel_diff", r.exact_max_rel_diff);

  std::string studies;
  for (const CompareStudy& st : r.studies) {
    studies += (studies.empty() ? "" : ",") + st.name;
    write_study(st, L, T, s);
  }
  s.set_root_attribute("studies", studies);
  s.set_root_attribute("quantities", "response,phi,w,adjoint");
  std::string verdict = "self_convergence: " + r.self_verdict;
  for (const CompareStudy& st : r.studies) verdict += "; " + st.name + ": " + st.verdict;
  s.set_root_attribute("verdict", verdict);
}

}  // namespace nnfield
