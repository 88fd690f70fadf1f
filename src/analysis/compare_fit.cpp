// Observed orders of convergence (include/nnfield/analysis/compare.hpp): pair slopes and the
// fit e = C a^p (1 + D a) on log e (Levenberg-Marquardt, 3 parameters), and the verdict.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "nnfield/analysis/compare.hpp"

namespace nnfield {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// How far an order may stray (from the finest pair, from theory, as fit uncertainty) and still count.
constexpr double kOrderTolerance = 0.3;

struct Fit3 {
  double lc = 0, p = 0, D = 0, ssr = 0;
  bool ok = false;
};

double ssr_of(const std::vector<double>& la, const std::vector<double>& a, const std::vector<double>& le, double lc,
              double p, double D) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double u = 1.0 + D * a[i];
    if (!(u > 0.0)) return std::numeric_limits<double>::infinity();
    const double r = lc + p * la[i] + std::log(u) - le[i];
    s += r * r;
  }
  return s;
}

// Solves the 3x3 system A x = b (Gaussian elimination with partial pivoting); false if singular.
bool solve3(double A[3][3], double b[3], double x[3]) {
  int idx[3] = {0, 1, 2};
  for (int c = 0; c < 3; ++c) {
    int piv = c;
    for (int r = c + 1; r < 3; ++r)
      if (std::fabs(A[r][c]) > std::fabs(A[piv][c])) piv = r;
    if (std::fabs(A[piv][c]) < 1e-300) return false;
    std::swap(A[piv], A[c]);
    std::swap(b[piv], b[c]);
    for (int r = c + 1; r < 3; ++r) {
      const double f = A[r][c] / A[c][c];
      for (int k = c; k < 3; ++k) A[r][k] -= f * A[c][k];
      b[r] -= f * b[c];
    }
  }
  (void)idx;
  for (int r = 2; r >= 0; --r) {
    double s = b[r];
    for (int k = r + 1; k < 3; ++k) s -= A[r][k] * x[k];
    x[r] = s / A[r][r];
  }
  return true;
}

Fit3 levenberg(const std::vector<double>& a, const std::vector<double>& le, double lc, double p, double D) {
  std::vector<double> la(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) la[i] = std::log(a[i]);
  Fit3 f{lc, p, D, ssr_of(la, a, le, lc, p, D), false};
  if (!std::isfinite(f.ssr)) return f;
  double lambda = 1e-3;
  for (int it = 0; it < 500; ++it) {
    double JtJ[3][3] = {}, Jtr[3] = {};
    for (std::size_t i = 0; i < a.size(); ++i) {
      const double u = 1.0 + f.D * a[i];
      const double J[3] = {1.0, la[i], a[i] / u};
      const double r = f.lc + f.p * la[i] + std::log(u) - le[i];
      for (int j = 0; j < 3; ++j) {
        Jtr[j] += J[j] * r;
        for (int k = 0; k < 3; ++k) JtJ[j][k] += J[j] * J[k];
      }
    }
    bool improved = false;
    for (int tries = 0; tries < 30 && !improved; ++tries) {
      double A[3][3], b[3], dx[3];
      for (int j = 0; j < 3; ++j) {
        for (int k = 0; k < 3; ++k) A[j][k] = JtJ[j][k];
        A[j][j] += lambda * std::max(JtJ[j][j], 1e-12);
        b[j] = -Jtr[j];
      }
      if (!solve3(A, b, dx)) {
        lambda *= 10;
        continue;
      }
      const double s = ssr_of(la, a, le, f.lc + dx[0], f.p + dx[1], f.D + dx[2]);
      if (s < f.ssr) {
        const double gain = f.ssr - s;
        f.lc += dx[0], f.p += dx[1], f.D += dx[2];
        f.ssr = s;
        lambda = std::max(lambda / 10, 1e-15);
        improved = true;
        if (gain < 1e-30 || f.ssr < 1e-28) it = 1 << 20;
      } else {
        lambda *= 10;
      }
    }
    if (!improved) break;
  }
  f.ok = std::isfinite(f.ssr);
  return f;
}

std::string number(double v, const char* fmt = "%.2f") {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

}  // namespace

OrderFit fit_orders(const std::vector<double>& a, const std::vector<double>& e) {
  OrderFit out;
  out.order = out.uncertainty = out.C = out.D = kNaN;
  const std::size_t n = std::min(a.size(), e.size());
  for (std::size_t l = 0; l + 1 < n; ++l)
    out.pair_order.push_back(std::log(e[l] / e[l + 1]) / std::log(a[l] / a[l + 1]));
  if (n < 3) return out;
  for (std::size_t i = 0; i < n; ++i)
    if (!(e[i] > 0.0) || !std::isfinite(e[i])) return out;
  std::vector<double> le(n), av(a.begin(), a.begin() + std::ptrdiff_t(n));
  for (std::size_t i = 0; i < n; ++i) le[i] = std::log(e[i]);
  // Start from the plain power law through the finest pair, with several corrections D.
  const double p0 = out.pair_order.back();
  const double lc0 = le[n - 1] - p0 * std::log(av[n - 1]);
  const double amax = *std::max_element(av.begin(), av.end());
  Fit3 best;
  best.ssr = std::numeric_limits<double>::infinity();
  for (double Da : {0.0, 0.5, -0.5, 2.0, -0.9, 10.0}) {
    const Fit3 f = levenberg(av, le, lc0, p0, Da / amax);
    if (f.ok && f.ssr < best.ssr) best = f;
  }
  if (!best.ok) return out;
  const double tolerance = n == 3 ? 1e-16 * (1.0 + std::fabs(le[0])) : std::numeric_limits<double>::infinity();
  if (n == 3 && best.ssr > std::max(tolerance, 1e-12)) return out;  // no interpolating solution with 1 + D a > 0
  out.fitted = true;
  out.order = best.p;
  out.C = std::exp(best.lc);
  out.D = best.D;
  if (n == 3) {
    const auto mm = std::minmax_element(out.pair_order.begin(), out.pair_order.end());
    out.uncertainty = *mm.second - *mm.first;
  } else {
    // Standard error of p from the residual: s^2 (J^T J)^-1.
    double JtJ[3][3] = {};
    for (std::size_t i = 0; i < n; ++i) {
      const double J[3] = {1.0, std::log(av[i]), av[i] / (1.0 + best.D * av[i])};
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 3; ++k) JtJ[j][k] += J[j] * J[k];
    }
    const double s2 = best.ssr / double(n - 3);
    double A[3][3], b[3] = {0, 1, 0}, x[3];
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) A[j][k] = JtJ[j][k];
    out.uncertainty = solve3(A, b, x) ? std::sqrt(std::max(0.0, s2 * x[1])) : kNaN;
  }
  return out;
}

namespace {

// The flags of an order against theory, appended to "converges at order ...".
std::string order_flags(double order, double theoretical, const char* above_cause) {
  if (order > theoretical + kOrderTolerance)
    return " (above theory " + number(theoretical, "%.0f") + (above_cause ? std::string(": ") + above_cause : "") + ")";
  if (order < theoretical - kOrderTolerance) return " (below the theoretical order " + number(theoretical, "%.0f") + ")";
  return "";
}

}  // namespace

std::string convergence_verdict(const std::vector<double>& e, const OrderFit& fit, double theoretical,
                                const char* above_cause) {
  if (e.size() < 2) return "pre-asymptotic (one level: no order)";
  for (double v : e)
    if (!std::isfinite(v)) return "pre-asymptotic (missing levels)";
  bool monotone = true;
  for (std::size_t l = 0; l + 1 < e.size(); ++l) monotone = monotone && e[l + 1] < e[l];
  const double finest = fit.pair_order.empty() ? std::numeric_limits<double>::quiet_NaN() : fit.pair_order.back();
  if (!monotone) return "pre-asymptotic (errors do not fall monotonically)";
  if (fit.fitted) {
    const std::string fitted = number(fit.order) + " ± " + number(fit.uncertainty);
    if (!(fit.uncertainty <= kOrderTolerance))
      return "inconclusive (fit order " + fitted + ": uncertainty above " + number(kOrderTolerance, "%.1f") + ")";
    if (std::fabs(finest - fit.order) <= kOrderTolerance)
      return "converges at order " + fitted + order_flags(fit.order, theoretical, above_cause);
    return "pre-asymptotic (finest pair " + number(finest) + " vs fit " + number(fit.order) + ")";
  }
  if (finest >= theoretical - kOrderTolerance)
    return "converges at order " + number(finest) + " (finest pair; no 3-parameter fit" +
           (e.size() < 3 ? " with " + std::to_string(e.size()) + " errors)" : " possible)") +
           order_flags(finest, theoretical, above_cause);
  return "pre-asymptotic (finest pair " + number(finest) + ", theory " + number(theoretical, "%.0f") + ")";
}

std::string independence_verdict(const std::vector<double>& e, const OrderFit& fit, const std::string& spacing,
                                 const std::string& why) {
  bool finite = e.size() >= 2;
  for (double v : e) finite = finite && std::isfinite(v) && v > 0.0;
  const double finest = fit.pair_order.empty() ? kNaN : fit.pair_order.back();
  if (!finite || !(std::fabs(finest) <= kOrderTolerance))
    return convergence_verdict(e, fit, 0.0, "the part of the error that depends on it still dominates");
  std::string orders;
  for (double p : fit.pair_order) orders += (orders.empty() ? "" : ", ") + number(p);
  return "independent of " + spacing + " (pair orders " + orders + "): " + why;
}

}  // namespace nnfield
