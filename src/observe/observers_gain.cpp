// The gain of every bulk link along a run, and the critical-regime check (SPEC 4.1, 4.2).
#include <algorithm>
#include <cmath>

#include "nnfield/data/continuum_data.hpp"
#include "nnfield/observe/observer.hpp"

namespace nnfield {

namespace {

// A run "leaves the critical regime" when max|g - 1| grows past this multiple of its
// initial value (SPEC 4.2: with an O(1) misfit the gains drift to ~0.1 whatever M).
constexpr double kRegimeFactor = 5.0;

class GainObserver final : public Observer {
 public:
  GainObserver(const NetworkShape& shape, Activation activation) : m_shape(shape), m_activation(activation) {}

  void declare(SeriesSink& w) override {
    m_gain = w.add_series("/trajectory/gain", {std::size_t(std::max(m_shape.M - 1, 0)), std::size_t(m_shape.N)},
                          "T,M-1,N",
                          "g - 1 per bulk link: g[m,i] = sum_k W[m,i,k] sigma'(z^(m)_(i+k-r)), m = 1..M-1 (row m-1)");
  }

  void observe(const Snapshot& s, SeriesSink& w) override {
    std::vector<double> g = link_gain(m_shape, m_activation, s.W, s.z);
    double deviation = 0.0;
    for (double& v : g) {
      v -= 1.0;
      deviation = std::max(deviation, std::fabs(v));
    }
    w.append(m_gain, g.data());
    if (w.rows(m_gain) == 1) {
      m_initial = deviation;
      w.set_root_attribute("gain_deviation_initial", deviation);
    } else if (!m_left && m_initial > 0.0 && deviation > kRegimeFactor * m_initial) {
      m_left = true;
      w.set_root_attribute("left_critical_regime_at", s.t);
    }
  }

 private:
  NetworkShape m_shape;
  Activation m_activation;
  int m_gain = -1;
  double m_initial = 0.0;
  bool m_left = false;
};

}  // namespace

std::unique_ptr<Observer> make_gain_observer(const NetworkShape& shape, Activation activation) {
  return std::make_unique<GainObserver>(shape, activation);
}

}  // namespace nnfield
