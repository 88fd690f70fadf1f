// The depth schemes' stepping and rates (include/nnfield/field/depth_scheme.hpp): the
// lattice map and the midpoint flow, with the one-evaluation right-hand side F = f(y)
// they share at p = 1. The nested right-hand sides of orders 2, 3 are in depth_scheme_nested.cpp.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "depth_schemes.hpp"
#include "nnfield/field/field_theory.hpp"

namespace nnfield {

// F = f(y; x) and its transpose and tangent.
void DepthScheme::rhs(DepthLayer& layer, const double* y, double* F) { rate(layer, LinkSide::at, y, F); }

void DepthScheme::rhs_transpose(DepthLayer& layer, const double* y, const double* F_bar, double* y_bar) {
  rate_transpose(layer, LinkSide::at, y, F_bar, y_bar);
}

void DepthScheme::rhs_tangent(DepthLayer& layer, const double* y, const double* y_dot, double* F, double* F_dot) {
  rate(layer, LinkSide::at, y, F);
  rate_tangent(layer, LinkSide::at, y, y_dot, F_dot);
}

// ---- the lattice map: phi(x + ax) = S(phi(x)), Eq. 1 itself ----

int LatticeMapScheme::intervals(int M, int) const { return M - 1; }

void LatticeMapScheme::advance(double, std::size_t n, double* y, const StageRhs& rhs) {
  m_next.resize(n);
  rhs(0, y, m_next.data());
  std::copy_n(m_next.data(), n, y);
}

void LatticeMapScheme::advance_transpose(double, std::size_t n, double* y_bar, const StageRhsTranspose& rhs_transpose) {
  m_next.resize(n);
  std::copy_n(y_bar, n, m_next.data());  // the next line's adjoint is the map's S_bar
  rhs_transpose(0, m_next.data(), y_bar);
}

void LatticeMapScheme::rate(DepthLayer& layer, LinkSide side, const double* y, double* f) { layer.map(side, y, f); }

void LatticeMapScheme::rate_transpose(DepthLayer& layer, LinkSide side, const double* y, const double* f_bar,
                                      double* y_bar) {
  layer.map_transpose(side, y, f_bar, y_bar);
}

void LatticeMapScheme::rate_tangent(DepthLayer& layer, LinkSide side, const double* y, const double* y_dot,
                                    double* f_dot) {
  layer.map_tangent(side, y, y_dot, f_dot);
}

// ---- the midpoint flow: phi_x = (S - phi)/ax, RK4 in depth ----

int MidpointScheme::intervals(int M, int rx) const { return std::max(1, int(std::lround(double(M - 1) / rx))); }

// Stage s = j S + i is RK stage i of substep j: depth (j + c_i) h, share b_i / substeps.
double MidpointScheme::stage_depth(int stage, double hx) const {
  const ExplicitRungeKutta& rk = method();
  const int j = stage / rk.stages(), i = stage % rk.stages();
  return (j + rk.c[std::size_t(i)]) * (hx / m_substeps);
}

double MidpointScheme::stage_share(int stage) const { return method().weight(stage % method().stages()) / m_substeps; }

double MidpointScheme::substep(double hx, std::size_t n) {
  m_rates.resize(std::size_t(method().stages()) * n);
  m_stage_state.resize(n);
  return hx / m_substeps;
}

void MidpointScheme::advance(double hx, std::size_t n, double* y, const StageRhs& rhs) {
  const ExplicitRungeKutta& rk = method();
  const int S = rk.stages();
  const double h = substep(hx, n);
  for (int j = 0; j < m_substeps; ++j)
    rk_step(rk, h, n, y, m_rates.data(), m_stage_state.data(),
            [&](int s, const double* ys, double* ks) { rhs(j * S + s, ys, ks); });
}

void MidpointScheme::advance_transpose(double hx, std::size_t n, double* y_bar,
                                       const StageRhsTranspose& rhs_transpose) {
  const ExplicitRungeKutta& rk = method();
  const int S = rk.stages();
  const double h = substep(hx, n);
  for (int j = m_substeps - 1; j >= 0; --j)
    rk_step_transpose(rk, h, n, y_bar, m_rates.data(), m_stage_state.data(),
                      [&](int s, const double* k_bar, double* ys_bar) { rhs_transpose(j * S + s, k_bar, ys_bar); });
}

void MidpointScheme::rate(DepthLayer& layer, LinkSide side, const double* y, double* f) {
  layer.map(side, y, f);
  const double inv_ax = 1.0 / m_ax;
  for (std::size_t b = 0; b < m_S_bar.size(); ++b) f[b] = (f[b] - y[b]) * inv_ax;
}

// f = (S - y)/ax: S_bar = f_bar/ax, and y_bar -= f_bar/ax after the map's own transpose.
void MidpointScheme::rate_transpose(DepthLayer& layer, LinkSide side, const double* y, const double* f_bar,
                                    double* y_bar) {
  const double inv_ax = 1.0 / m_ax;
  const std::size_t n = m_S_bar.size();
  for (std::size_t b = 0; b < n; ++b) m_S_bar[b] = f_bar[b] * inv_ax;
  layer.map_transpose(side, y, m_S_bar.data(), y_bar);
  for (std::size_t b = 0; b < n; ++b) y_bar[b] -= f_bar[b] * inv_ax;
}

void MidpointScheme::rate_tangent(DepthLayer& layer, LinkSide side, const double* y, const double* y_dot,
                                  double* f_dot) {
  layer.map_tangent(side, y, y_dot, f_dot);
  const double inv_ax = 1.0 / m_ax;
  for (std::size_t b = 0; b < m_S_bar.size(); ++b) f_dot[b] = (f_dot[b] - y_dot[b]) * inv_ax;
}

std::unique_ptr<DepthScheme> make_depth_scheme(const FieldSettings& settings, double ax, std::size_t ny) {
  if (settings.form == DepthForm::exact) return std::make_unique<LatticeMapScheme>(ny);
  if (settings.form != DepthForm::midpoint)
    throw std::invalid_argument("field solver: the form must be exact or midpoint, not " + name(settings.form));
  if (settings.p == 1) return std::make_unique<MidpointScheme>(ax, settings.depth_substeps, ny);
  if (settings.p == 2 || settings.p == 3)
    return std::make_unique<NestedMidpointScheme>(settings.p, ax, settings.depth_substeps, ny);
  throw std::invalid_argument("field solver: the midpoint form has orders p = 1, 2, 3");
}

}  // namespace nnfield
