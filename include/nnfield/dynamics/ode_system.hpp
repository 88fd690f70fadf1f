#pragma once
// What an integrator needs of a system (the Odeint "system" role): the right-hand
// side, and for symplectic integration the split into coordinates and momenta.
#include <cstddef>
#include <vector>

namespace nnfield {

using State = std::vector<double>;

class OdeSystem {
 public:
  virtual ~OdeSystem() = default;
  virtual std::size_t state_size() const = 0;
  // Adaptive steppers control the first num_controlled() components one by one; the
  // rest are quadratures along the motion (energy bookkeeping) that never feed back
  // into it, controlled as a group relative to the largest of them (integrator.cpp).
  virtual std::size_t num_controlled() const { return state_size(); }
  virtual void rhs(const State& x, State& dxdt, double t) = 0;

  // Separable Hamiltonian split for symplectic steppers: x = [q (n), p (n), rest],
  // q' = p, p' = force(q). Returns 0 when the system has no such split.
  virtual std::size_t num_coordinates() const { return 0; }
  virtual void force(const double* /*q*/, double* /*dpdt*/, double /*t*/) {}

  // Called by the integrator on arriving at a breakpoint t where the right-hand side
  // jumps, before integrating on: lets the system book impulsive effects (the work
  // done by data that switch at t) into its state.
  virtual void at_breakpoint(State& /*x*/, double /*t*/) {}

  // The integrator is about to advance to t_end without crossing a breakpoint:
  // right-hand sides evaluated at t_end belong to this interval (the left limit of
  // data that switch at t_end).
  virtual void set_interval_end(double /*t_end*/) {}

  // A system whose state is split over processes (a network's width blocks, docs/cluster.md)
  // reduces what the steppers decide on over every process, so that all take the same steps:
  // the largest error and whether the state is finite. One process keeps its own values.
  virtual double max_over_processes(double local) const { return local; }
  virtual bool on_all_processes(bool local) const { return local; }
};

}  // namespace nnfield
