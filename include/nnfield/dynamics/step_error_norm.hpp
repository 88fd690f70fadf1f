#pragma once
// The error norm of the adaptive steppers. The dynamical components (the first
// OdeSystem::num_controlled()) use Odeint's default,
//   max_i |err_i| / (atol + rtol (|x_i| + dt |x'_i|)),
// the bookkeeping quadratures after them (energy integrals, BBD time integrals) are
// controlled as a group, relative to the largest of them: an additive energy book
// needs the accuracy of its largest entries, not of each entry near zero (where the
// componentwise norm would let atol dictate the step). A state split over processes
// takes the largest error of any process, so that every process takes the same steps; the
// group's largest entry and error too (a block's BBD time integrals are its own).
#include <algorithm>
#include <cmath>
#include <cstddef>

#include "nnfield/dynamics/ode_system.hpp"

namespace nnfield {

class StepErrorNorm {
 public:
  StepErrorNorm(double atol, double rtol, const OdeSystem& system)
      : m_atol(atol), m_rtol(rtol), m_n(system.num_controlled()), m_system(&system) {}

  // err(i) gives component i of the step's error estimate; x_old and dxdt_old are the
  // point the step started from.
  template <class S, class D, class Err>
  double operator()(const S& x_old, const D& dxdt_old, Err&& err, double dt) const {
    const double adt = std::fabs(dt);
    double worst = 0.0;
    for (std::size_t i = 0; i < m_n; ++i)
      worst = std::max(worst, std::fabs(err(i)) /
                                  (m_atol + m_rtol * (std::fabs(x_old[i]) + adt * std::fabs(dxdt_old[i]))));
    worst = m_system->max_over_processes(worst);
    double group_scale = 0.0, group_error = 0.0;
    for (std::size_t i = m_n; i < x_old.size(); ++i) {
      group_scale = std::max(group_scale, std::fabs(x_old[i]) + adt * std::fabs(dxdt_old[i]));
      group_error = std::max(group_error, std::fabs(err(i)));
    }
    group_scale = m_system->max_over_processes(group_scale);
    group_error = m_system->max_over_processes(group_error);
    return std::max(worst, group_error / (m_atol + m_rtol * group_scale));
  }

 private:
  double m_atol, m_rtol;
  std::size_t m_n;
  const OdeSystem* m_system;
};

}  // namespace nnfield
