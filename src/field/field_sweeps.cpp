// The forward depth sweep of the field theory and its transpose (the discrete adjoint),
// include/nnfield/field/field_theory.hpp. Discretise, then differentiate: the gradient is the
// exact gradient of the discrete loss, so the field dynamics keep an exact energy balance.
#include <algorithm>
#include <cmath>

#include "nnfield/field/field_theory.hpp"

namespace nnfield {

// S = sum_k w_k sigma(phi)(y + (k-r) ay) + beta, f = (S - phi)/ax  (Eq. 1 as a depth ODE).
void FieldTheory::layer_f(const double* phi, const double* w, const double* beta, double* f) {
  const int n = m_ny, K_ = K();
  ++m_layer_evaluations;
  sigma_and_d1(m_activation, phi, m_sig.data(), m_dsig.data(), std::size_t(n));  // the vectorised kernel
  m_shift.shift_all(m_sig.data(), m_shifted.data());
  const double inv_ax = 1.0 / ax();
  for (int b = 0; b < n; ++b) {
    double S = beta[b];
    for (int k = 0; k < K_; ++k) S += w[std::size_t(b) * K_ + k] * m_shifted[std::size_t(k) * n + b];
    f[b] = (m_settings.form == DepthForm::exact) ? S : (S - phi[b]) * inv_ax;
  }
}

// Exact form: f stands for S itself (phi_next = S). Midpoint: f = (S - phi)/ax.
void FieldTheory::layer_f_transpose(const double* phi, const double* w, const double* f_bar, double* phi_bar,
                                    double* w_bar, double* beta_bar) {
  const int n = m_ny, K_ = K();
  const bool exact = m_settings.form == DepthForm::exact;
  const double inv_ax = exact ? 1.0 : 1.0 / ax();
  sigma_and_d1(m_activation, phi, m_sig.data(), m_dsig.data(), std::size_t(n));
  m_shift.shift_all(m_sig.data(), m_shifted.data());
  // (K, ny): w_k S_bar, to be shifted back.
  std::vector<double>& wS = m_weighted_S_bar;  // (K, ny) scratch, reused below only after use
  for (int b = 0; b < n; ++b) {
    const double S_bar = f_bar[b] * inv_ax;
    beta_bar[b] = S_bar;
    for (int k = 0; k < K_; ++k) {
      w_bar[std::size_t(b) * K_ + k] = S_bar * m_shifted[std::size_t(k) * n + b];
      wS[std::size_t(k) * n + b] = w[std::size_t(b) * K_ + k] * S_bar;
    }
  }
  m_shift.shift_all_transpose(wS.data(), m_tmp.data());
  for (int b = 0; b < n; ++b) {
    phi_bar[b] += m_dsig[std::size_t(b)] * m_tmp[std::size_t(b)];
    if (!exact) phi_bar[b] -= f_bar[b] * inv_ax;
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
  for (int b = 0; b < m_ny; ++b) {
    L += ry * loss_value(m_loss, Z[b], Y[b]);
    if (Z_bar) Z_bar[b] = ry * loss_dZ(m_loss, Z[b], Y[b]);
  }
  return L;
}

// p = 2: the states the outer evaluation needs, with the link fields at `at` in m_w,
// m_beta and at `behind` in m_w2, m_beta2 (filled here from the stage):
//   f1 = f(phi, x), psi0 = phi - (ax/2) f1, F0 = f(psi0, x - ax/2),
//   psi1 = phi + (ax/4) f1 - (3 ax/4) F0            (in m_f, m_psi, m_f0, m_psi1).
// psi1 is phi(x - ax/2) on the trajectory to O(ax^3) (psi0 only to O(ax^2)); f_phiphi =
// S_phiphi/ax is O(1/ax), so an O(ax^2) error in the evaluation point would put an O(ax)
// error into F_phi, i.e. into the adjoint and the training dynamics (docs/field-limit.md 6).
void FieldTheory::midpoint_state(const double* phi) {
  layer_f(phi, m_w.data(), m_beta.data(), m_f.data());
  const double half = 0.5 * ax(), quarter = 0.25 * ax(), three_quarters = 0.75 * ax();
  for (int b = 0; b < m_ny; ++b) m_psi[std::size_t(b)] = phi[b] - half * m_f[std::size_t(b)];
  layer_f(m_psi.data(), m_w2.data(), m_beta2.data(), m_f0.data());
  for (int b = 0; b < m_ny; ++b)
    m_psi1[std::size_t(b)] = phi[b] + quarter * m_f[std::size_t(b)] - three_quarters * m_f0[std::size_t(b)];
}

// F(phi) of stage j: f(phi) (p = 1, exact), or f(psi1, x - ax/2) (p = 2, midpoint_state).
void FieldTheory::depth_rhs(const double* q, int stage, const double* phi, double* F) {
  const Stage& st = m_stages[std::size_t(stage)];
  link_fields(q, st.at, m_w.data(), m_beta.data());
  if (m_settings.form == DepthForm::exact || m_settings.p == 1) {
    layer_f(phi, m_w.data(), m_beta.data(), F);
    return;
  }
  link_fields(q, st.behind, m_w2.data(), m_beta2.data());
  midpoint_state(phi);
  layer_f(m_psi1.data(), m_w2.data(), m_beta2.data(), F);
}

void FieldTheory::depth_rhs_transpose(const double* q, int stage, const double* phi, const double* F_bar,
                                      double* phi_bar, double* grad) {
  const Stage& st = m_stages[std::size_t(stage)];
  link_fields(q, st.at, m_w.data(), m_beta.data());
  if (m_settings.form == DepthForm::exact || m_settings.p == 1) {
    layer_f_transpose(phi, m_w.data(), F_bar, phi_bar, m_wbar.data(), m_betabar.data());
    scatter_link_gradient(st.at, m_wbar.data(), m_betabar.data(), grad);
    return;
  }
  // Recompute the forward states (midpoint_state), then transpose
  // F = f(psi1; behind), psi1 = phi + (ax/4) f1 - (3ax/4) F0, F0 = f(psi0; behind),
  // psi0 = phi - (ax/2) f1, f1 = f(phi; at).
  link_fields(q, st.behind, m_w2.data(), m_beta2.data());
  midpoint_state(phi);
  const double half = 0.5 * ax(), quarter = 0.25 * ax(), three_quarters = 0.75 * ax();
  std::fill(m_psi1_bar.begin(), m_psi1_bar.end(), 0.0);  // psi1_bar
  layer_f_transpose(m_psi1.data(), m_w2.data(), F_bar, m_psi1_bar.data(), m_wbar.data(), m_betabar.data());
  scatter_link_gradient(st.behind, m_wbar.data(), m_betabar.data(), grad);
  for (int b = 0; b < m_ny; ++b) m_f0[std::size_t(b)] = -three_quarters * m_psi1_bar[std::size_t(b)];  // F0_bar
  std::fill(m_psi0_bar.begin(), m_psi0_bar.end(), 0.0);  // psi0_bar
  layer_f_transpose(m_psi.data(), m_w2.data(), m_f0.data(), m_psi0_bar.data(), m_wbar.data(), m_betabar.data());
  scatter_link_gradient(st.behind, m_wbar.data(), m_betabar.data(), grad);
  for (int b = 0; b < m_ny; ++b) {
    const std::size_t i = std::size_t(b);
    phi_bar[b] += m_psi1_bar[i] + m_psi0_bar[i];
    m_f[i] = quarter * m_psi1_bar[i] - half * m_psi0_bar[i];  // f1_bar
  }
  layer_f_transpose(phi, m_w.data(), m_f.data(), phi_bar, m_wbar.data(), m_betabar.data());
  scatter_link_gradient(st.at, m_wbar.data(), m_betabar.data(), grad);
}

double FieldTheory::sweep(const double* q, const double* X, const double* Y, double* phi_nodes, bool keep_stages) {
  const std::size_t n = std::size_t(m_ny);
  double* phi = m_phi_line.data();
  input_layer(q, X, phi);
  if (phi_nodes) std::copy_n(phi, n, phi_nodes);
  std::size_t stage = 0;
  if (m_settings.form == DepthForm::exact) {
    for (int a = 0; a + 1 < m_nx; ++a, ++stage) {
      if (keep_stages) std::copy_n(phi, n, m_stage_state.data() + stage * n);
      depth_rhs(q, int(stage), phi, m_f.data());
      std::copy_n(m_f.data(), n, phi);
      if (phi_nodes) std::copy_n(phi, n, phi_nodes + std::size_t(a + 1) * n);
    }
  } else {
    const ExplicitRungeKutta& rk = depth_method();
    const double h = m_hx / m_settings.depth_substeps;
    const std::size_t S = std::size_t(rk.stages());
    for (int a = 0; a + 1 < m_nx; ++a) {
      for (int j = 0; j < m_settings.depth_substeps; ++j, stage += S) {
        rk_step(rk, h, n, phi, m_k.data(), m_stage_row.data(), [&](int s, const double* y_stage, double* k_s) {
          if (keep_stages) std::copy_n(y_stage, n, m_stage_state.data() + (stage + std::size_t(s)) * n);
          depth_rhs(q, int(stage) + s, y_stage, k_s);
        });
      }
      if (phi_nodes) std::copy_n(phi, n, phi_nodes + std::size_t(a + 1) * n);
    }
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
  std::size_t stage = m_stages.size();
  if (m_settings.form == DepthForm::exact) {
    for (int a = m_nx - 2; a >= 0; --a) {
      --stage;
      if (m_exchange) exchange_snapshot(a, grad);
      std::copy_n(ybar, n, m_stage_row.data());  // S_bar
      std::fill_n(ybar, n, 0.0);
      depth_rhs_transpose(q, int(stage), m_stage_state.data() + stage * n, m_stage_row.data(), ybar, grad);
      if (m_exchange) exchange_collect(a, grad);
      record(a);
    }
  } else {
    const ExplicitRungeKutta& rk = depth_method();
    const double h = m_hx / m_settings.depth_substeps;
    const std::size_t S = std::size_t(rk.stages());
    for (int a = m_nx - 2; a >= 0; --a) {
      if (m_exchange) exchange_snapshot(a, grad);
      for (int j = m_settings.depth_substeps - 1; j >= 0; --j) {
        stage -= S;
        rk_step_transpose(rk, h, n, ybar, m_kbar.data(), m_stage_row.data(), [&](int s, const double* k_bar_s, double* ys) {
          std::fill_n(ys, n, 0.0);
          depth_rhs_transpose(q, int(stage) + s, m_stage_state.data() + (stage + std::size_t(s)) * n, k_bar_s, ys,
                              grad);
        });
      }
      if (m_exchange) exchange_collect(a, grad);
      record(a);
    }
  }
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
