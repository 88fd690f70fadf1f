#pragma once
// Training as continuous-time dynamics (docs/theory.md section 2, BBD paper Eqs. 2-5), written once
// over any Potential (potential.hpp): the network's loss landscape and the field theory
// run the same GradientFlow and Damped systems. With the potential's masses m (1 for the
// network, quadrature weights for the field theory; m = 0 freezes a coordinate):
//
//   GradientFlow   m q' = -eta dL/dq                 state [q (P), dissipated, data_work]
//   Damped         m q'' + gamma m q' + dL/dq = 0    state [q (P), v = q' (P), dissipated, data_work, I]
//
// The two quadratures integrate the energy balance alongside the motion, so that
//   E(t) - E(0) = -dissipated(t) + data_work(t)
// holds to integrator accuracy (data that switch do impulsive work, booked at the switch):
//   damped:        E = sum m v^2/2 + L,  dE/dt = -gamma sum m v^2 + dL/dt|_q
//   gradient flow: E = L,                dE/dt = -eta sum |dL/dq|^2/m + dL/dt|_q
// I are optional further integrals along the motion (MotionIntegrals: the time integrals
// inside the network's BBD energy densities, dynamics/bbd_coordinates.hpp).
#include <memory>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/dynamics/ode_system.hpp"
#include "nnfield/dynamics/potential.hpp"
#include "nnfield/numerics/function_ref.hpp"

namespace nnfield {

class WidthHalo;

class TrainingDynamics : public OdeSystem {
 public:
  // mass_scale mu: the inverse masses are 1/(mu m).
  explicit TrainingDynamics(Potential& potential, double mass_scale = 1.0);
  Potential& potential() { return m_potential; }
  std::size_t num_params() const { return m_potential.num_params(); }
  virtual bool second_order() const = 0;
  // The parameters q and, for second-order dynamics, v = q' of a state at t (v left empty
  // otherwise), whatever variables the state uses.
  virtual void parameters(const State& x, double t, std::vector<double>& q, std::vector<double>& v);
  // Where the state holds the parameters q (and then, second order, v right after them) as
  // they are, for reading them without a copy; null when its variables are others (BBD).
  virtual const double* parameters_in(const State& x) const { return x.data(); }
  // The motion at t: q, v = q' and, for second-order dynamics, a = q'' (else left empty).
  // Returns L(q, t).
  virtual double motion(const State& x, double t, std::vector<double>& q, std::vector<double>& v,
                        std::vector<double>& a) = 0;
  virtual Energy energy(const State& x, double t) = 0;
  // Index of data_work in the state; the integrals I follow it.
  virtual std::size_t data_work_index() const = 0;
  // The integrals I of the state (empty when none are tracked).
  std::vector<double> integrals(const State& x) const;
  // Data that switch at t do impulsive work L(q, t+) - L(q, t-): added to data_work.
  void at_breakpoint(State& x, double t) override;
  void set_interval_end(double t_end) override { m_potential.set_interval_end(t_end); }
  // The initial state from parameters and velocities (frozen coordinates get v = 0).
  virtual State initial_state(const std::vector<double>& q, const std::vector<double>& v) = 0;

  // The potential is a network's block of width columns on this process, split along the
  // width over every process (core/width_halo.hpp, docs/cluster.md). Its parameters lie in
  // lines (W's M lines of n K values, then b's M lines of n values): parameter j of line l
  // is in [line_starts[l], line_starts[l + 1]). Sums over the parameters then run line by
  // line through the blocks in width order, the one-process order, so they are its sums to
  // the last bit; the steppers' decisions are reduced over the processes.
  virtual void split_over_processes(const WidthHalo& halo, std::vector<std::size_t> line_starts);
  double max_over_processes(double local) const override;
  bool on_all_processes(bool local) const override;

 protected:
  // The sum over the parameters of `add`'s terms, in the one-process order: add(sum, j0, j1)
  // returns sum plus the terms of j0 .. j1 - 1, added one after another (collective when split).
  using AddTerms = FunctionRef<double(double, std::size_t, std::size_t)>;
  template <class Add>
  double sum_over_parameters(Add&& add) {
    if (!m_halo) return add(0.0, 0, num_params());
    return sum_over_lines(AddTerms(add));
  }

  Potential& m_potential;
  Masses m_inv_mass;  // 1/m (1/(mu m) damped), 0 for frozen coordinates

 private:
  double sum_over_lines(AddTerms add) const;
  const WidthHalo* m_halo = nullptr;
  std::vector<std::size_t> m_line_starts;
};

// Integrals along a second-order motion that the state carries after data_work: their
// rate needs the accelerations, and data that switch may make them jump.
class MotionIntegrals {
 public:
  virtual ~MotionIntegrals() = default;
  virtual std::size_t size() const = 0;
  // dI/dt for the motion (q, v, a) at t.
  virtual void rate(const double* q, const double* v, const double* a, double t, double* dI) = 0;
  // The jump of I where the data switch at t (q and v are continuous there).
  virtual void jump(const double* q, const double* v, double t, double* I) = 0;
};

class GradientFlow final : public TrainingDynamics {
 public:
  GradientFlow(Potential& potential, double eta);
  bool second_order() const override { return false; }
  std::size_t state_size() const override { return num_params() + 2; }
  std::size_t num_controlled() const override { return num_params(); }
  void rhs(const State& x, State& dxdt, double t) override;
  double motion(const State& x, double t, std::vector<double>& q, std::vector<double>& v,
                std::vector<double>& a) override;
  Energy energy(const State& x, double t) override;
  std::size_t data_work_index() const override { return num_params() + 1; }
  State initial_state(const std::vector<double>& q, const std::vector<double>& v) override;

 private:
  double m_eta;
};

class Damped final : public TrainingDynamics {
 public:
  // mass_scale mu multiplies every mass: mu m q'' + gamma mu m q' + dL/dq = 0, i.e.
  // q'' + gamma q' = -(1/mu) dL/dq / m. With mu = 1/(eta ax) (dynamics.eta_scaling = "depth")
  // the force scales like gradient flow's rate and the dynamics have a depth limit
  // (docs/field-limit.md, "Momentum with a limit").
  Damped(Potential& potential, double gamma, std::unique_ptr<MotionIntegrals> integrals = nullptr,
         double mass_scale = 1.0);
  bool second_order() const override { return true; }
  std::size_t state_size() const override { return 2 * num_params() + 2 + num_integrals(); }
  std::size_t num_controlled() const override { return 2 * num_params(); }
  std::size_t num_integrals() const { return m_integrals ? m_integrals->size() : 0; }
  double gamma() const { return m_gamma; }
  double mass_scale() const { return m_mass_scale; }
  void rhs(const State& x, State& dxdt, double t) override;
  // Symplectic split (x = [q, p = v]): the force -dL/dq / m; symplectic steppers need gamma = 0.
  std::size_t num_coordinates() const override { return num_params(); }
  void force(const double* q, double* dpdt, double t) override;
  void parameters(const State& x, double t, std::vector<double>& q, std::vector<double>& v) override;
  double motion(const State& x, double t, std::vector<double>& q, std::vector<double>& v,
                std::vector<double>& a) override;
  void at_breakpoint(State& x, double t) override;
  Energy energy(const State& x, double t) override;
  std::size_t data_work_index() const override { return 2 * num_params() + 1; }
  State initial_state(const std::vector<double>& q, const std::vector<double>& v) override;

 private:
  double m_gamma;
  std::unique_ptr<MotionIntegrals> m_integrals;
  double m_mass_scale;
};

// The rate gradient flow and SGD actually use: dynamics.eta, times ax = Lx/M with
// dynamics.eta_scaling = "depth" (docs/theory.md 4.2: at fixed eta dZ/dt grows like M, so a depth
// limit needs eta = eta0 ax).
double effective_eta(const ModelConfig& config);
// The mass scale of damped dynamics: 1/effective_eta with eta_scaling = "depth", else 1.
double damped_mass_scale(const ModelConfig& config);

}  // namespace nnfield
