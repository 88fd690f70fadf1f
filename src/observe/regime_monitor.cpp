#include "nnfield/observe/regime_monitor.hpp"

#include <algorithm>

namespace nnfield {

void RegimeMonitor::update(double deviation, double t, SeriesSink& sink) {
  m_max = m_started ? std::max(m_max, deviation) : deviation;
  if (!m_started) {
    m_started = true;
    m_initial = deviation;
    sink.set_root_attribute("gain_deviation_initial", deviation);
    return;
  }
  if (m_left_at < 0 && m_initial > 0.0 && deviation > kFactor * m_initial) {
    m_left_at = t;
    sink.set_root_attribute("left_critical_regime_at", t);
  }
}

void RegimeMonitor::restore_state(const std::vector<double>& state) {
  m_started = state.at(0) != 0.0;
  m_initial = state.at(1);
  m_left_at = state.at(2);
  // A checkpoint written before the maximum was kept: the largest deviation it can know.
  m_max = state.size() > 3 ? state[3] : m_initial;
}

}  // namespace nnfield
