#include "run/output_schedule.hpp"

#include <string>

namespace nnfield {

IntegrationStats integrate_on_schedule(OdeSystem& system, State& x, const OutputSchedule& schedule, double t_end,
                                       const BreakpointsIn& breakpoints, const IntegratorConfig& config,
                                       const IntegrationCallbacks& callbacks, IntegrationStats& stats,
                                       RunResult& result) {
  try {
    double t = 0.0;
    for (long first = 0; first < schedule.count(); first += kOutputsPerWindow) {
      std::vector<double> times;
      for (long k = first; k < std::min(schedule.count(), first + kOutputsPerWindow); ++k)
        times.push_back(schedule.time(k));
      integrate(system, x, t, times, breakpoints ? breakpoints(t, times.back()) : std::vector<double>{}, config,
                callbacks, &stats);
      t = times.back();
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
  return stats;
}

}  // namespace nnfield
