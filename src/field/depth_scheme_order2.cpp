// The midpoint form's order-2 right-hand side (include/nnfield/field/depth_scheme.hpp):
//   f1 = f(y; x), psi0 = y - (ax/2) f1, F0 = f(psi0; x - ax/2),
//   psi1 = y + (ax/4) f1 - (3ax/4) F0,   F = f(psi1; x - ax/2),
// with its transpose and tangent. psi1 is phi(x - ax/2) on the trajectory to O(ax^3)
// (psi0 only to O(ax^2)); f_phiphi = S_phiphi/ax is O(1/ax), so an O(ax^2) error in the
// evaluation point would put an O(ax) error into F_phi, i.e. into the adjoint and the
// training dynamics (docs/field-limit.md 6).
#include <algorithm>

#include "depth_schemes.hpp"

namespace nnfield {

MidpointOrder2Scheme::MidpointOrder2Scheme(double ax, int substeps, std::size_t ny)
    : MidpointScheme(ax, substeps, ny) {
  for (auto* v : {&m_f1, &m_psi0, &m_F0, &m_psi1, &m_psi1_bar, &m_psi0_bar, &m_F0_bar, &m_f1_bar, &m_f1_dot,
                  &m_psi0_dot, &m_F0_dot, &m_psi1_dot})
    v->assign(ny, 0.0);
}

void MidpointOrder2Scheme::intermediate_states(DepthLayer& layer, const double* y) {
  rate(layer, LinkSide::at, y, m_f1.data());
  const double half = 0.5 * ax(), quarter = 0.25 * ax(), three_quarters = 0.75 * ax();
  for (std::size_t b = 0; b < m_f1.size(); ++b) m_psi0[b] = y[b] - half * m_f1[b];
  rate(layer, LinkSide::behind, m_psi0.data(), m_F0.data());
  for (std::size_t b = 0; b < m_f1.size(); ++b) m_psi1[b] = y[b] + quarter * m_f1[b] - three_quarters * m_F0[b];
}

void MidpointOrder2Scheme::rhs(DepthLayer& layer, const double* y, double* F) {
  intermediate_states(layer, y);
  rate(layer, LinkSide::behind, m_psi1.data(), F);
}

// Recompute the forward states, then transpose the chain from F back to y.
void MidpointOrder2Scheme::rhs_transpose(DepthLayer& layer, const double* y, const double* F_bar, double* y_bar) {
  intermediate_states(layer, y);
  const std::size_t n = m_f1.size();
  const double half = 0.5 * ax(), quarter = 0.25 * ax(), three_quarters = 0.75 * ax();
  std::fill(m_psi1_bar.begin(), m_psi1_bar.end(), 0.0);
  rate_transpose(layer, LinkSide::behind, m_psi1.data(), F_bar, m_psi1_bar.data());
  for (std::size_t b = 0; b < n; ++b) m_F0_bar[b] = -three_quarters * m_psi1_bar[b];
  std::fill(m_psi0_bar.begin(), m_psi0_bar.end(), 0.0);
  rate_transpose(layer, LinkSide::behind, m_psi0.data(), m_F0_bar.data(), m_psi0_bar.data());
  for (std::size_t b = 0; b < n; ++b) {
    y_bar[b] += m_psi1_bar[b] + m_psi0_bar[b];
    m_f1_bar[b] = quarter * m_psi1_bar[b] - half * m_psi0_bar[b];
  }
  rate_transpose(layer, LinkSide::at, y, m_f1_bar.data(), y_bar);
}

void MidpointOrder2Scheme::rhs_tangent(DepthLayer& layer, const double* y, const double* y_dot, double* F,
                                       double* F_dot) {
  intermediate_states(layer, y);
  const std::size_t n = m_f1.size();
  const double half = 0.5 * ax(), quarter = 0.25 * ax(), three_quarters = 0.75 * ax();
  rate_tangent(layer, LinkSide::at, y, y_dot, m_f1_dot.data());
  for (std::size_t b = 0; b < n; ++b) m_psi0_dot[b] = y_dot[b] - half * m_f1_dot[b];
  rate_tangent(layer, LinkSide::behind, m_psi0.data(), m_psi0_dot.data(), m_F0_dot.data());
  for (std::size_t b = 0; b < n; ++b) m_psi1_dot[b] = y_dot[b] + quarter * m_f1_dot[b] - three_quarters * m_F0_dot[b];
  rate(layer, LinkSide::behind, m_psi1.data(), F);
  rate_tangent(layer, LinkSide::behind, m_psi1.data(), m_psi1_dot.data(), F_dot);
}

}  // namespace nnfield
