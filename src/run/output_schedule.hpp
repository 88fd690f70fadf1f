#pragma once
// When runs write rows, and the integration loop over them (run.cpp, field_run.cpp).
#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "nnfield/dynamics/integrator.hpp"
#include "nnfield/run/run.hpp"

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

// Breakpoints of the data in (t0, t1], generated as the integration reaches them (none for fixed data).
using BreakpointsIn = std::function<BreakpointSource(double t0, double t1)>;

// Where an integration along the schedule stands: the next output row to reach, the time
// of the state, and the stepper's carried state (a checkpoint saves all three).
struct SchedulePosition {
  long next_output = 0;
  double t = 0.0;
  StepperState stepper;
};

// Integrates from `at` through every remaining output time of `schedule`, window by window
// (each window starts the stepper afresh, so a run resumed inside a window continues with
// the carried stepper state and is the uninterrupted run bitwise), and turns the ways a run
// ends into result.status and result.message ("completed ...", NaN/Inf or step underflow:
// blew_up, interrupted). `at` stays current for the observe callback.
void integrate_on_schedule(OdeSystem& system, State& x, const OutputSchedule& schedule, double t_end,
                           SchedulePosition& at, const BreakpointsIn& breakpoints, const IntegratorConfig& config,
                           const IntegrationCallbacks& callbacks, IntegrationStats& stats, RunResult& result);

}  // namespace nnfield
