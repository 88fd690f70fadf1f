// The forward depth sweep of the field theory and its transpose (the discrete adjoint),
// include/nnfield/field/field_theory.hpp. Discretise, then differentiate: the gradient is the
// exact gradient of the discrete loss, so the field dynamics keep an exact energy balance.
#include <algorithm>
#include <cmath>

#include "nnfield/field/field_theory.hpp"

namespace nnfield {

// sigma and sigma' of a line into m_sig, m_dsig, with the whole row's bits on a split's block.
void FieldTheory::activate(const double* y) {
  sigma_and_d1_in_row(m_activation, y, m_sig.data(), m_dsig.data(), std::size_t(m_ny),
                      std::size_t(m_halo.block().first), std::size_t(m_halo.block().N));
}

// The layer map of the current stage: S = sum_k w_k T_k sigma(y) + beta (Eq. 1 on the grid).
void FieldTheory::map(LinkSide side, const double* y, double* S) {
  const int n = m_ny, K_ = K();
  const double* w = m_w[std::size_t(side)].data();
  const double* beta = m_beta[std::size_t(side)].data();
  ++m_layer_evaluations;
  activate(y);  // the vectorised kernel
  m_shift.shift_all(m_sig.data(), m_shifted.data());
  const double* shifted = m_shifted.data();
  for (int b = 0; b < n; ++b) {
    double acc = beta[b];
    for (int k = 0; k < K_; ++k) acc += w[std::size_t(b) * K_ + k] * shifted[std::size_t(k) * n + b];
    S[b] = acc;
  }
}

// y_bar += sigma'(y) sum_k T_k^T (w_k S_bar); w_bar_k = S_bar T_k sigma(y), beta_bar = S_bar,
// scattered onto the nodes the side's link fields interpolate.
void FieldTheory::map_transpose(LinkSide side, const double* y, const double* S_bar, double* y_bar) {
  const int n = m_ny, K_ = K();
  const double* w = m_w[std::size_t(side)].data();
  activate(y);
  m_shift.shift_all(m_sig.data(), m_shifted.data());
  // Raw pointers and a local S_bar: the stores below could otherwise alias S_bar for the
  // compiler, which would reload it and keep the loop from vectorising.
  double* wS = m_weighted_S_bar.data();  // (K, ny): w_k S_bar, to be shifted back
  double* w_bar = m_wbar.data();
  double* beta_bar = m_betabar.data();
  const double* shifted = m_shifted.data();
  for (int b = 0; b < n; ++b) {
    const double sb = S_bar[b];
    beta_bar[b] = sb;
    for (int k = 0; k < K_; ++k) {
      w_bar[std::size_t(b) * K_ + k] = sb * shifted[std::size_t(k) * n + b];
      wS[std::size_t(k) * n + b] = w[std::size_t(b) * K_ + k] * sb;
    }
  }
  m_shift.shift_all_transpose(wS, m_shifted_back.data());
  const double* dsig = m_dsig.data();
  const double* back = m_shifted_back.data();
  for (int b = 0; b < n; ++b) y_bar[b] += dsig[b] * back[b];
  scatter_link_gradient(m_stage->side[std::size_t(side)], m_wbar.data(), m_betabar.data(), m_grad);
}

void FieldTheory::enter_stage(const double* q, int stage, const double* v) {
  m_stage = &m_stages[std::size_t(stage)];
  for (std::size_t side = 0; side < std::size_t(kLinkSides); ++side) {
    if (!m_scheme->reads(LinkSide(side))) continue;
    link_fields(q, m_stage->side[side], m_w[side].data(), m_beta[side].data());
    // The interpolation is linear: the velocities alike.
    if (v) link_fields(v, m_stage->side[side], m_wd[side].data(), m_betad[side].data());
  }
}

void FieldTheory::input_layer(const double* q, const double* X, double* phi0) {
  const int n = m_ny, K_ = K();
  m_shift.shift_all(X, m_shifted.data());
  const double* w_in = q + w_in_offset();
  const double* b_in = q + b_in_offset();
  for (int b = 0; b < n; ++b) {
    double z = b_in[b];
    for (int k = 0; k < K_; ++k) z += w_in[std::size_t(b) * K_ + k] * m_shifted[std::size_t(k) * n + b];
    phi0[b] = z;
  }
}

double FieldTheory::output_loss(const double* Z, const double* Y, double* Z_bar) const {
  const double ry = m_settings.ry;  // (1/ay) int dy = (hy/ay) sum_b
  double L = 0.0;
  m_halo.sums_from_left(&L, 1);  // split: continue the sum the blocks to the left reached
  for (int b = 0; b < m_ny; ++b) {
    L += ry * loss_value(m_loss, Z[b], Y[b]);
    if (Z_bar) Z_bar[b] = ry * loss_dZ(m_loss, Z[b], Y[b]);
  }
  m_halo.sums_to_right(&L, 1);
  return L;
}

double FieldTheory::sweep(const double* q, const double* X, const double* Y, double* phi_nodes, bool keep_stages) {
  const std::size_t n = std::size_t(m_ny);
  double* phi = m_phi_line.data();
  input_layer(q, X, phi);
  if (phi_nodes) std::copy_n(phi, n, phi_nodes);
  const int S = m_scheme->stages();
  for (int a = 0; a + 1 < m_nx; ++a) {
    m_scheme->advance(m_hx, n, phi, [&](int s, const double* y_stage, double* k_s) {
      const int stage = a * S + s;
      if (keep_stages) std::copy_n(y_stage, n, m_stage_state.data() + std::size_t(stage) * n);
      enter_stage(q, stage);
      m_scheme->rhs(*this, y_stage, k_s);
    });
    if (phi_nodes) std::copy_n(phi, n, phi_nodes + std::size_t(a + 1) * n);
  }
  return output_loss(phi, Y, nullptr);
}

double FieldTheory::loss(const double* q, const double* X, const double* Y, double* phi) {
  return sweep(q, X, Y, phi, false);
}

double FieldTheory::gradient(const double* q, const double* X, const double* Y, double* grad, double* phi,
                             double* adjoint) {
  const std::size_t n = std::size_t(m_ny);
  const double L = sweep(q, X, Y, phi, true);
  std::fill_n(grad, num_params(), 0.0);
  double* ybar = m_phi_line_bar.data();
  output_loss(m_phi_line.data(), Y, ybar);
  const double inv_ry = 1.0 / m_settings.ry;
  auto record = [&](int a) {
    if (adjoint)
      for (std::size_t b = 0; b < n; ++b) adjoint[std::size_t(a) * n + b] = ybar[b] * inv_ry;
  };
  record(m_nx - 1);
  const int S = m_scheme->stages();
  m_grad = grad;
  for (int a = m_nx - 2; a >= 0; --a) {
    if (m_exchange) exchange_snapshot(a, grad);
    m_scheme->advance_transpose(m_hx, n, ybar, [&](int s, const double* k_bar, double* y_bar) {
      const int stage = a * S + s;
      std::fill_n(y_bar, n, 0.0);
      enter_stage(q, stage);
      m_scheme->rhs_transpose(*this, m_stage_state.data() + std::size_t(stage) * n, k_bar, y_bar);
    });
    if (m_exchange) exchange_collect(a, grad);
    record(a);
  }
  m_grad = nullptr;
  // The input link: phi0 = sum_k w_in_k T X + b_in.
  m_shift.shift_all(X, m_shifted.data());
  const int K_ = K();
  double* gw = grad + w_in_offset();
  double* gb = grad + b_in_offset();
  for (std::size_t b = 0; b < n; ++b) {
    gb[b] += ybar[b];
    for (int k = 0; k < K_; ++k) gw[b * K_ + k] += ybar[b] * m_shifted[std::size_t(k) * n + b];
  }
  return L;
}

double FieldTheory::data_power(const double* q, const double* grad, const double* phi, const double* Y,
                               const double* X_dot, const double* Y_dot) {
  const std::size_t n = std::size_t(m_ny), K_ = std::size_t(K());
  m_shift.shift_all(X_dot, m_shifted.data());
  const double* w_in = q + w_in_offset();
  const double* phi0_bar = grad + b_in_offset();  // dL/db_in = dL/dphi0
  const double* Z = phi + (std::size_t(m_nx) - 1) * n;
  const double ry = m_settings.ry;
  double p = 0.0;
  m_halo.sums_from_left(&p, 1);  // split: continue the sum the blocks to the left reached
  for (std::size_t b = 0; b < n; ++b) {
    double phi0_dot = 0.0;
    for (std::size_t k = 0; k < K_; ++k) phi0_dot += w_in[b * K_ + k] * m_shifted[k * n + b];
    p += phi0_bar[b] * phi0_dot + ry * loss_dY(m_loss, Z[b], Y[b]) * Y_dot[b];
  }
  m_halo.sums_to_right(&p, 1);
  return p;
}

void FieldTheory::gain(const double* q, const double* phi, double* g) {
  const std::vector<double> s = link_coefficients(q, phi);
  const std::size_t K_ = std::size_t(K());
  for (std::size_t i = 0; i < std::size_t(m_nx) * m_ny; ++i) {
    double acc = 0.0;
    for (std::size_t k = 0; k < K_; ++k) acc += s[i * K_ + k];
    g[i] = acc;
  }
}

std::vector<double> FieldTheory::link_coefficients(const double* q, const double* phi) {
  const std::size_t n = std::size_t(m_ny), K_ = std::size_t(K());
  std::vector<double> s(std::size_t(m_nx) * n * K_);
  const double* W = q + w_offset();
  for (int a = 0; a < m_nx; ++a) {
    for (std::size_t b = 0; b < n; ++b) m_dsig[b] = sigma_d1(m_activation, phi[std::size_t(a) * n + b]);
    m_shift.shift_all(m_dsig.data(), m_shifted.data());
    for (std::size_t b = 0; b < n; ++b)
      for (std::size_t k = 0; k < K_; ++k) {
        const std::size_t i = (std::size_t(a) * n + b) * K_ + k;
        s[i] = W[i] * m_shifted[k * n + b];
      }
  }
  return s;
}

}  // namespace nnfield
