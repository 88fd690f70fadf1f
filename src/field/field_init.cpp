// Initial parameters of the field theory from continuum data or from a network
// (include/nnfield/field/field_init.hpp has the relations and why).
#include "nnfield/field/field_init.hpp"

#include <functional>
#include <stdexcept>

namespace nnfield {
namespace {

// Continuum fields as the relations need them: phi and its depth derivatives, and the
// link fields at the *sending* depth x (ContinuumData labels links by the receiving point x + ax).
struct Fields {
  std::function<double(int d, double x, double y)> phi;  // d^d phi/dx^d
  std::function<double(int k, double x, double y)> w;    // w_{k-r} of the link leaving x
};

Fields data_fields(const ContinuumData& data, double ax, double ay) {
  Fields f;
  f.phi = [&data](int d, double x, double y) { return data.phi.derivative(d, 0, x, y); };
  f.w = [&data, ax, ay](int k, double x, double y) { return data.weight(k, x + ax, y, ax, ay); };
  return f;
}

class Relation {
 public:
  Relation(FieldTheory& t, const Fields& f) : m_t(t), m_f(f), m_n(std::size_t(t.ny())), m_K(std::size_t(t.K())),
      m_shift(t.ny(), t.r(), t.ay(), t.lattice().Ly), m_shifted(m_n * m_K), m_sig(m_n) {}

  std::vector<double> row(int d, double x) const {
    std::vector<double> v(m_n);
    for (std::size_t b = 0; b < m_n; ++b) v[b] = m_f.phi(d, x, m_t.y(int(b)));
    return v;
  }
  // sum_k w_k(x) sigma(u)(y + (k-r) ay), with the solver's width shift.
  std::vector<double> source(double x, const std::vector<double>& u) {
    for (std::size_t b = 0; b < m_n; ++b) m_sig[b] = sigma(m_t.activation(), u[b]);
    m_shift.shift_all(m_sig.data(), m_shifted.data());
    std::vector<double> s(m_n, 0.0);
    for (std::size_t b = 0; b < m_n; ++b)
      for (std::size_t k = 0; k < m_K; ++k) s[b] += m_f.w(int(k), x, m_t.y(int(b))) * m_shifted[k * m_n + b];
    return s;
  }
  // The bias field of the link leaving depth x.
  std::vector<double> beta(double x) {
    const double ax = m_t.ax();
    // Eq. 6 for the exact form, and for midpoint p = 3: its nested right-hand side holds
    // on every trajectory of the layer map to O(ax^4) (depth_scheme_nested.cpp), and Eq. 6
    // makes the data's phi a trajectory from every depth x, so these biases put the field on
    // phi to O(ax^4) (consistent to O(ax^5)), as the form's own relation would.
    if (m_t.settings().form == DepthForm::exact || m_t.settings().p == 3) {
      std::vector<double> v = row(0, x + ax), s = source(x, row(0, x));
      for (std::size_t b = 0; b < m_n; ++b) v[b] -= s[b];
      return v;
    }
    if (m_t.settings().p == 1) {
      std::vector<double> v = row(0, x), d = row(1, x), s = source(x, v);
      for (std::size_t b = 0; b < m_n; ++b) v[b] += ax * d[b] - s[b];
      return v;
    }
    return fixed_point(x, 2);
  }

 private:
  // beta(s) = R(s + ax/2; beta(s + ax/2)), `depth` iterations from the T_2 relation.
  std::vector<double> fixed_point(double s, int depth) {
    const double ax = m_t.ax(), xr = s + 0.5 * ax;
    if (depth == 0) {
      std::vector<double> v = row(0, s), d1 = row(1, s), d2 = row(2, s), src = source(s, v);
      for (std::size_t b = 0; b < m_n; ++b) v[b] += ax * d1[b] + 0.5 * ax * ax * d2[b] - src[b];
      return v;
    }
    const std::vector<double> beta_x = fixed_point(xr, depth - 1);
    const std::vector<double> phi = row(0, xr), phi_x = row(1, xr), s_phi = source(xr, phi);
    // The solver's p = 2 right-hand side at x = xr (field_sweeps.cpp, midpoint_state):
    // psi0 = phi - (ax/2) f1, psi1 = phi + (ax/4) f1 - (3ax/4) f(psi0, s), phi_x = f(psi1, s),
    // with ax f1 = S(phi; xr) - phi. psi1 depends on beta(s) itself (coefficient -3/4
    // through f(psi0, s)): a fixed point in beta(s) that contracts smooth errors by O(ax),
    // started from the value with psi1 -> psi0.
    std::vector<double> psi0(m_n), psi1(m_n), v(m_n);
    for (std::size_t b = 0; b < m_n; ++b) psi0[b] = phi[b] - 0.5 * (s_phi[b] + beta_x[b] - phi[b]);
    const std::vector<double> s_psi0 = source(s, psi0);
    for (std::size_t b = 0; b < m_n; ++b) v[b] = ax * phi_x[b] + psi0[b] - s_psi0[b];
    for (int it = 0; it < 12; ++it) {
      for (std::size_t b = 0; b < m_n; ++b)
        psi1[b] = phi[b] + 0.25 * (s_phi[b] + beta_x[b] - phi[b]) - 0.75 * (s_psi0[b] + v[b] - psi0[b]);
      const std::vector<double> s_psi1 = source(s, psi1);
      for (std::size_t b = 0; b < m_n; ++b) v[b] = ax * phi_x[b] + psi1[b] - s_psi1[b];
    }
    return v;
  }

  FieldTheory& m_t;
  const Fields& m_f;
  std::size_t m_n, m_K;
  WidthShiftOperator m_shift;
  std::vector<double> m_shifted, m_sig;
};

std::vector<double> params_from_fields(FieldTheory& t, const ContinuumData& data, const Fields& f,
                                       const std::vector<double>& X) {
  const std::size_t n = std::size_t(t.ny()), K = std::size_t(t.K());
  if (X.size() != n) throw std::invalid_argument("field_params_from_continuum: X must have ny values");
  std::vector<double> q(t.num_params(), 0.0);
  Relation rel(t, f);
  // Input link.
  WidthShiftOperator shift(t.ny(), t.r(), t.ay(), t.lattice().Ly);
  std::vector<double> TX(n * K);
  shift.shift_all(X.data(), TX.data());
  const std::vector<double> phi0 = rel.row(0, t.ax());
  for (std::size_t b = 0; b < n; ++b) {
    double z = phi0[b];
    for (std::size_t k = 0; k < K; ++k) {
      const double v = data.w_in[k](0.0, t.y(int(b)));
      q[t.w_in_offset() + b * K + k] = v;
      z -= v * TX[k * n + b];
    }
    q[t.b_in_offset() + b] = z;
  }
  // Bulk links on every line.
  for (int a = 0; a < t.nx(); ++a) {
    const double x = t.x(a);
    for (std::size_t b = 0; b < n; ++b)
      for (std::size_t k = 0; k < K; ++k) q[t.w_offset() + (std::size_t(a) * n + b) * K + k] = f.w(int(k), x, t.y(int(b)));
    const std::vector<double> beta = rel.beta(x);
    std::copy(beta.begin(), beta.end(), q.begin() + std::ptrdiff_t(t.beta_offset() + std::size_t(a) * n));
  }
  return q;
}

}  // namespace

std::vector<double> sample_width(const SmoothField& f, double x, const FieldTheory& t) {
  std::vector<double> v(std::size_t(t.ny()));
  for (int b = 0; b < t.ny(); ++b) v[std::size_t(b)] = f(x, t.y(b));
  return v;
}

std::vector<double> field_params_from_continuum(FieldTheory& t, const ContinuumData& data,
                                                const std::vector<double>& X) {
  if (data.r != t.r()) throw std::invalid_argument("field_params_from_continuum: data and grid have different radii");
  return params_from_fields(t, data, data_fields(data, t.ax(), t.ay()), X);
}

std::vector<double> field_velocity_from_continuum(FieldTheory& t, const ContinuumData& data,
                                                  const std::vector<double>& X, const SmoothField& phi_dot,
                                                  const std::vector<SmoothField>& w_dot) {
  if (w_dot.size() != std::size_t(t.K())) throw std::invalid_argument("field_velocity_from_continuum: K w_dot fields");
  const Fields base = data_fields(data, t.ax(), t.ay());
  auto moved = [&](double eps) {
    Fields f;
    f.phi = [&, eps](int d, double x, double y) { return base.phi(d, x, y) + eps * phi_dot.derivative(d, 0, x, y); };
    f.w = [&, eps](int k, double x, double y) { return base.w(k, x, y) + eps * w_dot[std::size_t(k)](x + t.ax(), y); };
    return params_from_fields(t, data, f, X);
  };
  const double eps = 1e-5;
  const std::vector<double> plus = moved(eps), minus = moved(-eps);
  std::vector<double> v(plus.size());
  for (std::size_t j = 0; j < v.size(); ++j) v[j] = (plus[j] - minus[j]) / (2 * eps);
  // The input link's weights do not move with the bulk data: only b_in follows phi_dot.
  return v;
}

std::vector<double> field_params_from_network(const FieldTheory& t, const double* W, const double* b) {
  if (t.settings().form != DepthForm::exact) throw std::invalid_argument("field_params_from_network: exact form only");
  const NetworkShape& s = t.lattice().shape;
  std::vector<double> q(t.num_params(), 0.0);
  const std::size_t nk = std::size_t(s.N) * s.K();
  std::copy_n(W, nk, q.begin() + std::ptrdiff_t(t.w_in_offset()));
  std::copy_n(b, s.N, q.begin() + std::ptrdiff_t(t.b_in_offset()));
  std::copy_n(W + nk, nk * std::size_t(s.M - 1), q.begin() + std::ptrdiff_t(t.w_offset()));
  std::copy_n(b + s.N, std::size_t(s.N) * (s.M - 1), q.begin() + std::ptrdiff_t(t.beta_offset()));
  return q;
}

void network_from_field_params(const FieldTheory& t, const double* q, double* W, double* b) {
  if (t.settings().form != DepthForm::exact) throw std::invalid_argument("network_from_field_params: exact form only");
  const NetworkShape& s = t.lattice().shape;
  const std::size_t nk = std::size_t(s.N) * s.K();
  std::copy_n(q + t.w_in_offset(), nk, W);
  std::copy_n(q + t.b_in_offset(), s.N, b);
  std::copy_n(q + t.w_offset(), nk * std::size_t(s.M - 1), W + nk);
  std::copy_n(q + t.beta_offset(), std::size_t(s.N) * (s.M - 1), b + s.N);
}

}  // namespace nnfield
