#pragma once
// Training dynamics integrated directly in BBD variables (W, z) (SPEC section 3).
// Eq. 6 is a point transformation, so these are the same trajectories as in (W, b):
// at each right-hand side the state is mapped to (W, b, W', b') by Eq. 6 and its time
// derivative, the (W, b) accelerations follow from the loss gradient, and the neuron
// accelerations from one forward sweep (bbd_kinematics.hpp):
//   z''^(m+1) = b''^(m) + sum_k (W'' h + 2 W' h' + W h''),  h'' = sigma''(z) z'^2 + sigma'(z) z''
// which is the solve with the adjacent-layer mass matrix diag(1_W, 0_z) + A^T A done
// as a sweep from input to output, O(#parameters), instead of a dense solve.
// State layouts (Z = M N neurons z^(1..M)):
//   DampedBbd:       [W, z, W', z', dissipated, data_work, I ((M-1) N, with energy flow)]
//   GradientFlowBbd: [W, z, dissipated, data_work]
#include <memory>
#include <vector>

#include "nnfield/dynamics/training_dynamics.hpp"

namespace nnfield {

class DampedBbd final : public TrainingDynamics {
 public:
  DampedBbd(LossLandscape& landscape, double gamma, bool track_energy_flow);
  std::size_t state_size() const override { return 2 * num_params() + 2 + num_integrals(); }
  std::size_t num_controlled() const override { return 2 * num_params(); }
  std::size_t num_integrals() const;
  void rhs(const State& x, State& dxdt, double t) override;
  void at_breakpoint(State& x, double t) override;
  EnergyParts energy(const State& x, double t) override;
  void bbd_state(const State& x, double t, BbdState& out) override;
  std::size_t data_work_index() const override { return 2 * num_params() + 1; }
  void parameters(const State& x, double t, std::vector<double>& q, std::vector<double>& v) override;
  State initial_state(const std::vector<double>& q, const std::vector<double>& v) override;

 private:
  // (W, z, W', z') at t -> m_q = [W, b], m_v = [W', b'], data in m_X, m_Xd, m_Xdd.
  void to_parameters(const double* x, double t, bool left_limit = false);
  // Accelerations m_a = -gamma v - dl/dq and the forward sweep; returns the loss.
  double accelerate(double t, double* power);

  double m_gamma;
  std::unique_ptr<EnergyFlow> m_flow;
  BbdKinematics m_kinematics, m_before;
  std::vector<double> m_q, m_v, m_a, m_X, m_Xd, m_Xdd, m_h, m_hd;
};

class GradientFlowBbd final : public TrainingDynamics {
 public:
  GradientFlowBbd(LossLandscape& landscape, double eta);
  std::size_t state_size() const override { return num_params() + 2; }
  std::size_t num_controlled() const override { return num_params(); }
  void rhs(const State& x, State& dxdt, double t) override;
  void at_breakpoint(State& x, double t) override;
  EnergyParts energy(const State& x, double t) override;
  void bbd_state(const State& x, double t, BbdState& out) override;
  std::size_t data_work_index() const override { return num_params() + 1; }
  void parameters(const State& x, double t, std::vector<double>& q, std::vector<double>& v) override;
  State initial_state(const std::vector<double>& q, const std::vector<double>& v) override;

 private:
  void to_parameters(const double* x, double t, bool left_limit = false);

  double m_eta;
  BbdKinematics m_kinematics;
  std::vector<double> m_q, m_g, m_X, m_Xd, m_h, m_hd;
};

std::unique_ptr<TrainingDynamics> make_bbd_dynamics(const DynamicsConfig& config, LossLandscape& landscape,
                                                    bool track_energy_flow);

}  // namespace nnfield
