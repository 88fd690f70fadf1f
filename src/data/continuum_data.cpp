#include "nnfield/data/continuum_data.hpp"

#include "nnfield/core/link_stencil.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "nnfield/bbd/bbd_variables.hpp"

namespace nnfield {

ContinuumData::ContinuumData(double Lx_, double Ly_, int r_, Activation act)
    : Lx(Lx_), Ly(Ly_), r(r_), activation(act), phi(Lx_, Ly_), c(Lx_, Ly_),
      w(std::size_t(2 * r_ + 1), SmoothField(Lx_, Ly_)), w_in(std::size_t(2 * r_ + 1), SmoothField(Lx_, Ly_)),
      X(Lx_, Ly_) {
  if (r_ < 0) throw std::invalid_argument("ContinuumData: negative radius");
}

double ContinuumData::weight(int k, double x, double y, double ax, double ay) const {
  if (k != r) return w[std::size_t(k)](x, y);
  // Critical gain (docs/theory.md 4.1) with sigma' at the sending neurons (x - ax, y + (k-r) ay).
  const double xs = x - ax;
  double others = 0.0;
  for (int j = 0; j < K(); ++j)
    if (j != r) others += w[std::size_t(j)](x, y) * sigma_d1(activation, phi(xs, y + (j - r) * ay));
  const double s0 = sigma_d1(activation, phi(xs, y));
  if (!(std::fabs(s0) > 1e-12))
    throw std::domain_error("ContinuumData: sigma'(phi) vanishes; the critical gain cannot fix w_0");
  return (1.0 + ax * c(x, y) - others) / s0;
}

std::vector<double> link_gain(const NetworkShape& s, Activation act, const double* W, const double* z) {
  std::vector<double> g(std::size_t(std::max(s.M - 1, 0)) * std::size_t(s.N), 0.0);
  std::vector<double> ds(std::size_t(s.N));
  const LinkStencil links(s);
  for (int m = 1; m < s.M; ++m) {
    const double* zm = z + std::size_t(m - 1) * s.N;  // z^(m), the sending layer
    for (int j = 0; j < s.N; ++j) ds[std::size_t(j)] = sigma_d1(act, zm[j]);
    links.apply(W + s.w_index(m, 0, 0), nullptr, ds.data(), g.data() + s.b_index(m - 1, 0));  // g = sum_k W sigma'
  }
  return g;
}

std::vector<double> link_gain_of_columns(const NetworkShape& s, Activation act, const double* W_block,
                                         const double* z, int first, int width) {
  // A window of width + 2r columns, the block in its middle and r senders on each side: the
  // stencil applied to it does not wrap for the block's columns, whose sums are then the
  // whole network's, term for term (the rows beyond the block are left at zero and dropped).
  const int r = s.r, K = s.K(), window = width + 2 * r;
  const LinkStencil links(window, r);
  std::vector<double> g(std::size_t(std::max(s.M - 1, 0)) * std::size_t(width));
  const std::size_t columns = std::size_t(window);
  std::vector<double> ds(columns), w(columns * std::size_t(K), 0.0), gw(columns);
  for (int m = 1; m < s.M; ++m) {
    const double* zm = z + std::size_t(m - 1) * std::size_t(s.N);  // z^(m), the sending layer
    for (int j = 0; j < window; ++j) ds[std::size_t(j)] = sigma_d1(act, zm[((first - r + j) % s.N + s.N) % s.N]);
    std::copy_n(W_block + std::size_t(m) * std::size_t(width) * std::size_t(K), std::size_t(width) * std::size_t(K),
                w.begin() + std::ptrdiff_t(r * K));
    links.apply(w.data(), nullptr, ds.data(), gw.data());
    std::copy_n(gw.begin() + r, width, g.begin() + std::ptrdiff_t(std::size_t(m - 1) * std::size_t(width)));
  }
  return g;
}

double SampledNetwork::max_gain_deviation() const {
  double d = 0.0;
  for (double g : gain) d = std::max(d, std::fabs(g - 1.0));
  return d;
}

void sample_network_columns(const ContinuumData& d, const LatticeGeometry& l, const ColumnWindow& window,
                            const double* X, double* W, double* z, double* b) {
  const NetworkShape& whole = l.shape;
  const NetworkShape s{whole.M, window.width, whole.r};  // the window's columns
  const double ax = l.ax(), ay = l.ay();
  for (int m = 1; m <= s.M; ++m)  // the neurons phi(m ax, i ay)
    for (int j = 0; j < s.N; ++j) z[s.b_index(m - 1, j)] = d.phi(l.neuron_x(m), l.y(window.site(j)));
  for (int j = 0; j < s.N; ++j)  // the input link: the given boundary field
    for (int k = 0; k < s.K(); ++k) W[s.w_index(0, j, k)] = d.w_in[std::size_t(k)](0.0, l.y(window.site(j)));
  for (int m = 1; m < s.M; ++m)
    for (int j = 0; j < s.N; ++j)
      for (int k = 0; k < s.K(); ++k) W[s.w_index(m, j, k)] = d.weight(k, l.link_x(m), l.y(window.site(j)), ax, ay);
  from_bbd(s, d.activation, W, z, X, b);
}

SampledNetwork sample_network(const ContinuumData& d, int M, int N, const double* X) {
  SampledNetwork net;
  net.lattice = LatticeGeometry{NetworkShape{M, N, d.r}, d.Lx, d.Ly};
  const LatticeGeometry& l = net.lattice;
  const NetworkShape& s = l.shape;
  if (M < 1 || N < 2 * d.r + 1) throw std::invalid_argument("sample_network: need M >= 1 and N >= 2r+1");
  net.X.resize(std::size_t(N));
  for (int i = 0; i < N; ++i) net.X[std::size_t(i)] = X ? X[i] : d.X(0.0, l.y(i));
  net.z.resize(s.num_biases());
  net.W.resize(s.num_weights());
  net.b.resize(s.num_biases());
  sample_network_columns(d, l, ColumnWindow::whole(N), net.X.data(), net.W.data(), net.z.data(), net.b.data());
  net.gain = link_gain(s, d.activation, net.W.data(), net.z.data());
  return net;
}

void sample_on_grid(const ContinuumData& d, double ax, double ay, FieldGrid& g) {
  if (g.r() != d.r) throw std::invalid_argument("sample_on_grid: grid and data have different radii");
  sample_on_grid([&](double x, double y) { return d.phi(x, y); }, g, g.phi.data());
  for (int a = 0; a < g.nx(); ++a)
    for (int b = 0; b < g.ny(); ++b)
      for (int k = 0; k < g.K(); ++k) g.w[g.w_index(a, b, k)] = d.weight(k, g.x(a), g.y(b), ax, ay);
  for (int b = 0; b < g.ny(); ++b) {
    for (int k = 0; k < g.K(); ++k) g.w_in[std::size_t(b) * std::size_t(g.K()) + std::size_t(k)] = d.w_in[std::size_t(k)](0.0, g.y(b));
    g.X[std::size_t(b)] = d.X(0.0, g.y(b));
  }
}

}  // namespace nnfield
