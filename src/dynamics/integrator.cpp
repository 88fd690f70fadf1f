#include "nnfield/dynamics/integrator.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <boost/numeric/odeint.hpp>

#include "nnfield/dynamics/dopri5_stepper.hpp"
#include "nnfield/dynamics/step_error_norm.hpp"

namespace nnfield {

namespace odeint = boost::numeric::odeint;

namespace {

// Adapts an OdeSystem to Odeint's system concept.
struct SystemRef {
  OdeSystem* sys;
  void operator()(const State& x, State& dxdt, double t) const { sys->rhs(x, dxdt, t); }
};

// StepErrorNorm as Odeint's error checker (rkf78's controlled stepper).
class OdeintErrorChecker {
 public:
  using value_type = double;
  using algebra_type = odeint::range_algebra;
  using operations_type = odeint::default_operations;

  explicit OdeintErrorChecker(const StepErrorNorm& norm) : m_norm(norm) {}
  template <class S, class D, class E, class T>
  double error(algebra_type&, const S& x_old, const D& dxdt_old, E& x_err, T dt) const {
    return m_norm(x_old, dxdt_old, [&](std::size_t i) { return x_err[i]; }, double(dt));
  }

 private:
  StepErrorNorm m_norm;
};

bool all_finite(const State& x) {
  for (double v : x)
    if (!std::isfinite(v)) return false;
  return true;
}

class ProgressClock {
 public:
  bool due() {
    const auto now = std::chrono::steady_clock::now();
    if (now - m_last < std::chrono::milliseconds(200)) return false;
    m_last = now;
    return true;
  }

 private:
  std::chrono::steady_clock::time_point m_last = std::chrono::steady_clock::now();
};

// Checks shared by every stepper after each accepted step.
struct StepGuard {
  const IntegrationCallbacks& cb;
  const OdeSystem& sys;
  ProgressClock clock;
  void after_step(const State& x, double t, double t_prev) {
    if (!sys.on_all_processes(all_finite(x))) throw NonFiniteState(t, t_prev);
    if (cb.should_stop && cb.should_stop()) throw IntegrationInterrupted(t);
    if (cb.progress && clock.due()) cb.progress(t);
  }
};

// Number of equal fixed steps covering [t, target] with steps close to dt: exact
// when the interval is a multiple of dt, so order tests see the dt they asked for.
long fixed_step_count(double span, double dt) {
  const double n = span / dt;
  const double rounded = std::round(n);
  if (rounded >= 1 && std::fabs(n - rounded) < 1e-9 * std::max(1.0, n)) return long(rounded);
  return std::max(1L, long(std::ceil(n)));
}

template <class Stepper>
void advance_fixed(Stepper& stepper, OdeSystem& sys, State& x, double& t, double target, double dt,
                   StepGuard& guard, IntegrationStats& stats) {
  const long n = fixed_step_count(target - t, dt);
  const double t_start = t, h = (target - t) / double(n);
  for (long j = 1; j <= n; ++j) {
    const double t_prev = t;
    stepper.do_step(SystemRef{&sys}, x, t, h);
    t = (j == n) ? target : t_start + double(j) * h;
    ++stats.accepted;
    guard.after_step(x, t, t_prev);
  }
}

// The first-same-as-last dopri5 at fixed steps: its derivative at the current point is
// carried in `dxdt` (computed when empty), not hidden in the stepper, so that a checkpoint
// can save it and a resumed run steps bitwise as the uninterrupted one.
void advance_fixed_dopri5(Dopri5Stepper& stepper, OdeSystem& sys, State& x, double& t, double target, double dt,
                          State& dxdt, StepGuard& guard, IntegrationStats& stats) {
  const long n = fixed_step_count(target - t, dt);
  const double t_start = t, h = (target - t) / double(n);
  for (long j = 1; j <= n; ++j) {
    const double t_prev = t;
    if (dxdt.empty()) {
      dxdt.resize(x.size());
      sys.rhs(x, dxdt, t);
    }
    stepper.step(sys, x, dxdt, t, h);
    t = (j == n) ? target : t_start + double(j) * h;
    ++stats.accepted;
    guard.after_step(x, t, t_prev);
  }
}

// Error-controlled steps up to target: try_step(h) tries a step of size h from (x, t), and
// on success advances them and suggests the next size in h, on failure shrinks h.
template <class TryStep>
void advance_adaptive(TryStep&& try_step, OdeSystem& sys, State& x, double& t, double target, StepperState& carry,
                      double dt_min, StepGuard& guard, IntegrationStats& stats) {
  double& dt = carry.dt;
  while (t < target) {
    const bool last = dt >= target - t;
    double h = last ? target - t : dt;
    const double t_prev = t;
    const double h_tried = h;
    if (try_step(h)) {
      ++stats.accepted;
      if (last) t = target;  // land exactly, not a rounding error short of it
      // Keep the controller's suggestion, unless the step was only cut to land.
      dt = (last && h_tried < dt) ? std::max(dt, h) : h;
      guard.after_step(x, t, t_prev);
    } else {
      ++stats.rejected;
      dt = h;
      if (!std::isfinite(dt) || dt < dt_min) {
        if (!sys.on_all_processes(all_finite(x))) throw NonFiniteState(t, t_prev);
        throw StepSizeUnderflow("adaptive step size fell below integrator.dt_min = " + std::to_string(dt_min) +
                                " at t = " + std::to_string(t) + " (stiff or singular dynamics?)");
      }
    }
  }
}

// Symplectic steppers work on a (q, p) pair: copy out, step, copy back.
template <class Stepper>
void advance_symplectic(Stepper& stepper, OdeSystem& sys, State& x, double& t, double target, double dt,
                        StepGuard& guard, IntegrationStats& stats) {
  const std::size_t n = sys.num_coordinates();
  State q(x.begin(), x.begin() + std::ptrdiff_t(n)), p(x.begin() + std::ptrdiff_t(n), x.begin() + std::ptrdiff_t(2 * n));
  double t_now = t;
  auto coordinates = [](const State& pp, State& dqdt) { std::copy(pp.begin(), pp.end(), dqdt.begin()); };
  auto momenta = [&sys, &t_now](const State& qq, State& dpdt) { sys.force(qq.data(), dpdt.data(), t_now); };
  const long steps = fixed_step_count(target - t, dt);
  const double t_start = t, h = (target - t) / double(steps);
  for (long j = 1; j <= steps; ++j) {
    const double t_prev = t;
    stepper.do_step(std::make_pair(coordinates, momenta), std::make_pair(std::ref(q), std::ref(p)), t, h);
    t = (j == steps) ? target : t_start + double(j) * h;
    t_now = t;
    std::copy(q.begin(), q.end(), x.begin());
    std::copy(p.begin(), p.end(), x.begin() + std::ptrdiff_t(n));
    ++stats.accepted;
    guard.after_step(x, t, t_prev);
  }
}

// The times to stop at, in increasing order without repeats: the observation times merged
// with the breakpoints after t0, which are pulled from their source only as the merge
// reaches them (O(1) memory in their number). Ends at the last observation time.
class Stops {
 public:
  struct Stop {
    double t;
    bool observed, breakpoint;
  };
  Stops(double t0, const std::vector<double>& observe, const BreakpointSource& breaks)
      : m_observe(observe), m_breaks(breaks), m_break(pull_after(t0)) {}

  bool next(Stop& stop) {
    if (m_k >= m_observe.size()) return false;
    const double o = m_observe[m_k];
    if (m_break < o) {
      stop = {m_break, false, true};
      m_break = pull_after(m_break);
      return true;
    }
    stop = {o, true, m_break == o};
    if (m_break == o) m_break = pull_after(o);
    while (m_k < m_observe.size() && m_observe[m_k] == o) ++m_k;
    return true;
  }

 private:
  double pull_after(double after) {
    if (!m_breaks) return std::numeric_limits<double>::infinity();
    double b = m_breaks();
    while (b <= after) b = m_breaks();
    return b;
  }

  const std::vector<double>& m_observe;
  const BreakpointSource& m_breaks;
  double m_break;  // the next breakpoint not yet stopped at
  std::size_t m_k = 0;
};

}  // namespace

int stepper_order(StepperKind stepper) {
  switch (stepper) {
    case StepperKind::rk4: return 4;
    case StepperKind::dopri5: return 5;
    case StepperKind::rkf78: return 8;
    case StepperKind::symplectic: return 4;  // McLachlan's SB3A RKN scheme
  }
  throw std::invalid_argument("unknown stepper " + std::to_string(int(stepper)));
}

IntegrationStats integrate(OdeSystem& system, State& x, double t0, const std::vector<double>& observe_times,
                           const BreakpointSource& breakpoints, const IntegratorConfig& config,
                           const IntegrationCallbacks& callbacks, IntegrationStats* running, StepperState* carried) {
  IntegrationStats local;
  IntegrationStats& stats = running ? *running : local;
  const IntegrationStats start = stats;
  StepperState fresh{config.dt, {}};
  StepperState& carry = carried ? *carried : fresh;
  StepGuard guard{callbacks, system, {}};
  Stops stops(t0, observe_times, breakpoints);
  const StepperKind kind = config.stepper;
  if (kind == StepperKind::symplectic && system.num_coordinates() == 0)
    throw std::invalid_argument("the symplectic stepper needs a second-order (damped) system");

  odeint::runge_kutta4<State> rk4;
  Dopri5Stepper dopri5;
  odeint::runge_kutta_fehlberg78<State> rkf78;
  odeint::symplectic_rkn_sb3a_mclachlan<State> symplectic;
  const StepErrorNorm norm(config.atol, config.rtol, system);
  double t = t0;
  odeint::controlled_runge_kutta<odeint::runge_kutta_fehlberg78<State>, OdeintErrorChecker> rkf78_controlled(
      OdeintErrorChecker{norm});
  const auto dopri5_try = [&](double& h) {
    if (carry.dxdt.empty()) {  // first same as last: the derivative is carried between steps
      carry.dxdt.resize(x.size());
      system.rhs(x, carry.dxdt, t);
    }
    return dopri5.try_step(system, x, carry.dxdt, t, h, norm);
  };
  const auto rkf78_try = [&](double& h) { return rkf78_controlled.try_step(SystemRef{&system}, x, t, h) == odeint::success; };

  for (Stops::Stop stop{}; stops.next(stop);) {
    const double target = stop.t;
    if (target > t) {
      system.set_interval_end(target);
      switch (kind) {
        case StepperKind::rk4: advance_fixed(rk4, system, x, t, target, config.dt, guard, stats); break;
        case StepperKind::symplectic:
          advance_symplectic(symplectic, system, x, t, target, config.dt, guard, stats);
          break;
        case StepperKind::dopri5:
          if (config.adaptive)
            advance_adaptive(dopri5_try, system, x, t, target, carry, config.dt_min, guard, stats);
          else
            advance_fixed_dopri5(dopri5, system, x, t, target, config.dt, carry.dxdt, guard, stats);
          break;
        case StepperKind::rkf78:
          if (config.adaptive)
            advance_adaptive(rkf78_try, system, x, t, target, carry, config.dt_min, guard, stats);
          else
            advance_fixed(rkf78, system, x, t, target, config.dt, guard, stats);
          break;
      }
    }
    system.set_interval_end(1e300);  // observers and the next interval see the data at t
    if (t > t0 && stop.breakpoint) {
      system.at_breakpoint(x, t);
      // First-same-as-last steppers carry f(x, t) from the previous step; after a
      // jump in the data that derivative belongs to the old right-hand side.
      carry.dxdt.clear();
    }
    if (callbacks.observe && stop.observed) callbacks.observe(x, t);
  }
  return {stats.accepted - start.accepted, stats.rejected - start.rejected};
}

}  // namespace nnfield
