// The sweeps behind the field theory's energy flow (field_energy_flow.hpp): the tangent
// (forward-mode) sweep, which carries the neurons' velocities phi' down the depth, and the
// split of the reverse sweep's power g.v by depth interval. The energy current through a
// line is (dL/dphi) . phi'; that it changes across an interval by exactly the power the
// interval's parameters give up is the statement that the reverse sweep is the transpose of
// this tangent sweep, which is what the continuity residuals check.
#include <algorithm>

#include "nnfield/field/field_theory.hpp"

namespace nnfield {

// S_dot = beta_dot + sum_k [w_dot_k T_k sigma(phi) + w_k T_k (sigma'(phi) phi_dot)], f_dot = (S_dot - phi_dot)/ax.
void FieldTheory::layer_f_tangent(const double* phi, const double* w, const double* phi_dot, const double* w_dot,
                                  const double* beta_dot, double* f_dot) {
  const int n = m_ny, K_ = K();
  sigma_and_d1(m_activation, phi, m_sig.data(), m_dsig.data(), std::size_t(n));
  m_shift.shift_all(m_sig.data(), m_shifted.data());
  for (int b = 0; b < n; ++b) m_tmp[std::size_t(b)] = m_dsig[std::size_t(b)] * phi_dot[b];
  m_shift.shift_all(m_tmp.data(), m_shifted_d.data());
  const bool exact = m_settings.form == DepthForm::exact;
  const double inv_ax = 1.0 / ax();
  for (int b = 0; b < n; ++b) {
    double S_dot = beta_dot[b];
    for (int k = 0; k < K_; ++k) {
      const std::size_t i = std::size_t(b) * K_ + k, s = std::size_t(k) * n + b;
      S_dot += w_dot[i] * m_shifted[s] + w[i] * m_shifted_d[s];
    }
    f_dot[b] = exact ? S_dot : (S_dot - phi_dot[b]) * inv_ax;
  }
}

void FieldTheory::depth_rhs_tangent(const double* q, const double* v, int stage, const double* phi,
                                    const double* phi_dot, double* F, double* F_dot) {
  const Stage& st = m_stages[std::size_t(stage)];
  link_fields(q, st.at, m_w.data(), m_beta.data());
  link_fields(v, st.at, m_wd.data(), m_betad.data());  // the interpolation is linear: velocities alike
  if (m_settings.form == DepthForm::exact || m_settings.p == 1) {
    layer_f(phi, m_w.data(), m_beta.data(), F);
    layer_f_tangent(phi, m_w.data(), phi_dot, m_wd.data(), m_betad.data(), F_dot);
    return;
  }
  // p = 2 (field_sweeps.cpp, midpoint_state): f1 = f(phi; at), psi0 = phi - (ax/2) f1,
  // F0 = f(psi0; behind), psi1 = phi + (ax/4) f1 - (3ax/4) F0, F = f(psi1; behind); each with its tangent.
  link_fields(q, st.behind, m_w2.data(), m_beta2.data());
  link_fields(v, st.behind, m_wd2.data(), m_betad2.data());
  std::vector<double>& F0_dot = m_psi1_bar;    // the transpose's scratch, free here
  std::vector<double>& psi1_dot = m_psi0_bar;
  midpoint_state(phi);
  layer_f_tangent(phi, m_w.data(), phi_dot, m_wd.data(), m_betad.data(), m_fd.data());
  const double half = 0.5 * ax(), quarter = 0.25 * ax(), three_quarters = 0.75 * ax();
  for (int b = 0; b < m_ny; ++b) m_psid[std::size_t(b)] = phi_dot[b] - half * m_fd[std::size_t(b)];
  layer_f_tangent(m_psi.data(), m_w2.data(), m_psid.data(), m_wd2.data(), m_betad2.data(), F0_dot.data());
  for (int b = 0; b < m_ny; ++b) {
    const std::size_t i = std::size_t(b);
    psi1_dot[i] = phi_dot[b] + quarter * m_fd[i] - three_quarters * F0_dot[i];
  }
  layer_f(m_psi1.data(), m_w2.data(), m_beta2.data(), F);
  layer_f_tangent(m_psi1.data(), m_w2.data(), psi1_dot.data(), m_wd2.data(), m_betad2.data(), F_dot);
}

void FieldTheory::tangent(const double* q, const double* v, const double* X, double* phi_dot_nodes,
                          double* phi_nodes) {
  const std::size_t n = std::size_t(m_ny);
  std::vector<double> phi(n), phi_dot(n), F(n), Fd(n);
  input_layer(q, X, phi.data());
  input_layer(v, X, phi_dot.data());  // linear in (w_in, b_in); X is fixed
  auto store = [&](int a) {
    std::copy_n(phi_dot.data(), n, phi_dot_nodes + std::size_t(a) * n);
    if (phi_nodes) std::copy_n(phi.data(), n, phi_nodes + std::size_t(a) * n);
  };
  store(0);
  if (m_settings.form == DepthForm::exact) {
    for (int a = 0; a + 1 < m_nx; ++a) {
      depth_rhs_tangent(q, v, a, phi.data(), phi_dot.data(), F.data(), Fd.data());
      phi.swap(F);
      phi_dot.swap(Fd);
      store(a + 1);
    }
    return;
  }
  // The tangent step is the forward step on the pair (phi, phi'): one state of 2 ny values.
  const ExplicitRungeKutta& rk = depth_method();
  const double h = m_hx / m_settings.depth_substeps;
  const std::size_t S = std::size_t(rk.stages());
  std::vector<double> pair(2 * n), k(S * 2 * n), ys(2 * n);
  std::size_t stage = 0;
  for (int a = 0; a + 1 < m_nx; ++a) {
    std::copy_n(phi.data(), n, pair.data());
    std::copy_n(phi_dot.data(), n, pair.data() + n);
    for (int j = 0; j < m_settings.depth_substeps; ++j, stage += S)
      rk_step(rk, h, 2 * n, pair.data(), k.data(), ys.data(), [&](int s, const double* y_stage, double* k_s) {
        depth_rhs_tangent(q, v, int(stage) + s, y_stage, y_stage + n, k_s, k_s + n);
      });
    std::copy_n(pair.data(), n, phi.data());
    std::copy_n(pair.data() + n, n, phi_dot.data());
    store(a + 1);
  }
}

// Before the reverse sweep enters interval a: keep the gradient of the nodes it reads.
void FieldTheory::exchange_snapshot(int a, const double* grad) {
  const std::size_t n = std::size_t(m_ny), nk = n * std::size_t(K());
  const std::vector<int>& nodes = m_interval_nodes[std::size_t(a)];
  m_snapshot.resize(nodes.size() * (nk + n));
  for (std::size_t s = 0; s < nodes.size(); ++s) {
    const std::size_t c = std::size_t(nodes[s]);
    std::copy_n(grad + w_offset() + c * nk, nk, m_snapshot.data() + s * (nk + n));
    std::copy_n(grad + beta_offset() + c * n, n, m_snapshot.data() + s * (nk + n) + nk);
  }
}

// After it: what interval a added to each node's gradient, dotted with the node's velocities.
void FieldTheory::exchange_collect(int a, const double* grad) {
  const std::size_t n = std::size_t(m_ny), K_ = std::size_t(K()), nk = n * K_;
  const std::size_t S = std::size_t(max_interval_nodes());
  const std::vector<int>& nodes = m_interval_nodes[std::size_t(a)];
  const double* v = m_exchange_v;
  for (std::size_t s = 0; s < nodes.size(); ++s) {
    const std::size_t c = std::size_t(nodes[s]);
    const double* before = m_snapshot.data() + s * (nk + n);
    double* out = m_exchange + (std::size_t(a) * S + s) * n;
    for (std::size_t b = 0; b < n; ++b) {
      const std::size_t iw = w_offset() + c * nk + b * K_, ib = beta_offset() + c * n + b;
      double p = (grad[ib] - before[nk + b]) * v[ib];
      for (std::size_t k = 0; k < K_; ++k) p += (grad[iw + k] - before[b * K_ + k]) * v[iw + k];
      out[b] = p;
    }
  }
}

double FieldTheory::gradient_with_exchange(const double* q, const double* v, const double* X, const double* Y,
                                           double* grad, double* phi, double* raw_adjoint, double* exchange) {
  const std::size_t n = std::size_t(m_ny);
  std::fill_n(exchange, std::size_t(std::max(m_nx - 1, 0)) * std::size_t(max_interval_nodes()) * n, 0.0);
  m_exchange_v = v;
  m_exchange = exchange;
  double L = 0.0;
  try {
    L = gradient(q, X, Y, grad, phi, raw_adjoint);
  } catch (...) {
    m_exchange_v = nullptr;
    m_exchange = nullptr;
    throw;
  }
  m_exchange_v = nullptr;
  m_exchange = nullptr;
  const double ry = m_settings.ry;
  for (std::size_t i = 0; i < std::size_t(m_nx) * n; ++i) raw_adjoint[i] *= ry;
  return L;
}

}  // namespace nnfield
