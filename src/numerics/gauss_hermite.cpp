#include "nnfield/numerics/gauss_hermite.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "nnfield/numerics/linalg.hpp"

namespace nnfield {

namespace {

// Orthonormal Hermite polynomials for N(0, 1): p_0 = 1, p_1 = z,
// p_{k+1} = (z p_k - sqrt(k) p_{k-1}) / sqrt(k+1). Returns p_{n-1}(z) and p_n(z) times
// exp(-log_scale): the pair is rescaled whenever it grows past 1e150 (p_n ~ e^168 at
// z = 22, n = 160, and squaring it would overflow at higher orders).
struct HermitePair {
  double p_prev, p_n, log_scale;
};

HermitePair orthonormal_hermite(int n, double z) {
  double p_prev = 1.0, p = z, log_scale = 0.0;
  if (n == 0) return {0.0, 1.0, 0.0};
  for (int k = 1; k < n; ++k) {
    const double next = (z * p - std::sqrt(double(k)) * p_prev) / std::sqrt(double(k + 1));
    p_prev = p;
    p = next;
    if (std::fabs(p) > 1e150) {
      p *= 1e-150;
      p_prev *= 1e-150;
      log_scale += 150.0 * std::log(10.0);
    }
  }
  return {p_prev, p, log_scale};
}

}  // namespace

GaussHermiteRule gauss_hermite_rule(int order) {
  if (order < 1) throw std::invalid_argument("Gauss-Hermite order must be >= 1");
  const int n = order;
  // Golub-Welsch: the nodes are the eigenvalues of the Jacobi matrix of the orthonormal
  // Hermite polynomials (zero diagonal, off-diagonal sqrt(k)).
  std::vector<double> diagonal(std::size_t(n), 0.0), off(std::size_t(std::max(n - 1, 0)));
  for (int k = 1; k < n; ++k) off[std::size_t(k - 1)] = std::sqrt(double(k));
  const std::vector<double> nodes = symmetric_tridiagonal_eigenvalues(diagonal, off);
  GaussHermiteRule rule;
  rule.z.resize(std::size_t(n));
  rule.log_w.resize(std::size_t(n));
  for (int i = 0; i < n; ++i) {
    double z = nodes[std::size_t(i)];
    // Newton on p_n: p_n' = sqrt(n) p_{n-1}, and the ratio is free of the rescaling.
    for (int step = 0; step < 3; ++step) {
      const HermitePair h = orthonormal_hermite(n, z);
      z -= h.p_n / (std::sqrt(double(n)) * h.p_prev);
    }
    const HermitePair h = orthonormal_hermite(n, z);
    rule.z[std::size_t(i)] = z;
    // Christoffel-Darboux: w_i = 1 / sum_{k<n} p_k(z_i)^2 = 1 / (n p_{n-1}(z_i)^2).
    rule.log_w[std::size_t(i)] = -std::log(double(n)) - 2.0 * (std::log(std::fabs(h.p_prev)) + h.log_scale);
  }
  // Symmetrise (the exact rule is symmetric; this removes the last-ulp asymmetry).
  for (int i = 0; i < n / 2; ++i) {
    const std::size_t a = std::size_t(i), b = std::size_t(n - 1 - i);
    const double z = 0.5 * (rule.z[b] - rule.z[a]), lw = 0.5 * (rule.log_w[a] + rule.log_w[b]);
    rule.z[a] = -z;
    rule.z[b] = z;
    rule.log_w[a] = rule.log_w[b] = lw;
  }
  if (n % 2 == 1) rule.z[std::size_t(n / 2)] = 0.0;
  return rule;
}

NormalRule normal_rule(const GaussHermiteRule& rule, double variance) {
  NormalRule r;
  const std::size_t n = rule.z.size();
  r.x.resize(n);
  r.w.resize(n);
  if (variance <= 1.0) {
    const double s = std::sqrt(std::max(variance, 0.0));
    for (std::size_t i = 0; i < n; ++i) {
      r.x[i] = s * rule.z[i];
      r.w[i] = std::exp(rule.log_w[i]);
    }
  } else {
    // x = s z; N(x; 0, v) / N(x; 0, s^2) = (s / sqrt(v)) exp(z^2 (1 - s^2/v) / 2).
    const double s = std::max(1.0, std::sqrt(variance) / 3.0);
    const double a = 0.5 * (1.0 - s * s / variance), log_norm = std::log(s) - 0.5 * std::log(variance);
    for (std::size_t i = 0; i < n; ++i) {
      r.x[i] = s * rule.z[i];
      r.w[i] = std::exp(rule.log_w[i] + a * rule.z[i] * rule.z[i] + log_norm);
    }
  }
  return r;
}

}  // namespace nnfield
