#pragma once
// The progress line: time, loss, energy and ETA. Redraws in place on a terminal,
// prints a plain line every few seconds otherwise (logs, CI), nothing with --quiet.
#include <chrono>
#include <cstdio>
#include <string>

namespace nnfield {

class ProgressLine {
 public:
  // mode: "auto" (terminal -> redraw, otherwise plain), "tty", "plain", "off".
  ProgressLine(const std::string& mode, double t_end, const char* time_label = "t");
  void update(double t, double loss, double energy);
  void finish(const std::string& message);

 private:
  bool m_enabled, m_tty;
  double m_t_end;
  const char* m_label;
  std::chrono::steady_clock::time_point m_start, m_last_plain;
  bool m_drawn = false;
};

}  // namespace nnfield
