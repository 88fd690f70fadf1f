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

// Kinetic weights m_j, one a coordinate: either one value for all of them (the network's
// unit masses, which would otherwise be a vector of P ones as large as the parameters) or
// one value each (the field's quadrature weights). Loops over the coordinates read them
// through visit(), which hands them an accessor compiled for either case.
class Masses {
 public:
  static Masses uniform(std::size_t n, double m) { return Masses(n, m, {}); }
  explicit Masses(std::vector<double> each) : m_n(each.size()), m_all(0.0), m_each(std::move(each)) {}
  std::size_t size() const { return m_n; }
  double operator[](std::size_t j) const { return m_each.empty() ? m_all : m_each[j]; }
  // f(m) with m(j) = m_j, a constant or a read from the vector.
  template <class F>
  decltype(auto) visit(F&& f) const {
    if (m_each.empty()) {
      const double all = m_all;
      return f([all](std::size_t) { return all; });
    }
    const double* each = m_each.data();
    return f([each](std::size_t j) { return each[j]; });
  }
  // 1 / (scale m_j), and 0 for frozen coordinates (m_j = 0): (1/m)/scale, as written.
  Masses inverse(double scale = 1.0) const {
    const auto inv = [scale](double m) { return m > 0 ? 1.0 / m / scale : 0.0; };
    if (m_each.empty()) return uniform(m_n, inv(m_all));
    std::vector<double> each(m_n);
    for (std::size_t j = 0; j < m_n; ++j) each[j] = inv(m_each[j]);
    return Masses(std::move(each));
  }

 private:
  Masses(std::size_t n, double all, std::vector<double> each) : m_n(n), m_all(all), m_each(std::move(each)) {}
  std::size_t m_n;
  double m_all;
  std::vector<double> m_each;  // empty when uniform
};

class Potential {
 public:
  virtual ~Potential() = default;
  virtual std::size_t num_params() const = 0;
  // Kinetic weight m_j of every coordinate (num_params() of them); 0 = frozen.
  virtual const Masses& mass() const = 0;
  // L at (q, t); writes dL/dq into grad and, if data_power is not null, dL/dt at fixed q.
  virtual double evaluate(const double* q, double t, double* grad, double* data_power) = 0;
  // L only; with `left_limit`, for the data just before t (data that switch at t).
  virtual double loss(const double* q, double t, bool left_limit = false) = 0;
  // Evaluations at t >= t_end use the data's left limit: the integrator sets this to the
  // end of the interval it is integrating (data that switch there).
  virtual void set_interval_end(double t_end) = 0;
};

}  // namespace nnfield
