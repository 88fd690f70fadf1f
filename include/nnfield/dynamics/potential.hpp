#pragma once
// The potential a training run moves in (docs/theory.md section 2): the loss L(q, t) over the
// parameters q for the data presented at time t, its gradient dL/dq, the rate at which
// moving data change it at fixed q (the data power dL/dt|_q), and the metric of the
// kinetic energy T = sum_j m_j q_j'^2 / 2.
//
// Two lattices implement it: the network's loss landscape (loss_landscape.hpp: unit
// masses, data from a DataStream) and the field theory (field/field_potential.hpp:
// quadrature masses, the 1D boundary data). The time mechanics (training_dynamics.hpp)
// are written once over this interface.
#include <cstddef>
#include <vector>

namespace nnfield {

// The energy books of a trajectory: E = kinetic + potential, and the two integrals that
// balance it, E(t) - E(0) = -dissipated(t) + data_work(t).
struct Energy {
  double kinetic = 0.0, potential = 0.0, dissipated = 0.0, data_work = 0.0;
  double total() const { return kinetic + potential; }
};

class Potential {
 public:
  virtual ~Potential() = default;
  virtual std::size_t num_params() const = 0;
  // Kinetic weight m_j of every coordinate (num_params() entries); 0 = frozen.
  virtual const std::vector<double>& mass() const = 0;
  // L at (q, t); writes dL/dq into grad and, if data_power is not null, dL/dt at fixed q.
  virtual double evaluate(const double* q, double t, double* grad, double* data_power) = 0;
  // L only; with `left_limit`, for the data just before t (data that switch at t).
  virtual double loss(const double* q, double t, bool left_limit = false) = 0;
  // Evaluations at t >= t_end use the data's left limit: the integrator sets this to the
  // end of the interval it is integrating (data that switch there).
  virtual void set_interval_end(double t_end) = 0;
};

}  // namespace nnfield
