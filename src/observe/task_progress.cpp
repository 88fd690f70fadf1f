#include "nnfield/observe/task_progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace nnfield {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  char buf[32];
  const long s = long(seconds + 0.5);
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

TaskProgress::TaskProgress(const std::string& mode, long total, std::string label)
    : m_enabled(mode != "off"),
      m_tty(mode == "tty" || (mode == "auto" && isatty(STDERR_FILENO))),
      m_total(total),
      m_label(std::move(label)),
      m_start(std::chrono::steady_clock::now()),
      m_last_plain(m_start) {}

void TaskProgress::update(long done) {
  if (!m_enabled) return;
  std::lock_guard<std::mutex> lock(m_mutex);
  const auto now = std::chrono::steady_clock::now();
  if (!m_tty && done < m_total && std::chrono::duration<double>(now - m_last_plain).count() < 5.0) return;
  m_last_plain = now;
  const double elapsed = std::chrono::duration<double>(now - m_start).count();
  const double frac = m_total > 0 ? double(done) / double(m_total) : 1.0;
  const double eta = done > 0 ? elapsed * (1.0 - frac) / frac : NAN;
  std::fprintf(stderr, "%s%s %ld/%ld (%5.1f%%)  ETA %s%s", m_tty ? "\r" : "", m_label.c_str(), done, m_total,
               100.0 * frac, format_duration(eta).c_str(), m_tty ? "\033[K" : "\n");
  std::fflush(stderr);
  m_drawn = true;
}

void TaskProgress::finish(const std::string& message) {
  if (!m_enabled) return;
  std::lock_guard<std::mutex> lock(m_mutex);
  if (m_tty && m_drawn) std::fprintf(stderr, "\r\033[K");
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  std::fprintf(stderr, "%s (%s)\n", message.c_str(), format_duration(elapsed).c_str());
}

}  // namespace nnfield
