#include "nnfield/observe/progress.hpp"

#include "nnfield/observe/task_progress.hpp"

#include <unistd.h>

#include <cmath>

namespace nnfield {

ProgressLine::ProgressLine(const std::string& mode, double t_end, const char* time_label)
    : m_enabled(mode != "off"),
      m_tty(mode == "tty" || (mode == "auto" && isatty(STDERR_FILENO))),
      m_t_end(t_end),
      m_label(time_label),
      m_start(std::chrono::steady_clock::now()),
      m_last_plain(m_start) {}

void ProgressLine::update(double t, double loss, double energy) {
  if (!m_enabled) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - m_start).count();
  if (!m_tty && std::chrono::duration<double>(now - m_last_plain).count() < 5.0) return;
  m_last_plain = now;
  const double frac = m_t_end > 0 ? std::min(1.0, t / m_t_end) : 1.0;
  const double eta = frac > 0 ? elapsed * (1.0 - frac) / frac : NAN;
  std::fprintf(stderr, "%s%s = %-10.4g (%5.1f%%)  loss %-12.6g  energy %-12.6g  ETA %s%s",
               m_tty ? "\r" : "", m_label, t, 100.0 * frac, loss, energy, format_duration(eta).c_str(),
               m_tty ? "\033[K" : "\n");
  std::fflush(stderr);
  m_drawn = true;
}

void ProgressLine::finish(const std::string& message) {
  if (!m_enabled) return;
  if (m_tty && m_drawn) std::fprintf(stderr, "\r\033[K");
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  std::fprintf(stderr, "%s (%s)\n", message.c_str(), format_duration(elapsed).c_str());
}

}  // namespace nnfield
