#pragma once
// The critical-regime check of every run, network or field (docs/theory.md 4.1, 4.2): a run
// "leaves the critical regime" when the largest gain deviation max|g - 1| over the bulk
// links grows past 5x its initial value (with an O(1) misfit the gains drift to ~0.1
// whatever M: no depth limit). Writes the root attributes `gain_deviation_initial` (first
// row) and `left_critical_regime_at` (the first time past the threshold).
#include <limits>
#include <vector>

#include "nnfield/io/series_sink.hpp"

namespace nnfield {

class RegimeMonitor {
 public:
  static constexpr double kFactor = 5.0;  // docs/theory.md 4.2: "exceeds ~5x its initial value"
  // The deviation max|g - 1| of the row at time t.
  void update(double deviation, double t, SeriesSink& sink);
  // The first time the run left the regime, or < 0.
  double left_at() const { return m_left_at; }
  // The largest deviation of any row so far; NaN before the first.
  double max_deviation() const { return m_started ? m_max : std::numeric_limits<double>::quiet_NaN(); }
  // For checkpoints: {started, initial, left_at, max}, and back.
  std::vector<double> saved_state() const { return {m_started ? 1.0 : 0.0, m_initial, m_left_at, m_max}; }
  void restore_state(const std::vector<double>& state);

 private:
  bool m_started = false;
  double m_initial = 0.0, m_left_at = -1.0, m_max = 0.0;
};

}  // namespace nnfield
