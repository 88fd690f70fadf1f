#include "analysis/propagation_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>
#include <numeric>
#include <stdexcept>

#include "nnfield/analysis/depth_fit.hpp"

namespace nnfield::detail {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Ensemble quantities per layer (index m - 1) from the column means of the sums.
struct Layers {
  std::vector<double> q11, q22, q12, q, c, one_minus_c, g;
};

Layers layers_from_means(const std::vector<double>& means, int M) {
  Layers L;
  for (auto* v : {&L.q11, &L.q22, &L.q12, &L.q, &L.c, &L.one_minus_c, &L.g}) v->resize(std::size_t(M));
  for (int m = 0; m < M; ++m) {
    const double* s = means.data() + std::size_t(m) * kPropagationSums;
    const std::size_t k = std::size_t(m);
    L.q11[k] = s[kQ11];
    L.q22[k] = s[kQ22];
    L.q12[k] = s[kQ12];
    L.q[k] = 0.5 * (s[kQ11] + s[kQ22]);
    const double root = std::sqrt(s[kQ11] * s[kQ22]);
    L.c[k] = s[kQ12] / root;
    // 1 - c without cancellation (c0 near 1, deep ordered layers):
    //   sqrt(q11 q22) - q12 = [qdd - (sqrt q11 - sqrt q22)^2] / 2,
    //   sqrt q11 - sqrt q22 = (q11 - q22) / (sqrt q11 + sqrt q22) = qds / (...).
    const double diff = s[kQds] / (std::sqrt(s[kQ11]) + std::sqrt(s[kQ22]));
    L.one_minus_c[k] = 0.5 * (s[kQdd] - diff * diff) / root;
    L.g[k] = s[kTT];
  }
  return L;
}

std::vector<double> concat(std::initializer_list<const std::vector<double>*> parts) {
  std::vector<double> out;
  for (const auto* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

// A fit window over layers first..last (1-based) with fixed weights.
struct Window {
  int first = 0, last = -1;
  std::vector<double> weights;  // per layer in the window
  int size() const { return last - first + 1; }
};

LineFit fit_log(const std::vector<double>& values, const Window& w) {
  std::vector<double> x, y;
  for (int m = w.first; m <= w.last; ++m) {
    x.push_back(double(m));
    y.push_back(std::log(std::max(std::fabs(values[std::size_t(m - 1)]), 1e-300)));
  }
  return weighted_line_fit(x, y, w.weights);
}

// Weight 1/err(ln y)^2 = (y / err y)^2; uniform when there is no error estimate.
std::vector<double> log_weights(const std::vector<double>& y, const std::vector<Estimate>& e, const Window& w) {
  std::vector<double> weights;
  bool have_errors = true;
  for (int m = w.first; m <= w.last; ++m) have_errors = have_errors && e[std::size_t(m - 1)].error > 0;
  for (int m = w.first; m <= w.last; ++m) {
    const std::size_t k = std::size_t(m - 1);
    weights.push_back(have_errors ? std::pow(y[k] / e[k].error, 2) : 1.0);
  }
  return weights;
}

std::vector<Estimate> slice(const std::vector<Estimate>& all, std::size_t block, int M) {
  return std::vector<Estimate>(all.begin() + std::ptrdiff_t(block * std::size_t(M)),
                               all.begin() + std::ptrdiff_t((block + 1) * std::size_t(M)));
}

// The first layer after which q has converged: |q^(m+1) - q^(m)| <= tol q^(m).
int q_converged_layer(const std::vector<double>& q, double tol) {
  const int M = int(q.size());
  for (int m = 1; m < M; ++m)
    if (std::fabs(q[std::size_t(m)] - q[std::size_t(m - 1)]) <= tol * q[std::size_t(m - 1)]) return m;
  return M;
}

DepthFit make_depth_fit(const Estimate& slope, const Estimate& intercept, const Window& w, std::string note) {
  DepthFit fit;
  fit.ok = true;
  fit.note = std::move(note);
  fit.first = w.first;
  fit.last = w.last;
  fit.slope = slope;
  fit.intercept = intercept;
  // Delta method: xi = -1/s, chi = e^s.
  fit.xi = slope.value < 0 ? Estimate{-1.0 / slope.value, slope.error / (slope.value * slope.value)}
                           : Estimate{kInf, kInf};
  fit.chi = Estimate{std::exp(slope.value), std::exp(slope.value) * slope.error};
  return fit;
}

std::string short_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

DepthFit failed_fit(std::string note) {
  DepthFit fit;
  fit.note = std::move(note);
  return fit;
}

std::size_t blocks_for(const PropagationOptions& o, int networks) {
  return std::size_t(std::max(2, std::min(o.jackknife_blocks, networks)));
}

// The tangent window: from where q has converged to the last layer.
Window tangent_window(const Layers& L, const std::vector<Estimate>& g_err, const PropagationOptions& o) {
  Window w;
  w.first = std::max(1, q_converged_layer(L.q, o.q_tolerance));
  w.last = int(L.q.size());
  if (w.size() >= 3) w.weights = log_weights(L.g, g_err, w);
  return w;
}

// |c - c*| per layer for a given c* (c* = 1 uses the cancellation-free 1 - c).
std::vector<double> distance_to_fixed_point(const Layers& L, double c_star, bool exact_one) {
  std::vector<double> d(L.c.size());
  for (std::size_t k = 0; k < d.size(); ++k) d[k] = exact_one ? L.one_minus_c[k] : std::fabs(L.c[k] - c_star);
  return d;
}

// The fitted plateau of c over layers first..M (weights 1/err(c)^2).
PlateauFit plateau_of(const Layers& L, const std::vector<Estimate>& c_err, int first) {
  std::vector<double> x, y, w;
  bool have_errors = true;
  for (int m = first; m <= int(L.c.size()); ++m) have_errors = have_errors && c_err[std::size_t(m - 1)].error > 0;
  for (int m = first; m <= int(L.c.size()); ++m) {
    x.push_back(double(m));
    y.push_back(L.c[std::size_t(m - 1)]);
    w.push_back(have_errors ? 1.0 / std::pow(c_err[std::size_t(m - 1)].error, 2) : 1.0);
  }
  return exponential_plateau_fit(x, y, w);
}

// The per-network sums of one point, (n, p) row-major, and the jackknife blocking every
// estimate from them shares.
struct Samples {
  const std::vector<double>& rows;
  std::size_t n, p, blocks;
  int M;
  std::vector<Estimate> estimate(const Statistic& f) const { return jackknife(rows, n, p, f, blocks); }
};

// The per-layer ensemble means with their errors into r; returns the layers of the means.
Layers estimate_layers(const Samples& s, PropagationResult& r) {
  std::vector<double> means(s.p, 0.0);
  for (std::size_t k = 0; k < s.n; ++k)
    for (std::size_t j = 0; j < s.p; ++j) means[j] += s.rows[k * s.p + j];
  for (double& v : means) v /= double(s.n);
  const int M = s.M;
  const auto per_layer = [M](const std::vector<double>& mv) {
    const Layers l = layers_from_means(mv, M);
    return concat({&l.q11, &l.q22, &l.q12, &l.q, &l.c, &l.one_minus_c, &l.g});
  };
  const std::vector<Estimate> E = s.estimate(per_layer);
  r.q11 = slice(E, 0, M);
  r.q22 = slice(E, 1, M);
  r.q12 = slice(E, 2, M);
  r.q = slice(E, 3, M);
  r.c = slice(E, 4, M);
  r.tangent = slice(E, 6, M);
  return layers_from_means(means, M);
}

// Tangent growth: ln g^(m) = const + m ln chi_1 once q has converged.
DepthFit fit_tangent_growth(const Samples& s, const Layers& L, const std::vector<Estimate>& tangent,
                            const PropagationOptions& o) {
  const Window tw = tangent_window(L, tangent, o);
  if (tw.size() < 3) return failed_fit("q has not converged 3 layers before the output");
  const int M = s.M;
  const auto f = [&tw, M](const std::vector<double>& mv) {
    const LineFit lf = fit_log(layers_from_means(mv, M).g, tw);
    return std::vector<double>{lf.slope, lf.intercept};
  };
  const std::vector<Estimate> e = s.estimate(f);
  return make_depth_fit(e[0], e[1], tw, "");
}

// automatic: c* = 1 in the ordered phase (measured chi_1 < 1), else fitted.
FixedPointMethod fixed_point_method(FixedPointMethod asked, const DepthFit& tangent) {
  if (asked != FixedPointMethod::automatic) return asked;
  return tangent.ok && tangent.chi.value < 1.0 ? FixedPointMethod::one : FixedPointMethod::fitted;
}

// The mean-field prediction for the same activation, sigma_w, sigma_b, q0, c0; NaN where
// the theory has none.
void add_mean_field(PropagationResult& r, Activation activation, const PropagationOptions& o) {
  try {
    const MeanField mf(activation, r.sigma_w, r.sigma_b);
    r.mean_field = mf.depth_scale(o.q0, o.c0);
    mf.trajectory(o.q0, o.c0, r.M, r.q_mean_field, r.c_mean_field);
  } catch (const std::domain_error&) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    r.mean_field = MeanFieldPoint{nan, nan, nan, nan, nan, nan, nan};
    r.q_mean_field.assign(std::size_t(r.M), nan);
    r.c_mean_field.assign(std::size_t(r.M), nan);
  }
}

// The first layer of the fitted plateau: from q_start, moved past the layers where a
// first plateau fit puts c outside the linear regime of the c map.
int linear_regime_start(const Layers& L, const std::vector<Estimate>& c_err, int q_start, double linear_cut) {
  const int M = int(L.c.size());
  int first = q_start;
  const PlateauFit first_pass = plateau_of(L, c_err, q_start);
  if (first_pass.ok) {
    const std::vector<double> d = distance_to_fixed_point(L, first_pass.plateau, false);
    while (first < M - 3 && d[std::size_t(first - 1)] > linear_cut) ++first;
  }
  return first;
}

// No fitted c*: c shows no decay over layers plateau_first..M.
void mark_no_fixed_point(PropagationResult& r, int plateau_first) {
  r.c_star = {std::numeric_limits<double>::quiet_NaN(), 0.0};
  r.fit_c = failed_fit("c* not determined: no decay of c visible over layers " + std::to_string(plateau_first) +
                       ".." + std::to_string(r.M));
  r.dc.assign(std::size_t(r.M), Estimate{std::numeric_limits<double>::quiet_NaN(), 0.0});
}

// means -> {c*, |c^(m) - c*| per layer}, c* refitted as the plateau of c in every
// jackknife replica (weights from the full ensemble's errors).
Statistic fitted_distances(std::vector<Estimate> c_err, int plateau_first, int M) {
  return [M, c_err = std::move(c_err), plateau_first](const std::vector<double>& mv) {
    const Layers l = layers_from_means(mv, M);
    const PlateauFit pf = plateau_of(l, c_err, plateau_first);
    std::vector<double> out{pf.plateau};
    const std::vector<double> d = distance_to_fixed_point(l, pf.plateau, false);
    out.insert(out.end(), d.begin(), d.end());
    return out;
  };
}

// means -> {c*, |c^(m) - c*| per layer} for a given c*.
Statistic fixed_distances(double c_star, bool exact_one, int M) {
  return [M, c_star, exact_one](const std::vector<double>& mv) {
    std::vector<double> out{c_star};
    const std::vector<double> d = distance_to_fixed_point(layers_from_means(mv, M), c_star, exact_one);
    out.insert(out.end(), d.begin(), d.end());
    return out;
  };
}

// The c window: from `first` (q converged), inside the linear regime, above the noise.
Window c_window(const std::vector<Estimate>& dc, int first, const PropagationOptions& o) {
  const int M = int(dc.size());
  Window cw;
  cw.first = first;
  while (cw.first <= M && dc[std::size_t(cw.first - 1)].value > o.linear_cut) ++cw.first;
  cw.last = cw.first - 1;
  while (cw.last < M) {
    const Estimate& d = dc[std::size_t(cw.last)];
    if (!(d.value > 0) || d.value < o.noise_factor * d.error) break;
    ++cw.last;
  }
  return cw;
}

// ln|c - c*| = const + m ln lambda over the window, refitted with dc in every replica.
DepthFit fit_c_decay(const Samples& s, const Statistic& distances, const std::vector<Estimate>& dc, Window cw,
                     int q_start, const PropagationOptions& o) {
  if (cw.size() < 3)
    return failed_fit("fewer than 3 layers with |c - c*| between " + short_number(o.noise_factor) + " errors and " +
                      short_number(o.linear_cut) + " after q converged (layer " + std::to_string(q_start) + ")");
  std::vector<double> dc_values(dc.size());
  for (std::size_t k = 0; k < dc.size(); ++k) dc_values[k] = dc[k].value;
  cw.weights = log_weights(dc_values, dc, cw);
  const std::string note = cw.last == s.M ? "window reaches the last layer: a deeper network would extend it" : "";
  const auto fit_c = [&](const std::vector<double>& mv) {
    const std::vector<double> d = distances(mv);
    const LineFit lf = fit_log(std::vector<double>(d.begin() + 1, d.end()), cw);
    return std::vector<double>{lf.slope, lf.intercept};
  };
  const std::vector<Estimate> e = s.estimate(fit_c);
  return make_depth_fit(e[0], e[1], cw, note);
}

}  // namespace

PropagationResult analyse_propagation(const std::vector<double>& samples, int networks, int M, double sigma_w,
                                      double sigma_b, Activation activation, const PropagationOptions& o) {
  const Samples s{samples, std::size_t(networks), std::size_t(kPropagationSums) * std::size_t(M),
                  blocks_for(o, networks), M};
  PropagationResult r;
  r.sigma_w = sigma_w;
  r.sigma_b = sigma_b;
  r.M = M;
  const Layers L = estimate_layers(s, r);
  r.fit_tangent = fit_tangent_growth(s, L, r.tangent, o);
  const FixedPointMethod method = fixed_point_method(o.fixed_point, r.fit_tangent);
  r.c_star_method = method;
  add_mean_field(r, activation, o);

  // c* and dc(means) for the chosen method; the fitted c* is refitted in every jackknife replica.
  const int q_start = std::max(1, q_converged_layer(L.q, o.q_tolerance));
  const bool fitted = method == FixedPointMethod::fitted;
  const int plateau_first = fitted ? linear_regime_start(L, r.c, q_start, o.linear_cut) : q_start;
  Statistic distances;
  if (fitted) {
    if (!plateau_of(L, r.c, plateau_first).ok) {
      mark_no_fixed_point(r, plateau_first);
      return r;
    }
    distances = fitted_distances(r.c, plateau_first, M);
  } else {
    const double c_star = method == FixedPointMethod::mean_field ? r.mean_field.c_star : 1.0;
    distances = fixed_distances(c_star, method == FixedPointMethod::one, M);
  }
  const std::vector<Estimate> D = s.estimate(distances);
  r.c_star = D[0];
  r.dc.assign(D.begin() + 1, D.end());

  const Window cw = c_window(r.dc, std::max(q_start, fitted ? plateau_first : 1), o);
  r.fit_c = fit_c_decay(s, distances, r.dc, cw, q_start, o);
  return r;
}

TransitionEstimate estimate_transition(const std::vector<std::vector<double>>& samples_per_point,
                                       const std::vector<PropagationResult>& points, int networks, int M,
                                       Activation activation, const PropagationOptions& o) {
  TransitionEstimate t;
  if (!points.empty()) {
    try {
      t.sigma_w_mean_field = critical_sigma_w(activation, points.front().sigma_b, o.q0);
    } catch (const std::domain_error&) {
      t.sigma_w_mean_field = 0.0;
    }
  }
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return points[a].sigma_w < points[b].sigma_w; });
  std::size_t lo = points.size(), hi = points.size();
  for (std::size_t k = 0; k + 1 < order.size(); ++k) {
    const DepthFit &a = points[order[k]].fit_tangent, &b = points[order[k + 1]].fit_tangent;
    if (a.ok && b.ok && a.slope.value < 0 && b.slope.value >= 0) {
      lo = order[k];
      hi = order[k + 1];
      break;
    }
  }
  if (lo == points.size()) {
    t.note = "the measured chi_1 does not cross 1 inside the scan";
    return t;
  }
  const std::size_t p = std::size_t(kPropagationSums) * std::size_t(M), n = std::size_t(networks);
  std::vector<double> joint(n * 2 * p);
  for (std::size_t s = 0; s < n; ++s) {
    std::copy_n(samples_per_point[lo].begin() + std::ptrdiff_t(s * p), p, joint.begin() + std::ptrdiff_t(s * 2 * p));
    std::copy_n(samples_per_point[hi].begin() + std::ptrdiff_t(s * p), p,
                joint.begin() + std::ptrdiff_t(s * 2 * p + p));
  }
  // Each point's own tangent window and weights, held fixed in the replicas.
  const auto window_of = [](const PropagationResult& point) {
    Window w;
    w.first = point.fit_tangent.first;
    w.last = point.fit_tangent.last;
    std::vector<double> g;
    for (const Estimate& e : point.tangent) g.push_back(e.value);
    w.weights = log_weights(g, point.tangent, w);
    return w;
  };
  const Window wa = window_of(points[lo]), wb = window_of(points[hi]);
  const double sa = points[lo].sigma_w, sb = points[hi].sigma_w;
  const auto crossing = [&](const std::vector<double>& mv) {
    const std::vector<double> ma(mv.begin(), mv.begin() + std::ptrdiff_t(p)), mb(mv.begin() + std::ptrdiff_t(p), mv.end());
    const double fa = fit_log(layers_from_means(ma, M).g, wa).slope, fb = fit_log(layers_from_means(mb, M).g, wb).slope;
    return std::vector<double>{sa - fa * (sb - sa) / (fb - fa)};
  };
  t.sigma_w = jackknife(joint, n, 2 * p, crossing, blocks_for(o, networks)).at(0);
  t.ok = true;
  t.note = "linear interpolation of ln chi_1 between sigma_w = " + short_number(sa) + " and " + short_number(sb);
  return t;
}

}  // namespace nnfield::detail
