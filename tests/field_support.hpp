#pragma once
// Continuum data for the field-limit tests: smooth critical data (docs/theory.md 4.1), tanh, r = 1;
// the link gains of a model's initial network.
#include <cmath>
#include <vector>

#include "nnfield/bbd/bbd_variables.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/core/network.hpp"
#include "nnfield/data/continuum_data.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/data/initial_state.hpp"
#include "nnfield/dynamics/ode_system.hpp"
#include "nnfield/numerics/rng.hpp"

namespace nnfield::test {

inline ContinuumData smooth_critical_data(std::uint64_t seed, double c_rms = 0.3) {
  Rng rng(seed);
  const double Lx = 1.0, Ly = 1.0;
  ContinuumData d(Lx, Ly, 1, Activation::tanh);
  d.phi = SmoothField::random(Lx, Ly, 2, 3, 0.5, rng);
  d.phi.set_mean(0.2);
  d.c = SmoothField::random(Lx, Ly, 2, 3, c_rms, rng);
  for (int k : {0, 2}) {  // offsets -1 and +1; w[1] (offset 0) is derived from the gain
    d.w[std::size_t(k)] = SmoothField::random(Lx, Ly, 2, 3, 0.05, rng);
    d.w[std::size_t(k)].set_mean(0.3);
  }
  for (auto& v : d.w_in) {
    v = SmoothField::random(Lx, Ly, 0, 3, 0.05, rng);
    v.set_mean(1.0 / 3.0);
  }
  d.X = SmoothField::random(Lx, Ly, 0, 3, 0.5, rng);
  return d;
}

// The gain g of every bulk link (M-1, N) of the initial network of `c`, with its first
// data sample presented (link_gain of continuum_data.hpp).
inline std::vector<double> initial_link_gain(const ModelConfig& c) {
  const NetworkShape& s = c.network.shape;
  DataStream data(make_samples(c), c.data, c.seed);
  const ParameterState st = make_initial_state(c, data);
  std::vector<double> X(std::size_t(s.N)), Y(X.size()), z(s.num_biases());
  data.at(0.0, X.data(), Y.data(), nullptr, nullptr);
  to_bbd(s, c.network.activation, st.q.data(), st.q.data() + s.num_weights(), X.data(), z.data());
  return link_gain(s, c.network.activation, st.q.data(), z.data());
}

// Gradient flow of the network itself, q = [W, b], on one pair (the lattice-exact comparison
// of the field solver, and the network side of bench/bench_field.cpp).
class NetworkFlow : public OdeSystem {
 public:
  NetworkFlow(const NetworkShape& s, std::vector<double> X, std::vector<double> Y, double eta)
      : m_s(s), m_net(s, Activation::tanh, Loss::mse), m_X(std::move(X)), m_Y(std::move(Y)), m_eta(eta) {}
  std::size_t state_size() const override { return m_s.num_weights() + m_s.num_biases(); }
  void rhs(const State& x, State& dxdt, double) override {
    const std::size_t nw = m_s.num_weights();
    m_net.value_and_gradient(x.data(), x.data() + nw, m_X.data(), m_Y.data(), 1, dxdt.data(), dxdt.data() + nw);
    for (double& v : dxdt) v *= -m_eta;
  }

 private:
  NetworkShape m_s;
  Network m_net;
  std::vector<double> m_X, m_Y;
  double m_eta;
};

// Least-squares slope of log(err) against log(h).
inline double loglog_slope(const std::vector<double>& h, const std::vector<double>& err) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double n = double(h.size());
  for (std::size_t i = 0; i < h.size(); ++i) {
    const double lx = std::log(h[i]), ly = std::log(err[i]);
    sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

}  // namespace nnfield::test
