#pragma once
// The network's training dynamics seen in BBD variables (docs/theory.md section 3, BBD paper).
//
// BbdCoordinates runs the same GradientFlow or Damped system (training_dynamics.hpp) in
// the coordinates (W, z) instead of (W, b). Eq. 6 is a point transformation, so these are
// the same trajectories: at each right-hand side the state is mapped to (W, b, W', b') by
// Eq. 6 and its time derivative, the (W, b) system gives its rates, and the neurons'
// rates follow from one forward sweep (bbd_kinematics.hpp):
//   z''^(m+1) = b''^(m) + sum_k (W'' h + 2 W' h' + W h''),  h'' = sigma''(z) z'^2 + sigma'(z) z''
// which is the solve with the adjacent-layer mass matrix diag(1_W, 0_z) + A^T A done as a
// sweep from input to output, O(#parameters), instead of a dense solve. The state has the
// wrapped system's layout with b (and b') replaced by z (and z'): M N of each.
// Where the data switch, (W, b, W', b') are continuous and the neurons jump.
//
// BbdFlowIntegrals are the time integrals I inside the BBD energy densities (bbd_energy.hpp),
// integrated with a damped motion (their rates need the accelerations).
#include <memory>
#include <vector>

#include "nnfield/bbd/bbd_energy.hpp"
#include "nnfield/bbd/bbd_kinematics.hpp"
#include "nnfield/bbd/bbd_state.hpp"
#include "nnfield/dynamics/loss_landscape.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"

namespace nnfield {

class BbdFlowIntegrals final : public MotionIntegrals {
 public:
  explicit BbdFlowIntegrals(LossLandscape& landscape);
  std::size_t size() const override;
  void rate(const double* q, const double* v, const double* a, double t, double* dI) override;
  void jump(const double* q, const double* v, double t, double* I) override;

 private:
  void sweep(const double* q, const double* v, const double* a, double t, BbdKinematics& out);
  LossLandscape& m_landscape;
  EnergyFlow m_flow;
  BbdKinematics m_kinematics, m_before;
  std::vector<double> m_X, m_Xd, m_Xdd;
};

class BbdCoordinates final : public TrainingDynamics {
 public:
  // `inner`: the (W, b) system over `landscape` (GradientFlow or Damped).
  BbdCoordinates(LossLandscape& landscape, std::unique_ptr<TrainingDynamics> inner);
  bool second_order() const override { return m_inner->second_order(); }
  const double* parameters_in(const State&) const override { return nullptr; }  // (W, z), not (W, b)
  std::size_t state_size() const override { return m_inner->state_size(); }
  std::size_t num_controlled() const override { return m_inner->num_controlled(); }
  void rhs(const State& x, State& dxdt, double t) override;
  void at_breakpoint(State& x, double t) override;
  void set_interval_end(double t_end) override { m_inner->set_interval_end(t_end); }
  void parameters(const State& x, double t, std::vector<double>& q, std::vector<double>& v) override;
  double motion(const State& x, double t, std::vector<double>& q, std::vector<double>& v,
                std::vector<double>& a) override;
  Energy energy(const State& x, double t) override;
  std::size_t data_work_index() const override { return m_inner->data_work_index(); }
  State initial_state(const std::vector<double>& q, const std::vector<double>& v) override;
  // Split along the width: the wrapped system's sums too (its state has the same lines).
  void split_over_processes(const WidthHalo& halo, std::vector<std::size_t> line_starts) override;

 private:
  // The (W, z) state at t -> the wrapped system's (W, b) state in m_inner_state (data in m_X...).
  void to_inner(const State& x, double t, bool left_limit = false);
  // The wrapped state -> (W, z) with the data at t: the neurons from a forward sweep.
  void from_inner(const State& inner, double t, State& x);
  const NetworkShape& shape() const;

  LossLandscape& m_landscape;
  std::unique_ptr<TrainingDynamics> m_inner;
  BbdKinematics m_kinematics;
  State m_inner_state, m_inner_rate;
  std::vector<double> m_X, m_Xd, m_Xdd, m_scratch;
};

// The state x of `dynamics` (any variables) at t seen in BBD variables: the kinematics of
// every neuron, with accelerations where the dynamics are second order, the data and the
// integrals I the state carries.
void bbd_state_of(TrainingDynamics& dynamics, LossLandscape& landscape, const State& x, double t, BbdState& out);

}  // namespace nnfield
