#pragma once
// When runs write rows (run.cpp, field_run.cpp).
#include <algorithm>
#include <cmath>

namespace nnfield {

// Output times are k * every, k = 0, 1, ..., and always t_end; generated window by
// window so that a long run never holds them (or the data's breakpoints) all at once.
class OutputSchedule {
 public:
  OutputSchedule(double t_end, double every)
      : m_t_end(t_end), m_every(every), m_last(long(std::floor(t_end / every + 1e-9))) {}
  long count() const { return m_last + 1 + (needs_end() ? 1 : 0); }
  double time(long k) const { return k <= m_last ? double(k) * m_every : m_t_end; }

 private:
  bool needs_end() const { return m_t_end - double(m_last) * m_every > 1e-12 * std::max(1.0, m_t_end); }
  double m_t_end, m_every;
  long m_last;
};

constexpr long kOutputsPerWindow = 4096;

}  // namespace nnfield
