#include "run/output_schedule.hpp"

#include <string>

namespace nnfield {

void integrate_on_schedule(OdeSystem& system, State& x, const OutputSchedule& schedule, double t_end,
                           SchedulePosition& at, const BreakpointsIn& breakpoints, const IntegratorConfig& config,
                           const IntegrationCallbacks& callbacks, IntegrationStats& stats, RunResult& result) {
  try {
    for (long first = at.next_output; first < schedule.count();) {
      const long window_end = std::min(schedule.count(), (first / kOutputsPerWindow + 1) * kOutputsPerWindow);
      if (first % kOutputsPerWindow == 0) at.stepper = StepperState{config.dt, {}};
      std::vector<double> times;
      for (long k = first; k < window_end; ++k) times.push_back(schedule.time(k));
      const double t = at.t;
      integrate(system, x, t, times, breakpoints ? breakpoints(t, times.back()) : BreakpointSource{}, config,
                callbacks, &stats, &at.stepper);
      at.t = times.back();
      first = window_end;
    }
    result.message = "completed t = " + std::to_string(t_end) + " in " + std::to_string(stats.accepted) +
                     " steps (" + std::to_string(stats.rejected) + " rejected)";
  } catch (const NonFiniteState& e) {
    result.status = RunStatus::blew_up;
    result.message = e.what();
  } catch (const StepSizeUnderflow& e) {
    result.status = RunStatus::blew_up;
    result.message = e.what();
  } catch (const IntegrationInterrupted& e) {
    result.status = RunStatus::interrupted;
    result.message = "interrupted at t = " + std::to_string(e.t);
  }
}

}  // namespace nnfield
