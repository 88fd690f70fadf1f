// The sweeps behind the field theory's energy flow (field_energy_flow.hpp): the tangent
// (forward-mode) sweep, which carries the neurons' velocities phi' down the depth, and the
// split of the reverse sweep's power g.v by depth interval. The energy current through a
// line is (dL/dphi) . phi'; that it changes across an interval by exactly the power the
// interval's parameters give up is the statement that the reverse sweep is the transpose of
// this tangent sweep, which is what the continuity residuals check.
#include <algorithm>

#include "nnfield/field/field_theory.hpp"

namespace nnfield {

// S_dot = beta_dot + sum_k [w_dot_k T_k sigma(y) + w_k T_k (sigma'(y) y_dot)].
void FieldTheory::map_tangent(LinkSide side, const double* y, const double* y_dot, double* S_dot) {
  const int n = m_ny, K_ = K();
  const double* w = m_w[std::size_t(side)].data();
  const double* w_dot = m_wd[std::size_t(side)].data();
  const double* beta_dot = m_betad[std::size_t(side)].data();
  activate(y);
  m_shift.shift_all(m_sig.data(), m_shifted.data());
  for (int b = 0; b < n; ++b) m_sigma_dot[std::size_t(b)] = m_dsig[std::size_t(b)] * y_dot[b];
  m_shift.shift_all(m_sigma_dot.data(), m_shifted_d.data());
  for (int b = 0; b < n; ++b) {
    double acc = beta_dot[b];
    for (int k = 0; k < K_; ++k) {
      const std::size_t i = std::size_t(b) * K_ + k, s = std::size_t(k) * n + b;
      acc += w_dot[i] * m_shifted[s] + w[i] * m_shifted_d[s];
    }
    S_dot[b] = acc;
  }
}

void FieldTheory::tangent(const double* q, const double* v, const double* X, double* phi_dot_nodes,
                          double* phi_nodes) {
  const std::size_t n = std::size_t(m_ny);
  // The tangent step is the forward step on the pair (phi, phi'): one state of 2 ny values.
  std::vector<double> pair(2 * n);
  input_layer(q, X, pair.data());
  input_layer(v, X, pair.data() + n);  // linear in (w_in, b_in); X is fixed
  auto store = [&](int a) {
    std::copy_n(pair.data() + n, n, phi_dot_nodes + std::size_t(a) * n);
    if (phi_nodes) std::copy_n(pair.data(), n, phi_nodes + std::size_t(a) * n);
  };
  store(0);
  const int S = m_scheme->stages();
  for (int a = 0; a + 1 < m_nx; ++a) {
    m_scheme->advance(m_hx, 2 * n, pair.data(), [&](int s, const double* y, double* k) {
      enter_stage(q, a * S + s, v);
      m_scheme->rhs_tangent(*this, y, y + n, k, k + n);
    });
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
