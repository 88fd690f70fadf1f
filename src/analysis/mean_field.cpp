#include "nnfield/analysis/mean_field.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace nnfield {

namespace {

// A root of f in [lo, hi], where f(lo) has the sign of f_lo and f(hi) the other sign.
template <class F>
double bisect(F&& f, double lo, double hi, double f_lo, int iterations = 200) {
  for (int k = 0; k < iterations; ++k) {
    const double mid = 0.5 * (lo + hi);
    if (mid == lo || mid == hi) break;
    const double f_mid = f(mid);
    if ((f_mid > 0) == (f_lo > 0) && f_mid != 0)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

// E[f(u)^2] over the nodes of a normal rule, u ~ N(0, q).
template <class F>
double mean_square(const NormalRule& r, F&& f) {
  double e = 0.0;
  for (std::size_t i = 0; i < r.x.size(); ++i) {
    const double h = f(r.x[i]);
    e += r.w[i] * h * h;
  }
  return e;
}

}  // namespace

double depth_scale_of(double chi) {
  return chi > 0.0 && chi < 1.0 ? -1.0 / std::log(chi) : std::numeric_limits<double>::infinity();
}

MeanField::MeanField(Activation activation, double sigma_w, double sigma_b, int order)
    : m_activation(activation), m_sigma_w(sigma_w), m_sigma_b(sigma_b), m_rule(gauss_hermite_rule(order)) {}

double MeanField::q_map(double q) const {
  const double e = mean_square(normal_rule(m_rule, q), [this](double u) { return sigma(m_activation, u); });
  return m_sigma_w * m_sigma_w * e + m_sigma_b * m_sigma_b;
}

double MeanField::chi_1(double q) const {
  const double e = mean_square(normal_rule(m_rule, q), [this](double u) { return sigma_d1(m_activation, u); });
  return m_sigma_w * m_sigma_w * e;
}

double MeanField::chi_q(double q) const {
  const NormalRule r = normal_rule(m_rule, q);
  double e = 0.0;
  for (std::size_t i = 0; i < r.x.size(); ++i) {
    const double u = r.x[i], d = sigma_d1(m_activation, u);
    e += r.w[i] * (d * d + sigma(m_activation, u) * sigma_d2(m_activation, u));
  }
  return m_sigma_w * m_sigma_w * e;
}

double MeanField::q_star(double q_start) const {
  const auto g = [&](double q) { return q_map(q) - q; };
  const double g0 = g(q_start);
  if (g0 == 0.0) return q_start;
  const double step = g0 > 0 ? 2.0 : 0.5;
  double lo = q_start;
  for (int k = 0; k < 2000; ++k) {
    const double hi = lo * step;
    if (hi > 1e12)
      throw std::domain_error("q diverges: no finite fixed point for " + activation_name(m_activation) +
                              ", sigma_w = " + std::to_string(m_sigma_w));
    if (hi < 1e-300) return 0.0;
    if ((g(hi) > 0) != (g0 > 0)) return bisect(g, lo, hi, g0);
    lo = hi;
  }
  throw std::domain_error("q* bracket search failed");
}

void MeanField::pair_expectations(double q, double c, double* phi_phi, double* dphi_dphi) const {
  // u1 ~ N(0, q); given u1, u2 ~ N(c u1, q (1 - c^2)): two nested one-dimensional rules.
  c = std::min(1.0, std::max(-1.0, c));
  const NormalRule outer = normal_rule(m_rule, q);
  const NormalRule inner = normal_rule(m_rule, q * std::max(0.0, 1.0 - c * c));
  const std::size_t n = outer.x.size(), n_inner = inner.x.size();
  std::vector<double> u2(n_inner), h2(n_inner), d2(n_inner);
  double pp = 0.0, dd = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double u1 = outer.x[i];
    for (std::size_t j = 0; j < n_inner; ++j) u2[j] = c * u1 + inner.x[j];
    sigma_and_d1(m_activation, u2.data(), h2.data(), d2.data(), n_inner);
    double sh = 0.0, sd = 0.0;
    for (std::size_t j = 0; j < n_inner; ++j) {
      sh += inner.w[j] * h2[j];
      sd += inner.w[j] * d2[j];
    }
    pp += outer.w[i] * sigma(m_activation, u1) * sh;
    dd += outer.w[i] * sigma_d1(m_activation, u1) * sd;
  }
  if (phi_phi) *phi_phi = pp;
  if (dphi_dphi) *dphi_dphi = dd;
}

double MeanField::c_map(double q, double c) const {
  double pp = 0.0;
  pair_expectations(q, c, &pp, nullptr);
  return (m_sigma_w * m_sigma_w * pp + m_sigma_b * m_sigma_b) / q;
}

double MeanField::chi_c(double q, double c) const {
  double dd = 0.0;
  pair_expectations(q, c, nullptr, &dd);
  return m_sigma_w * m_sigma_w * dd;
}

double MeanField::c_star(double q, double c_start) const {
  const auto G = [&](double c) { return c_map(q, c) - c; };
  c_start = std::min(1.0, std::max(-1.0, c_start));
  if (c_start >= 1.0) return 1.0;
  const double g0 = G(c_start);
  if (g0 == 0.0) return c_start;
  double prev = c_start;
  if (g0 > 0) {
    double gap = 1.0 - c_start;
    while (gap > 1e-12) {
      gap *= 0.8;
      const double c = 1.0 - gap;
      if (G(c) <= 0) return bisect(G, prev, c, g0);
      prev = c;
    }
    return 1.0;
  }
  for (int k = 1; k <= 400; ++k) {
    const double c = c_start - (c_start + 1.0) * k / 400.0;
    if (G(c) >= 0) return bisect(G, prev, c, g0);
    prev = c;
  }
  return -1.0;
}

MeanFieldPoint MeanField::depth_scale(double q0, double c0) const {
  const double sw2 = m_sigma_w * m_sigma_w, sb2 = m_sigma_b * m_sigma_b;
  const double q1 = sw2 * q0 + sb2;
  MeanFieldPoint p;
  p.q_star = q_star(q1);
  p.chi_1 = chi_1(p.q_star);
  p.c_star = p.q_star == 0.0 ? 1.0 : c_star(p.q_star, (sw2 * c0 * q0 + sb2) / q1);
  p.chi_c = p.c_star == 1.0 ? p.chi_1 : chi_c(p.q_star, p.c_star);
  p.xi_c = depth_scale_of(p.chi_c);
  p.chi_q = chi_q(p.q_star);
  p.xi_q = depth_scale_of(p.chi_q);
  return p;
}

void MeanField::trajectory(double q0, double c0, int M, std::vector<double>& q, std::vector<double>& c) const {
  const double sw2 = m_sigma_w * m_sigma_w, sb2 = m_sigma_b * m_sigma_b;
  q.assign(std::size_t(std::max(M, 0)), 0.0);
  c.assign(q.size(), 0.0);
  if (M <= 0) return;
  double qm = sw2 * q0 + sb2, q12 = sw2 * c0 * q0 + sb2;
  q[0] = qm;
  c[0] = q12 / qm;
  for (int m = 1; m < M; ++m) {
    double pp = 0.0;
    pair_expectations(qm, q12 / qm, &pp, nullptr);
    q12 = sw2 * pp + sb2;
    qm = q_map(qm);
    q[std::size_t(m)] = qm;
    c[std::size_t(m)] = q12 / qm;
  }
}

double critical_sigma_w(Activation activation, double sigma_b, double q0, double lo, double hi, int order) {
  const auto h = [&](double sw) {
    const MeanField mf(activation, sw, sigma_b, order);
    return mf.chi_1(mf.q_star(sw * sw * q0 + sigma_b * sigma_b)) - 1.0;
  };
  const int points = 120;
  double prev = lo, h_prev = h(lo);
  for (int k = 1; k < points; ++k) {
    const double sw = lo * std::pow(hi / lo, double(k) / (points - 1));
    double h_sw;
    try {
      h_sw = h(sw);
    } catch (const std::domain_error&) {
      break;
    }
    if ((h_sw > 0) != (h_prev > 0)) return bisect(h, prev, sw, h_prev, 80);
    prev = sw;
    h_prev = h_sw;
  }
  throw std::domain_error("no order-to-chaos transition for " + activation_name(activation) +
                          ", sigma_b = " + std::to_string(sigma_b) + " in sigma_w in [" + std::to_string(lo) +
                          ", " + std::to_string(hi) + "]");
}

}  // namespace nnfield
