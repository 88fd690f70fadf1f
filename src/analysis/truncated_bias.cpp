#include "nnfield/analysis/truncated_bias.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nnfield {

std::vector<double> implicit_forward_bias(const ContinuumData& d, const SampledNetwork& net, int p) {
  if (p < 0) throw std::invalid_argument("implicit_forward_bias: negative order p");
  const LatticeGeometry& l = net.lattice;
  const NetworkShape& s = l.shape;
  const double ax = l.ax(), ay = l.ay();
  std::vector<double> beta(std::size_t(std::max(s.M - 1, 0)) * std::size_t(s.N));
  for (int m = 1; m < s.M; ++m) {
    const double x = l.neuron_x(m);  // expansion point: the sending layer
    for (int i = 0; i < s.N; ++i) {
      const double y = l.y(i);
      // T_p[phi](x; +ax): Horner-free sum, the terms are few and their size is the point.
      double shifted = 0.0, coeff = 1.0;
      for (int n = 0; n <= p; ++n) {
        if (n > 0) coeff *= ax / n;
        shifted += coeff * d.phi.derivative(n, 0, x, y);
      }
      double source = 0.0;  // width shifts exact: the smooth field at y + (k-r) ay
      for (int k = 0; k < s.K(); ++k)
        source += net.W[s.w_index(m, i, k)] * sigma(d.activation, d.phi(x, y + (k - s.r) * ay));
      beta[s.b_index(m - 1, i)] = shifted - source;
    }
  }
  return beta;
}

double implicit_forward_residual(const ContinuumData& d, const SampledNetwork& net, int p) {
  const std::vector<double> beta = implicit_forward_bias(d, net, p);
  const NetworkShape& s = net.lattice.shape;
  double worst = 0.0;
  for (int m = 1; m < s.M; ++m)
    for (int i = 0; i < s.N; ++i)
      worst = std::max(worst, std::fabs(net.b[s.b_index(m, i)] - beta[s.b_index(m - 1, i)]));
  return worst;
}

}  // namespace nnfield
