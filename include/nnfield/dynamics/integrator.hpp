#pragma once
// Time integration of an OdeSystem: rk4, rkf78 and the symplectic stepper are Boost.Odeint's
// (src/dynamics/integrator.cpp is the only file that names Odeint steppers), dopri5 is ours
// with Odeint's arithmetic in fewer vectors (dopri5_stepper.hpp). The loop stops exactly at observation times and
// at data discontinuities, checks every accepted step for NaN/Inf, and reports
// progress and interruption through callbacks.
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/dynamics/ode_system.hpp"

namespace nnfield {

// The state stopped being finite; carries the time of the last good step.
class NonFiniteState : public std::runtime_error {
 public:
  NonFiniteState(double bad, double good)
      : std::runtime_error("state became NaN/Inf at t = " + std::to_string(bad) +
                           " (last finite state at t = " + std::to_string(good) + ")"),
        t_bad(bad), t_good(good) {}
  double t_bad, t_good;
};
class IntegrationInterrupted : public std::runtime_error {
 public:
  explicit IntegrationInterrupted(double at) : std::runtime_error("interrupted"), t(at) {}
  double t;
};
class StepSizeUnderflow : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct IntegrationStats {
  long accepted = 0, rejected = 0;
};

struct IntegrationCallbacks {
  std::function<void(const State&, double)> observe;  // at each observation time
  std::function<void(double)> progress;               // now and then (~5 Hz)
  std::function<bool()> should_stop;                  // polled every step
};

// What a stepper carries from one step to the next besides x and t, owned by the caller so
// that a checkpoint can save it and a resumed run continues bitwise: the adaptive
// steppers' next trial step, and the first-same-as-last steppers' (dopri5) derivative
// f(x, t) at the current point (empty: computed anew, as after a jump in the data).
struct StepperState {
  double dt = 0.0;
  State dxdt;
};

// The times where the right-hand side jumps, in increasing order, pulled one at a time as the
// integration reaches them: each call gives the next, +infinity after the last (empty: none).
// Never listed, so a run with 10^10 data switches holds one of them (data/data.hpp, SwitchTimes).
using BreakpointSource = std::function<double()>;

// Orders of the steppers (used by the order tests and docs).
int stepper_order(StepperKind stepper);

// Integrate from t0 to the last observation time. `observe_times` is sorted and
// starts at or after t0 (t0 itself is observed if listed); `breakpoints` gives the times
// where the right-hand side jumps (those after t0 and up to the last observation time are
// stopped at; the system's at_breakpoint books each). Steps are counted into `running` as they are
// taken (so observers can read the count), and returned for this call alone. `carried`, if
// given, is the stepper state to start from (dt = config.dt and no derivative for a fresh
// start) and is kept current, so the observe callback sees the state of that moment.
IntegrationStats integrate(OdeSystem& system, State& x, double t0, const std::vector<double>& observe_times,
                           const BreakpointSource& breakpoints, const IntegratorConfig& config,
                           const IntegrationCallbacks& callbacks, IntegrationStats* running = nullptr,
                           StepperState* carried = nullptr);

}  // namespace nnfield
