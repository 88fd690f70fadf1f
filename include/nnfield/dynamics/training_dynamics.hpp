#pragma once
// Training as continuous-time dynamics (SPEC section 2, BBD paper Eqs. 2-5).
//
// State layouts (P = number of parameters, q = [W, b]):
//   GradientFlow: [q (P), dissipated, data_work]
//   Damped:       [q (P), v = q' (P), dissipated, data_work, I ((M-1) N, with energy flow)]
// where I are the time integrals inside the BBD energy densities (bbd_energy.hpp).
// The last two entries integrate the energy balance alongside the motion, so that
//   E(t) - E(0) = -dissipated(t) + data_work(t)
// can be checked to integrator accuracy (data that switch do impulsive work, booked at
// the switch):
//   damped:        E = 1/2 |q'|^2 + l,  dE/dt = -gamma |q'|^2 + dl/dt|_q
//   gradient flow: E = l,               dE/dt = -eta |dl/dq|^2 + dl/dt|_q
#include <memory>

#include "nnfield/bbd/bbd_energy.hpp"
#include "nnfield/bbd/bbd_state.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/dynamics/loss_landscape.hpp"
#include "nnfield/dynamics/ode_system.hpp"

namespace nnfield {

struct EnergyParts {
  double kinetic = 0.0, potential = 0.0, dissipated = 0.0, data_work = 0.0;
  double total() const { return kinetic + potential; }
};

class TrainingDynamics : public OdeSystem {
 public:
  explicit TrainingDynamics(LossLandscape& landscape) : m_landscape(landscape) {}
  LossLandscape& landscape() { return m_landscape; }
  std::size_t num_params() const { return m_landscape.num_params(); }
  // The parameters q = [W, b] and, for second-order dynamics, v = q' of a state at t
  // (v left empty otherwise), whatever variables the state uses.
  virtual void parameters(const State& x, double t, std::vector<double>& q, std::vector<double>& v);
  virtual EnergyParts energy(const State& x, double t) = 0;
  // The state seen in BBD variables (single-sample data): kinematics of every neuron,
  // with accelerations where the dynamics are second order.
  virtual void bbd_state(const State& x, double t, BbdState& out) = 0;
  // Index of data_work in the state.
  virtual std::size_t data_work_index() const = 0;
  // Data that switch at t do impulsive work l(q, t+) - l(q, t-): added to data_work.
  void at_breakpoint(State& x, double t) override;
  void set_interval_end(double t_end) override { m_landscape.set_interval_end(t_end); }
  // The initial state from parameters and velocities.
  virtual State initial_state(const std::vector<double>& q, const std::vector<double>& v) = 0;

 protected:
  LossLandscape& m_landscape;
};

// q' = -eta dl/dq
class GradientFlow final : public TrainingDynamics {
 public:
  GradientFlow(LossLandscape& landscape, double eta);
  std::size_t state_size() const override { return num_params() + 2; }
  std::size_t num_controlled() const override { return num_params(); }
  void rhs(const State& x, State& dxdt, double t) override;
  EnergyParts energy(const State& x, double t) override;
  void bbd_state(const State& x, double t, BbdState& out) override;
  std::size_t data_work_index() const override { return num_params() + 1; }
  State initial_state(const std::vector<double>& q, const std::vector<double>& v) override;

 private:
  double m_eta;
};

// q'' + gamma q' + dl/dq = 0. With `track_energy_flow`, the state also carries the
// time integrals I of the BBD energy densities (their rates need the accelerations,
// so they are integrated with the motion).
class Damped final : public TrainingDynamics {
 public:
  Damped(LossLandscape& landscape, double gamma, bool track_energy_flow = false);
  std::size_t state_size() const override { return 2 * num_params() + 2 + num_integrals(); }
  std::size_t num_controlled() const override { return 2 * num_params(); }
  std::size_t num_integrals() const {
    const NetworkShape& s = m_landscape.network().shape();
    return m_flow ? std::size_t(s.M - 1) * std::size_t(s.N) : 0;
  }
  double gamma() const { return m_gamma; }
  void rhs(const State& x, State& dxdt, double t) override;
  std::size_t num_coordinates() const override { return num_params(); }
  void force(const double* q, double* dpdt, double t) override;
  void parameters(const State& x, double t, std::vector<double>& q, std::vector<double>& v) override;
  void at_breakpoint(State& x, double t) override;
  EnergyParts energy(const State& x, double t) override;
  void bbd_state(const State& x, double t, BbdState& out) override;
  std::size_t data_work_index() const override { return 2 * num_params() + 1; }
  State initial_state(const std::vector<double>& q, const std::vector<double>& v) override;

 private:
  // Kinematics of (q, v, a) at t into m_kinematics (data into m_X...).
  void sweep(const double* q, const double* v, const double* a, double t);

  double m_gamma;
  std::unique_ptr<EnergyFlow> m_flow;
  BbdKinematics m_kinematics, m_before;
  std::vector<double> m_X, m_Xd, m_Xdd;
};

// The continuous dynamics a model file asks for ("damped" or "gradient_flow"), in
// the variables it asks for ("wb": (W, b); "bbd": (W, z), training_dynamics_bbd.hpp).
// With `track_energy_flow` (damped only) the time integrals of the BBD densities are integrated too.
std::unique_ptr<TrainingDynamics> make_training_dynamics(const DynamicsConfig& config, LossLandscape& landscape,
                                                         bool track_energy_flow = false);

// The rate gradient flow and SGD actually use: dynamics.eta, times ax = Lx/M with
// dynamics.eta_scaling = "depth" (SPEC 4.2: at fixed eta dZ/dt grows like M, so a depth
// limit needs eta = eta0 ax).
double effective_eta(const ModelConfig& config);

}  // namespace nnfield
