// The gain of every bulk link along a run, and the critical-regime check (docs/theory.md 4.1, 4.2).
#include <algorithm>
#include <cmath>

#include "nnfield/data/continuum_data.hpp"
#include "nnfield/observe/observer.hpp"
#include "nnfield/observe/regime_monitor.hpp"

namespace nnfield {

namespace {

class GainObserver final : public Observer {
 public:
  GainObserver(const NetworkShape& shape, Activation activation, RegimeMonitor& regime)
      : m_shape(shape), m_activation(activation), m_regime(regime) {}

  void declare(SeriesSink& w) override {
    m_gain = w.add_series("/trajectory/gain", {std::size_t(std::max(m_shape.M - 1, 0)), std::size_t(m_shape.N)},
                          "T,M-1,N",
                          "g - 1 per bulk link: g[m,i] = sum_k W[m,i,k] sigma'(z^(m)_(i+k-r)), m = 1..M-1 (row m-1)");
  }

  void observe(const Snapshot& s, SeriesSink& w) override {
    // A split network's gains come measured on its blocks (Snapshot::gain).
    std::vector<double> g = s.gain ? std::vector<double>(s.gain, s.gain + std::size_t(std::max(m_shape.M - 1, 0)) *
                                                                           std::size_t(m_shape.N))
                                   : link_gain(m_shape, m_activation, s.W, s.neurons);
    double deviation = 0.0;
    for (double& v : g) {
      v -= 1.0;
      deviation = std::max(deviation, std::fabs(v));
    }
    w.append(m_gain, g.data());
    m_regime.update(deviation, s.t, w);
  }

 private:
  NetworkShape m_shape;
  Activation m_activation;
  int m_gain = -1;
  RegimeMonitor& m_regime;
};

}  // namespace

std::unique_ptr<Observer> make_gain_observer(const NetworkShape& shape, Activation activation, RegimeMonitor& regime) {
  return std::make_unique<GainObserver>(shape, activation, regime);
}

}  // namespace nnfield
