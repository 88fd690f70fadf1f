#pragma once
// Training dynamics of the field theory (SPEC 2 on the field's parameters,
// include/nnfield/field/field_theory.hpp), integrated by the same Odeint driver as the network
// (integrator.hpp). With the diagonal kinetic weights m (FieldTheory::mass):
//
//   gradient flow   m q' = -eta dL/dq                     state [q, dissipated]
//   damped          m q'' + gamma m q' + dL/dq = 0        state [q, v, dissipated]
//
// Energy E = sum m v^2/2 + L (damped) or L (gradient flow); the quadrature `dissipated`
// integrates gamma sum m v^2 (damped) or eta sum |dL/dq|^2/m (gradient flow), so
// E(t) - E(0) = -dissipated(t) holds to integrator accuracy with fixed data, and at
// gamma = 0 E is conserved. Frozen parameters (m = 0) have zero velocity.
// Data X, Y are fixed (the field solver runs the 1D boundary theories of one pair).
#include <vector>

#include "nnfield/field/field_theory.hpp"
#include "nnfield/dynamics/ode_system.hpp"

namespace nnfield {

struct FieldEnergy {
  double kinetic = 0.0, potential = 0.0, dissipated = 0.0;
  double total() const { return kinetic + potential; }
};

class FieldDynamics : public OdeSystem {
 public:
  FieldDynamics(FieldTheory& theory, std::vector<double> X, std::vector<double> Y);
  FieldTheory& theory() { return m_theory; }
  const std::vector<double>& X() const { return m_X; }
  const std::vector<double>& Y() const { return m_Y; }
  std::size_t num_params() const { return m_theory.num_params(); }
  virtual bool second_order() const = 0;
  virtual State initial_state(const std::vector<double>& q, const std::vector<double>& v) const = 0;
  virtual FieldEnergy energy(const State& x) = 0;
  // Right-hand sides evaluated so far (each is one forward and one reverse sweep).
  long gradient_evaluations() const { return m_gradients; }

 protected:
  double gradient(const double* q);  // fills m_grad, returns L
  FieldTheory& m_theory;
  std::vector<double> m_X, m_Y, m_grad, m_inv_mass;
  long m_gradients = 0;
};

class FieldGradientFlow final : public FieldDynamics {
 public:
  FieldGradientFlow(FieldTheory& theory, std::vector<double> X, std::vector<double> Y, double eta);
  bool second_order() const override { return false; }
  std::size_t state_size() const override { return num_params() + 1; }
  std::size_t num_controlled() const override { return num_params(); }
  void rhs(const State& x, State& dxdt, double t) override;
  State initial_state(const std::vector<double>& q, const std::vector<double>& v) const override;
  FieldEnergy energy(const State& x) override;

 private:
  double m_eta;
};

class FieldDamped final : public FieldDynamics {
 public:
  FieldDamped(FieldTheory& theory, std::vector<double> X, std::vector<double> Y, double gamma);
  bool second_order() const override { return true; }
  std::size_t state_size() const override { return 2 * num_params() + 1; }
  std::size_t num_controlled() const override { return 2 * num_params(); }
  void rhs(const State& x, State& dxdt, double t) override;
  std::size_t num_coordinates() const override { return m_gamma == 0.0 ? num_params() : 0; }
  void force(const double* q, double* dpdt, double t) override;
  State initial_state(const std::vector<double>& q, const std::vector<double>& v) const override;
  FieldEnergy energy(const State& x) override;

 private:
  double m_gamma;
};

}  // namespace nnfield
