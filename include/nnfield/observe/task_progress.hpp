#pragma once
// A progress line for work made of equal tasks (networks, seeds) done by several
// threads: "label done/total (pct) ETA". Redraws in place on a terminal, prints a plain
// line every few seconds otherwise, nothing when off (the ProgressLine conventions).
#include <chrono>
#include <mutex>
#include <string>

namespace nnfield {

class TaskProgress {
 public:
  // mode: "auto" (terminal -> redraw, otherwise plain), "tty", "plain", "off".
  TaskProgress(const std::string& mode, long total, std::string label);
  // Thread-safe: any worker may report.
  void update(long done);
  void finish(const std::string& message);

 private:
  std::mutex m_mutex;
  bool m_enabled, m_tty;
  long m_total;
  std::string m_label;
  std::chrono::steady_clock::time_point m_start, m_last_plain;
  bool m_drawn = false;
};

// "12s", "3m05s", "1h02m"; "?" for a negative or non-finite duration.
std::string format_duration(double seconds);

}  // namespace nnfield
