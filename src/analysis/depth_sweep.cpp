#include "nnfield/analysis/depth_sweep.hpp"

#include "nnfield/core/link_stencil.hpp"

#include <stdexcept>

#include "nnfield/numerics/fornberg.hpp"
#include "nnfield/numerics/runge_kutta.hpp"

namespace nnfield {

namespace {

// The source of the order-p depth ODE at stage position t (in units of steps of ax):
// S (N) from v_0 (N).
using StageSource = std::function<void(double t, const double* v0, double* S)>;

// Rates of the scaled-derivative system (ODE) in depth_sweep.hpp:
//   f_n = (n+1) v_{n+1}/ax (n < p-1),  f_{p-1} = p (S - sum_{n<p} v_n)/ax.
void rates(int p, int N, double ax, const double* v, const double* S, double* f) {
  for (int n = 0; n + 1 < p; ++n)
    for (int i = 0; i < N; ++i) f[n * N + i] = double(n + 1) * v[(n + 1) * N + i] / ax;
  for (int i = 0; i < N; ++i) {
    double sum = 0.0;
    for (int n = 0; n < p; ++n) sum += v[n * N + i];
    f[(p - 1) * N + i] = double(p) * (S[i] - sum) / ax;
  }
}

// Integrates (ODE) over `steps` steps of h = ax from state v (p*N). After each step j (and
// before the first, j = 0) `record(j, v, f)` receives the state at node j and its rate
// (f_0 = the depth derivative of v_0 with respect to the direction of integration).
void integrate(int p, int N, double ax, int steps, DepthScheme scheme, const StageSource& source,
               std::vector<double>& v,
               const std::function<void(int node, const double* v, const double* f)>& record) {
  const std::size_t n = std::size_t(p) * std::size_t(N);
  const ExplicitRungeKutta& rk = scheme == DepthScheme::euler ? forward_euler() : classical_rk4();
  std::vector<double> S(static_cast<std::size_t>(N)), k(std::size_t(rk.stages()) * n), ys(n);
  auto rate_at = [&](double t, const double* state, double* f) {
    source(t, state, S.data());
    rates(p, N, ax, state, S.data(), f);
  };
  const double h = ax;
  for (int j = 0; j < steps; ++j) {
    const double t = double(j);
    rk_step(rk, h, n, v.data(), k.data(), ys.data(), [&](int s, const double* y_stage, double* k_s) {
      rate_at(t + rk.c[std::size_t(s)], y_stage, k_s);
      if (s == 0) record(j, y_stage, k_s);  // the state at node j (y_0 = y) and its rate
    });
  }
  rate_at(double(steps), v.data(), k.data());
  record(steps, v.data(), k.data());
}

// The initial state at the first node: v_0 given, the higher v_n = ax^n/n! d^n v_0 from p exact
// layer maps (the lattice step u_{j+1} = source(j, u_j), Eq. 1 or backprop: the boundary layer
// is exact in depth, like the input and output links) and the one-sided Fornberg stencil on the
// p+1 nodes. Its error O(ax^(p+1-n)) in d^n v_0 is O(ax^(p+1)) in v_n, so the start excites the
// decaying spurious roots only at O(ax^(p+1)) and does not limit the global order p.
std::vector<double> initial_state(int p, int N, const double* v0, const StageSource& source) {
  std::vector<double> v(std::size_t(p) * std::size_t(N), 0.0);
  for (int i = 0; i < N; ++i) v[std::size_t(i)] = v0[i];
  if (p == 1) return v;
  std::vector<std::vector<double>> u(std::size_t(p) + 1, std::vector<double>(v0, v0 + N));
  std::vector<double> nodes(std::size_t(p) + 1);
  for (int j = 0; j <= p; ++j) nodes[std::size_t(j)] = double(j);
  for (int j = 1; j <= p; ++j) source(double(j - 1), u[std::size_t(j - 1)].data(), u[std::size_t(j)].data());
  const std::vector<double> c = fornberg_weight_table(0.0, nodes, p - 1);  // unit spacing: d^n v_0 ax^n
  double factorial = 1.0;
  for (int n = 1; n < p; ++n) {
    factorial *= double(n);
    for (int i = 0; i < N; ++i) {
      double acc = 0.0;
      for (int j = 0; j <= p; ++j) acc += c[std::size_t(n) * std::size_t(p + 1) + std::size_t(j)] * u[std::size_t(j)][std::size_t(i)];
      v[std::size_t(n) * std::size_t(N) + std::size_t(i)] = acc / factorial;
    }
  }
  return v;
}

void check(const SweepFields& f, const DepthSweepOptions& o) {
  // Form (i) is well posed up to p = 4, but RK4 at hx = ax applied to p = 4 is the lattice
  // (its step is e_4(hx A) and the roots obey e_4(lambda) = G): no longer the truncated theory.
  if (o.p < 1 || o.p > 3) throw std::invalid_argument("depth sweep: order p must be 1..3");
  if (f.lattice.shape.M < 3) throw std::invalid_argument("depth sweep: need M >= 3");
  if (int(f.phi_first.size()) != f.lattice.shape.N) throw std::invalid_argument("depth sweep: phi_first must have N values");
  if (!f.links) throw std::invalid_argument("depth sweep: no link fields");
}

}  // namespace

SweepFields continuum_sweep_fields(const ContinuumData& d, const SampledNetwork& net) {
  SweepFields f;
  f.lattice = net.lattice;
  f.activation = d.activation;
  const NetworkShape s = net.lattice.shape;
  const double ax = net.lattice.ax(), ay = net.lattice.ay();
  const LatticeGeometry l = net.lattice;
  // Eq. 6 at a link receiving at x: beta = phi(x) - sum_k w_k sigma(phi(x - ax, y + (k-r) ay)).
  f.links = [&d, s, l, ax, ay](double x, double* w, double* beta) {
    for (int i = 0; i < s.N; ++i) {
      const double y = l.y(i);
      double acc = 0.0;
      for (int k = 0; k < s.K(); ++k) {
        const double wk = d.weight(k, x, y, ax, ay);
        w[std::size_t(i) * std::size_t(s.K()) + std::size_t(k)] = wk;
        acc += wk * sigma(d.activation, d.phi(x - ax, y + (k - s.r) * ay));
      }
      beta[i] = d.phi(x, y) - acc;
    }
  };
  // The input link, exact in depth (Eq. 1 with h^(0) = X).
  f.phi_first.assign(std::size_t(s.N), 0.0);
  LinkStencil(s).apply(net.W.data(), net.b.data(), net.X.data(), f.phi_first.data());
  return f;
}

ForwardSweep continuum_forward_state(const ContinuumData& d, const LatticeGeometry& l) {
  ForwardSweep out;
  out.M = l.shape.M, out.N = l.shape.N;
  out.phi.resize(l.shape.num_biases());
  out.dphi.resize(l.shape.num_biases());
  sample_neurons([&](double x, double y) { return d.phi(x, y); }, l, out.phi.data());
  sample_neurons([&](double x, double y) { return d.phi.derivative(1, 0, x, y); }, l, out.dphi.data());
  return out;
}

std::vector<double> ForwardSweep::output() const {
  return std::vector<double>(phi.end() - N, phi.end());
}

ForwardSweep forward_depth_sweep(const SweepFields& f, const DepthSweepOptions& o) {
  check(f, o);
  const NetworkShape s = f.lattice.shape;
  const LinkStencil links(s);
  const int N = s.N, K = s.K(), p = o.p;
  const double ax = f.lattice.ax();
  std::vector<double> w(std::size_t(N) * std::size_t(K)), beta(static_cast<std::size_t>(N)), h(static_cast<std::size_t>(N));
  double links_x = -1.0;
  // S of (F) at sending depth x = (1 + t) ax: the link receiving at x + ax, exact width shifts.
  const StageSource source = [&](double t, const double* v0, double* S) {
    const double x_recv = (2.0 + t) * ax;
    if (x_recv != links_x) f.links(links_x = x_recv, w.data(), beta.data());  // RK4's two midpoint stages share one
    for (int i = 0; i < N; ++i) h[std::size_t(i)] = sigma(f.activation, v0[i]);
    links.apply(w.data(), beta.data(), h.data(), S);
  };
  ForwardSweep out;
  out.M = s.M, out.N = N;
  out.phi.assign(s.num_biases(), 0.0);
  out.dphi.assign(s.num_biases(), 0.0);
  std::vector<double> v = initial_state(p, N, f.phi_first.data(), source);
  integrate(p, N, ax, s.M - 1, o.scheme, source, v, [&](int node, const double* state, const double* rate) {
    for (int i = 0; i < N; ++i) {
      out.phi[s.b_index(node, i)] = state[i];
      out.dphi[s.b_index(node, i)] = rate[i];
    }
  });
  return out;
}

std::vector<double> adjoint_depth_sweep(const SweepFields& f, const ForwardSweep& fw,
                                        const std::vector<double>& dl_dZ, const DepthSweepOptions& o) {
  check(f, o);
  const NetworkShape s = f.lattice.shape;
  const LinkStencil links(s);
  const int M = s.M, N = s.N, K = s.K(), p = o.p;
  const double ax = f.lattice.ax();
  if (fw.M != M || fw.N != N || int(dl_dZ.size()) != N)
    throw std::invalid_argument("adjoint_depth_sweep: forward sweep or dl/dZ of another shape");
  std::vector<double> w(std::size_t(N) * std::size_t(K)), beta(static_cast<std::size_t>(N)), phi(static_cast<std::size_t>(N)),
      ds(static_cast<std::size_t>(N));
  // phi at x = m ax for fractional m: the nodes, or cubic Hermite from phi and phi_x at the two
  // neighbouring nodes (only midpoints occur: phi = (f0+f1)/2 + h (f0' - f1')/8, error O(h^4)).
  auto phi_at = [&](double m) {
    const int m0 = int(m);
    if (double(m0) == m) {
      for (int i = 0; i < N; ++i) phi[std::size_t(i)] = fw.phi[s.b_index(m0 - 1, i)];
      return;
    }
    for (int i = 0; i < N; ++i) {
      const std::size_t a = s.b_index(m0 - 1, i), b = s.b_index(m0, i);
      phi[std::size_t(i)] = 0.5 * (fw.phi[a] + fw.phi[b]) + ax * (fw.dphi[a] - fw.dphi[b]) / 8.0;
    }
  };
  double links_x = -1.0;
  // Q of (A) at x = (M - 1 - t) ax: the link receiving at x, sigma' at x, exact width shifts.
  const StageSource source = [&](double t, const double* u0, double* Q) {
    const double m = double(M - 1) - t;
    if (m * ax != links_x) {  // RK4's two midpoint stages share one evaluation
      f.links(links_x = m * ax, w.data(), beta.data());
      phi_at(m);
    }
    for (int i = 0; i < N; ++i) ds[std::size_t(i)] = sigma_d1(f.activation, phi[std::size_t(i)]) * u0[i];
    links.transpose(w.data(), ds.data(), Q);
  };
  // The output link, exact in depth: gamma(Lx - ax) = W[M-1]^T dl/dZ, W[M-1] receiving at Lx.
  std::vector<double> gamma_last(std::size_t(N), 0.0);
  f.links(links_x = double(M) * ax, w.data(), beta.data());
  links.transpose(w.data(), dl_dZ.data(), gamma_last.data());
  std::vector<double> delta(s.num_biases(), 0.0);
  for (int i = 0; i < N; ++i) delta[s.b_index(M - 1, i)] = dl_dZ[std::size_t(i)];
  std::vector<double> u = initial_state(p, N, gamma_last.data(), source);
  integrate(p, N, ax, M - 2, o.scheme, source, u, [&](int node, const double* state, const double*) {
    const int m = M - 1 - node;  // x = m ax
    for (int i = 0; i < N; ++i)
      delta[s.b_index(m - 1, i)] = sigma_d1(f.activation, fw.phi[s.b_index(m - 1, i)]) * state[i];
  });
  return delta;
}

}  // namespace nnfield
