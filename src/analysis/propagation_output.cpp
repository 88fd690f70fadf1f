// The propagation file layout (docs/long-range-order.md): per scan point and layer the
// ensemble means with their jackknife errors, the mean-field predictions, the depth fits
// and the transition; the settings as root attributes. `nnfield propagate` writes it to
// HDF5, the Python module to memory (the same names).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "nnfield/analysis/propagation.hpp"

#include "analysis/propagation_analysis.hpp"

namespace nnfield {

namespace {

void write_estimates(SeriesSink& w, const std::string& name, const std::vector<PropagationResult>& points,
                     std::vector<Estimate> PropagationResult::*member, const std::string& description) {
  const std::size_t S = points.size(), M = std::size_t(points.front().M);
  std::vector<double> value(S * M), error(S * M);
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t m = 0; m < M; ++m) {
      value[s * M + m] = (points[s].*member)[m].value;
      error[s * M + m] = (points[s].*member)[m].error;
    }
  w.write_array(name, {S, M}, value.data(), "sigma_w,M", description + " (ensemble mean; layer m = 1..M)");
  w.write_array(name + "_error", {S, M}, error.data(), "sigma_w,M", "jackknife error of " + name);
}

template <class F>
void write_per_point(SeriesSink& w, const std::string& name, const std::vector<PropagationResult>& points, F&& get,
                     const std::string& description, const DatasetValues& kind = {}) {
  std::vector<double> v;
  for (const auto& p : points) v.push_back(get(p));
  w.write_array(name, {v.size()}, v.data(), "sigma_w", description, kind);
}

void write_fit(SeriesSink& w, const std::string& group, const std::vector<PropagationResult>& points,
               DepthFit PropagationResult::*member, const std::string& what) {
  const auto fit = [member](const PropagationResult& p) -> const DepthFit& { return p.*member; };
  write_per_point(w, group + "/ok", points, [&](const PropagationResult& p) { return fit(p).ok ? 1.0 : 0.0; },
                  "1 if the fit of " + what + " succeeded", integer_values());
  write_per_point(w, group + "/first", points, [&](const PropagationResult& p) { return double(fit(p).first); },
                  "first layer of the fit window", integer_values());
  write_per_point(w, group + "/last", points, [&](const PropagationResult& p) { return double(fit(p).last); },
                  "last layer of the fit window", integer_values());
  write_per_point(w, group + "/slope", points, [&](const PropagationResult& p) { return fit(p).slope.value; },
                  "slope of ln(" + what + ") against m");
  write_per_point(w, group + "/slope_error", points, [&](const PropagationResult& p) { return fit(p).slope.error; },
                  "jackknife error of the slope");
  write_per_point(w, group + "/intercept", points, [&](const PropagationResult& p) { return fit(p).intercept.value; },
                  "intercept of ln(" + what + ") at m = 0");
  write_per_point(w, group + "/intercept_error", points,
                  [&](const PropagationResult& p) { return fit(p).intercept.error; }, "jackknife error of the intercept");
  write_per_point(w, group + "/xi", points, [&](const PropagationResult& p) { return fit(p).xi.value; },
                  "decay length -1/slope (inf if not decaying)");
  write_per_point(w, group + "/xi_error", points, [&](const PropagationResult& p) { return fit(p).xi.error; },
                  "error of xi (from the slope's)");
  write_per_point(w, group + "/chi", points, [&](const PropagationResult& p) { return fit(p).chi.value; },
                  "per-layer factor exp(slope)");
  write_per_point(w, group + "/chi_error", points, [&](const PropagationResult& p) { return fit(p).chi.error; },
                  "error of chi (from the slope's)");
}

// The settings and, per scan point, how c* was obtained and what limited the fits.
void write_attributes(const PropagationScan& scan, const PropagationRecord& record, SeriesSink& w) {
  const std::vector<PropagationResult>& P = scan.points;
  w.set_root_attribute("kind", "propagation");
  w.set_root_attribute("activation", activation_name(scan.activation));
  set_shape_attributes(w, scan.shape);
  w.set_root_attribute("sigma_b", P.front().sigma_b);
  w.set_root_attribute("q0", scan.options.q0);
  w.set_root_attribute("c0", scan.options.c0);
  w.set_root_integer("networks", std::int64_t(scan.options.networks));
  w.set_root_integer("pairs", std::int64_t(scan.options.pairs));
  w.set_root_integer("jackknife_blocks", std::int64_t(std::min(scan.options.jackknife_blocks, scan.options.networks)));
  w.set_root_integer("jackknife_blocks_requested", std::int64_t(scan.options.jackknife_blocks));
  w.set_root_integer("first_network", std::int64_t(scan.options.first_network));
  w.set_root_attribute("linear_cut", scan.options.linear_cut);
  w.set_root_attribute("noise_factor", scan.options.noise_factor);
  w.set_root_attribute("q_tolerance", scan.options.q_tolerance);
  w.set_root_unsigned("propagate_seed", scan.options.seed);
  w.set_root_attribute("c_star_requested", record.c_star_requested);
  std::string methods, notes;
  for (const auto& p : P) {
    methods += (methods.empty() ? "" : ",") + fixed_point_method_name(p.c_star_method);
    char sw[32];
    std::snprintf(sw, sizeof sw, "%g", p.sigma_w);
    notes += std::string("sigma_w = ") + sw + ": c fit: " + (p.fit_c.note.empty() ? "-" : p.fit_c.note) +
             "; tangent fit: " + (p.fit_tangent.note.empty() ? "-" : p.fit_tangent.note) + "\n";
  }
  w.set_root_attribute("c_star_methods", methods);
  w.set_root_attribute("fit_notes", notes);
}

void write_mean_field(const std::vector<PropagationResult>& P, std::size_t M, SeriesSink& w) {
  const std::size_t S = P.size();
  std::vector<double> qmf, cmf;
  for (const auto& p : P) {
    qmf.insert(qmf.end(), p.q_mean_field.begin(), p.q_mean_field.end());
    cmf.insert(cmf.end(), p.c_mean_field.begin(), p.c_mean_field.end());
  }
  w.write_array("/mean_field/q", {S, M}, qmf.data(), "sigma_w,M", "mean-field recursion q^(m) from q^(1) = sigma_w^2 q0 + sigma_b^2");
  w.write_array("/mean_field/c", {S, M}, cmf.data(), "sigma_w,M", "mean-field recursion c^(m) from the inputs' c0");
  write_per_point(w, "/mean_field/q_star", P, [](const PropagationResult& p) { return p.mean_field.q_star; }, "q*");
  write_per_point(w, "/mean_field/chi_1", P, [](const PropagationResult& p) { return p.mean_field.chi_1; },
                  "chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2]");
  write_per_point(w, "/mean_field/c_star", P, [](const PropagationResult& p) { return p.mean_field.c_star; }, "c*");
  write_per_point(w, "/mean_field/chi_c", P, [](const PropagationResult& p) { return p.mean_field.chi_c; },
                  "slope of the c map at c*");
  write_per_point(w, "/mean_field/xi_c", P, [](const PropagationResult& p) { return p.mean_field.xi_c; },
                  "xi_c = -1/ln chi_c");
  write_per_point(w, "/mean_field/chi_q", P, [](const PropagationResult& p) { return p.mean_field.chi_q; },
                  "slope of the q map at q*");
  write_per_point(w, "/mean_field/xi_q", P, [](const PropagationResult& p) { return p.mean_field.xi_q; },
                  "xi_q = -1/ln chi_q");
}

void write_transition(const TransitionEstimate& t, SeriesSink& w) {
  const double ok = t.ok ? 1.0 : 0.0, s = t.sigma_w.value, se = t.sigma_w.error, smf = t.sigma_w_mean_field;
  w.write_array("/transition/ok", {1}, &ok, "1", "1 if the measured chi_1 crosses 1 inside the scan", integer_values());
  w.write_array("/transition/sigma_w", {1}, &s, "1", "sigma_w where the measured chi_1 crosses 1");
  w.write_array("/transition/sigma_w_error", {1}, &se, "1", "jackknife error of /transition/sigma_w");
  w.write_array("/transition/sigma_w_mean_field", {1}, &smf, "1", "sigma_w where mean-field chi_1 = 1 (0: none)");
  w.set_root_attribute("transition_note", t.note);
}

// The sums every mean, error and fit came from (what nnfield merge reads back).
void write_samples(const PropagationScan& scan, SeriesSink& w) {
  const std::size_t S = scan.samples.size(), n = std::size_t(scan.options.networks), M = std::size_t(scan.shape.M);
  std::vector<double> networks(n), sums;
  for (std::size_t k = 0; k < n; ++k) networks[k] = double(scan.options.first_network + (long long)k);
  w.write_array("/samples/network", {n}, networks.data(), "network",
                "index of each random network (its weights and inputs depend on the seed and the index)",
                integer_values());
  for (const std::vector<double>& point : scan.samples) sums.insert(sums.end(), point.begin(), point.end());
  w.write_array("/samples/sums", {S, n, M, std::size_t(detail::kPropagationSums)}, sums.data(), "sigma_w,network,M,sum",
                "per network and layer, means over the input pairs and sites of z1 z1, z2 z2, z1 z2, (z1 - z2)^2, "
                "(z1 - z2)(z1 + z2), t^2: the samples of every mean, error and fit");
}

}  // namespace

void write_propagation(const PropagationScan& scan, const PropagationRecord& record, SeriesSink& w) {
  const std::vector<PropagationResult>& P = scan.points;
  write_attributes(scan, record, w);
  std::vector<double> sw, layer;
  for (const auto& p : P) sw.push_back(p.sigma_w);
  for (int m = 1; m <= scan.shape.M; ++m) layer.push_back(m);
  w.write_array("/sigma_w", {sw.size()}, sw.data(), "sigma_w", "weight scale of each scan point: W ~ N(0, sigma_w^2/K)");
  w.write_array("/layer", {layer.size()}, layer.data(), "M", "layer index m of the per-layer arrays", integer_values());
  write_estimates(w, "/q", P, &PropagationResult::q, "q^(m) = (q11 + q22)/2");
  write_estimates(w, "/c", P, &PropagationResult::c, "c^(m) = q12 / sqrt(q11 q22)");
  write_estimates(w, "/q11", P, &PropagationResult::q11, "q11^(m) = <(1/N) sum_i z1_i^2>");
  write_estimates(w, "/q22", P, &PropagationResult::q22, "q22^(m) = <(1/N) sum_i z2_i^2>");
  write_estimates(w, "/q12", P, &PropagationResult::q12, "q12^(m) = <(1/N) sum_i z1_i z2_i>");
  write_estimates(w, "/dc", P, &PropagationResult::dc, "|c^(m) - c*|");
  write_estimates(w, "/tangent", P, &PropagationResult::tangent,
                  "g^(m) = <(1/N) sum_i (dz_i)^2>: growth of a unit-variance input perturbation");
  write_mean_field(P, std::size_t(scan.shape.M), w);
  write_fit(w, "/fit", P, &PropagationResult::fit_c, "|c - c*|");
  write_per_point(w, "/fit/c_star", P, [](const PropagationResult& p) { return p.c_star.value; },
                  "c* used by the fit (root attribute c_star_methods says how it was obtained)");
  write_per_point(w, "/fit/c_star_error", P, [](const PropagationResult& p) { return p.c_star.error; },
                  "jackknife error of c* (0 when fixed)");
  write_fit(w, "/tangent_fit", P, &PropagationResult::fit_tangent, "g");
  write_transition(scan.transition, w);
  write_samples(scan, w);
}

}  // namespace nnfield
