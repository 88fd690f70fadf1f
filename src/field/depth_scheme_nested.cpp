// The midpoint form's right-hand sides of order p = 2, 3 (include/nnfield/field/depth_scheme.hpp):
// the modified equation of the layer map phi -> phi + ax f(phi, x), evaluated without
// derivatives as nested evaluations of f, with its transpose and tangent. The derivation is
// docs/field-limit.md section 6. Two rules shape the tables:
//
//  * the outer evaluations must read the trajectory's own phi at their depth to O(ax^(p+1)),
//    not only to O(ax^p): f_phiphi = S_phiphi/ax is O(1/ax) (the layer map is near the
//    identity only in its first derivative), so an evaluation point off by e puts e/ax into
//    F_phi, the linearisation that carries the adjoint and the training dynamics;
//  * an evaluation at depth x - s ax reads the link fields there (LinkSide), so the table
//    holds for the x-dependent map, and for parameter variations alike.
//
// p = 2: F = f(psi1; x - ax/2), psi1 = y + (ax/4) f(y; x) - (3ax/4) f(y - (ax/2) f(y; x); x - ax/2),
//        psi1 = phi(x - ax/2) + O(ax^3).
// p = 3: on a trajectory of the map, a(s) = f(phi(x - s ax); x - s ax) is the forward
//        difference (phi(x - s ax + ax) - phi(x - s ax))/ax, and
//            phi_x(x) = (4/3) a(1/2) - (1/6) (a(0) + a(1)) + O(ax^4)
//        (the central difference a(1/2) errs by (ax^2/24) phi_xxx, the second difference
//        of a(0), a(1/2), a(1) supplies it). The states, each to O(ax^4):
//          phi(x - ax):   P_{j+1} = y - ax f(P_j; x - ax), P_0 = y - ax f(y; x), three rounds
//                         (the inverse layer map; each gains one order), a(1) = f(P_2; x - ax);
//          phi(x - ax/2): psi2 = y - (ax/2) f(psi1; x - ax/2) + (ax/8)(a(0) - a(1)), one
//                         round of phi(x) = phi(m) + (ax/2) f(phi(m); m) - (ax^2/8) phi_xx(x)
//                         + O(ax^4), m = x - ax/2, from p = 2's psi1 (ax phi_xx = a(0) - a(1)).
//        7 layer evaluations (p = 2: 3).
#include <algorithm>
#include <stdexcept>

#include "depth_schemes.hpp"

namespace nnfield {

namespace {

NestedRhs order2() {
  using L = LinkSide;
  NestedRhs r;
  r.evaluations = {{L::at, {}}, {L::half_behind, {-0.5}}, {L::half_behind, {0.25, -0.75}}};
  r.d = {0.0, 0.0, 1.0};
  return r;
}

NestedRhs order3() {
  using L = LinkSide;
  NestedRhs r;
  r.evaluations = {
      {L::at, {}},                                                  // k0 = a(0) = f(y; x)
      {L::step_behind, {-1.0}},                                     // f(P_0; x - ax)
      {L::step_behind, {0.0, -1.0}},                                // f(P_1; x - ax)
      {L::step_behind, {0.0, 0.0, -1.0}},                           // k3 = a(1) = f(P_2; x - ax)
      {L::half_behind, {-0.5}},                                     // f(psi0; x - ax/2)
      {L::half_behind, {0.25, 0.0, 0.0, 0.0, -0.75}},               // f(psi1; x - ax/2)
      {L::half_behind, {0.125, 0.0, 0.0, -0.125, 0.0, -0.5}},       // k6 = a(1/2) = f(psi2; x - ax/2)
  };
  r.d = {-1.0 / 6.0, 0.0, 0.0, -1.0 / 6.0, 0.0, 0.0, 4.0 / 3.0};
  r.interpolates_output_line = false;
  return r;
}

}  // namespace

const NestedRhs& nested_rhs(int p) {
  static const NestedRhs two = order2(), three = order3();
  if (p == 2) return two;
  if (p == 3) return three;
  throw std::invalid_argument("nested_rhs: the midpoint form's nested right-hand sides have orders p = 2, 3");
}

std::complex<double> midpoint_symbol(int p, std::complex<double> u) {
  if (p == 1) return u;
  // f = (u/ax) phi: every evaluation is K_e = ax k_e / phi = u (1 + sum_j a_j K_j).
  const NestedRhs& r = nested_rhs(p);
  std::vector<std::complex<double>> K;
  std::complex<double> F = 0.0;
  for (std::size_t e = 0; e < r.evaluations.size(); ++e) {
    std::complex<double> state = 1.0;
    for (std::size_t j = 0; j < r.evaluations[e].a.size(); ++j) state += r.evaluations[e].a[j] * K[j];
    K.push_back(u * state);
    F += r.d[e] * K.back();
  }
  return F;
}

NestedMidpointScheme::NestedMidpointScheme(int p, double ax, int substeps, std::size_t ny)
    : MidpointScheme(ax, substeps, ny), m_rhs(nested_rhs(p)), m_n(ny), m_y_bar_sum(ny) {
  const std::size_t E = m_rhs.evaluations.size();
  for (std::size_t e = 1; e < E; ++e)  // rhs_transpose adds only evaluation 0 straight into y_bar
    if (m_rhs.evaluations[e].a.empty()) throw std::logic_error("nested_rhs: only evaluation 0 reads y itself");
  for (auto* v : {&m_state, &m_k, &m_state_bar, &m_k_bar, &m_state_dot, &m_k_dot}) v->assign(E, std::vector<double>(ny));
}

// F's sensitivity to the link fields of a side, at leading order: the outer weights d_e of
// the evaluations on it (the inner ones enter through states weighted by ax).
double NestedMidpointScheme::side_weight(LinkSide side) const {
  double weight = 0.0;
  for (std::size_t e = 0; e < m_rhs.evaluations.size(); ++e)
    if (m_rhs.evaluations[e].side == side) weight += m_rhs.d[e];
  return weight;
}

bool NestedMidpointScheme::reads(LinkSide side) const {
  return std::any_of(m_rhs.evaluations.begin(), m_rhs.evaluations.end(),
                     [side](const NestedEvaluation& e) { return e.side == side; });
}

// out = base + ax sum_j from[j] k[j], term by term in j (zero coefficients skipped).
void NestedMidpointScheme::combine(const std::vector<double>& from, const double* base,
                                   const std::vector<std::vector<double>>& k, double* out) const {
  std::copy_n(base, m_n, out);
  for (std::size_t j = 0; j < from.size(); ++j) {
    if (from[j] == 0.0) continue;
    const double c = from[j] * ax();
    const double* kj = k[j].data();
    for (std::size_t b = 0; b < m_n; ++b) out[b] += c * kj[b];
  }
}

void NestedMidpointScheme::evaluate(DepthLayer& layer, const double* y, bool all) {
  const std::size_t E = m_rhs.evaluations.size();
  std::copy_n(y, m_n, m_state[0].data());
  for (std::size_t e = 0; e < E; ++e) {
    const NestedEvaluation& ev = m_rhs.evaluations[e];
    if (e > 0) combine(ev.a, y, m_k, m_state[e].data());
    if (e + 1 < E || all) rate(layer, ev.side, m_state[e].data(), m_k[e].data());
  }
}

namespace {

// F = sum_e d_e k_e (a unit weight copies: p = 2's F is its last evaluation, bit for bit).
void weighted_sum(const std::vector<double>& d, const std::vector<std::vector<double>>& k, std::size_t n,
                         double* F) {
  std::fill_n(F, n, 0.0);
  bool first = true;
  for (std::size_t e = 0; e < d.size(); ++e) {
    if (d[e] == 0.0) continue;
    for (std::size_t b = 0; b < n; ++b) F[b] = first ? d[e] * k[e][b] : F[b] + d[e] * k[e][b];
    first = false;
  }
}

}  // namespace

void NestedMidpointScheme::rhs(DepthLayer& layer, const double* y, double* F) {
  evaluate(layer, y, true);
  weighted_sum(m_rhs.d, m_k, m_n, F);
}

// Recompute the forward states, then transpose the evaluations from the last back to y.
void NestedMidpointScheme::rhs_transpose(DepthLayer& layer, const double* y, const double* F_bar, double* y_bar) {
  evaluate(layer, y, false);
  const std::size_t E = m_rhs.evaluations.size();
  for (std::size_t e = 0; e < E; ++e)
    for (std::size_t b = 0; b < m_n; ++b) m_k_bar[e][b] = m_rhs.d[e] == 1.0 ? F_bar[b] : m_rhs.d[e] * F_bar[b];
  std::fill(m_y_bar_sum.begin(), m_y_bar_sum.end(), 0.0);
  for (std::size_t e = E - 1; e > 0; --e) {
    const NestedEvaluation& ev = m_rhs.evaluations[e];
    std::vector<double>& s_bar = m_state_bar[e];
    std::fill(s_bar.begin(), s_bar.end(), 0.0);
    rate_transpose(layer, ev.side, m_state[e].data(), m_k_bar[e].data(), s_bar.data());
    for (std::size_t b = 0; b < m_n; ++b) m_y_bar_sum[b] += s_bar[b];
    for (std::size_t j = 0; j < ev.a.size(); ++j) {
      if (ev.a[j] == 0.0) continue;
      const double c = ev.a[j] * ax();
      for (std::size_t b = 0; b < m_n; ++b) m_k_bar[j][b] += c * s_bar[b];
    }
  }
  for (std::size_t b = 0; b < m_n; ++b) y_bar[b] += m_y_bar_sum[b];
  rate_transpose(layer, m_rhs.evaluations[0].side, y, m_k_bar[0].data(), y_bar);
}

void NestedMidpointScheme::rhs_tangent(DepthLayer& layer, const double* y, const double* y_dot, double* F,
                                       double* F_dot) {
  evaluate(layer, y, true);
  const std::size_t E = m_rhs.evaluations.size();
  for (std::size_t e = 0; e < E; ++e) {
    const NestedEvaluation& ev = m_rhs.evaluations[e];
    if (e == 0)
      std::copy_n(y_dot, m_n, m_state_dot[0].data());
    else
      combine(ev.a, y_dot, m_k_dot, m_state_dot[e].data());
    rate_tangent(layer, ev.side, m_state[e].data(), m_state_dot[e].data(), m_k_dot[e].data());
  }
  weighted_sum(m_rhs.d, m_k, m_n, F);
  weighted_sum(m_rhs.d, m_k_dot, m_n, F_dot);
}

}  // namespace nnfield
