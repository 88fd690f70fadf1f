#pragma once
// Mean-field theory of signal propagation through random networks (docs/theory.md section 5):
// Poole et al. 2016, Schoenholz et al., "Deep Information Propagation" (ICLR 2017).
// The C++ twin of scripts/meanfield.py (same formulas, same quadrature order; a test
// checks they agree). z ~ N(0, 1); weights N(0, sigma_w^2/K) over K inputs, so the K
// cancels and every map carries sigma_w^2:
//
//   q map      q' = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2                 (Schoenholz Eq. 3)
//   layer 1    q^(1) = sigma_w^2 q0 + sigma_b^2  (h^(0) = X has no activation)
//   c map      c' = (sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2) / q            (Eq. 4)
//              u1 = sqrt(q) z1, u2 = sqrt(q) (c z1 + sqrt(1 - c^2) z2)
//   chi_1      sigma_w^2 E[phi'(sqrt(q*) z)^2]                                (Eq. 5)
//   chi_c      sigma_w^2 E[phi'(u1) phi'(u2)] at c*: the c map's slope (chi_1 when c* = 1)
//   xi_c       -1 / ln chi_c                                                   (Eq. 9)
//   chi_q      sigma_w^2 E[phi'^2 + phi phi''] (the q map's slope), xi_q = -1 / ln chi_q
#include <vector>

#include "nnfield/core/activation.hpp"
#include "nnfield/numerics/gauss_hermite.hpp"

namespace nnfield {

// Fixed points and depth scales for inputs of per-site variance q0 and correlation c0.
struct MeanFieldPoint {
  double q_star = 0.0;
  double chi_1 = 0.0;
  double c_star = 1.0;  // 1 in the ordered phase
  double chi_c = 0.0;
  double xi_c = 0.0;    // +inf when chi_c >= 1
  double chi_q = 0.0;
  double xi_q = 0.0;
  bool ordered() const { return chi_1 < 1.0; }
};

class MeanField {
 public:
  static constexpr int default_order = 160;
  MeanField(Activation activation, double sigma_w, double sigma_b, int order = default_order);

  double q_map(double q) const;
  // The fixed point the q recursion reaches from q_start. The map is increasing, so the
  // iterates move monotonically to the nearest root of q_map(q) - q in the direction of its
  // sign: bracketed by doubling or halving, then bisected. 0 when the iterates fall to 0
  // (sigma_b = 0, ordered); throws std::domain_error when q grows past 1e12.
  double q_star(double q_start) const;
  double chi_1(double q) const;
  double chi_q(double q) const;
  double c_map(double q, double c) const;
  double chi_c(double q, double c) const;
  // The fixed point the c recursion (at length q) reaches from c_start: going up, probed on a
  // grid with 1 - c_k = (1 - c_start) 0.8^k down to 1e-12 (none found: c* = 1, the fixed point
  // every network has); going down, a uniform grid to -1; then bisection.
  double c_star(double q, double c_start) const;
  // q*, chi_1, c* (reached from the first layer's correlation), chi_c, xi_c, chi_q, xi_q.
  MeanFieldPoint depth_scale(double q0 = 1.0, double c0 = 0.5) const;
  // Layer-by-layer recursion for a pair of inputs, q not assumed converged: q^(m), c^(m)
  // for m = 1..M (index m-1).
  void trajectory(double q0, double c0, int M, std::vector<double>& q, std::vector<double>& c) const;

 private:
  // E[f(u1) f(u2)] and E[f'(u1) f'(u2)] for (u1, u2) of variances q and correlation c.
  void pair_expectations(double q, double c, double* phi_phi, double* dphi_dphi) const;

  Activation m_activation;
  double m_sigma_w, m_sigma_b;
  GaussHermiteRule m_rule;
};

// sigma_w on the order-to-chaos line chi_1(q*) = 1 for this sigma_b, found by bisection in a
// bracket from a geometric grid over [lo, hi]. Throws std::domain_error when there is none.
double critical_sigma_w(Activation activation, double sigma_b, double q0 = 1.0, double lo = 0.05,
                        double hi = 20.0, int order = MeanField::default_order);

// -1 / ln chi for 0 < chi < 1, +inf otherwise.
double depth_scale_of(double chi);

}  // namespace nnfield
