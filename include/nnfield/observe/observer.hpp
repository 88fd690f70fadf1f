#pragma once
// Observers measure; they never integrate. At each output time the runner hands
// every observer a Snapshot, and the observer appends rows to the run file.
// Adding a measurement means adding an Observer, not editing the runner.
#include <memory>
#include <string>
#include <vector>

#include "nnfield/core/activation.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/core/loss.hpp"
#include "nnfield/core/shape.hpp"
#include "nnfield/dynamics/loss_landscape.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"

namespace nnfield {

struct Snapshot {
  double t = 0.0;
  long step = 0;              // accepted integrator steps, or SGD steps
  const double* W = nullptr;  // (M,N,K)
  const double* b = nullptr;  // (M,N)
  const double* v = nullptr;  // [W', b'] or null (first-order dynamics)
  const double* z = nullptr;  // (M,N): z^(1..M) of the first presented sample
  double loss = 0.0;
  Energy energy;
  // Continuous dynamics only (null for SGD): the system and its full state, for
  // observers that need more physics than the parameters (BBD kinematics).
  TrainingDynamics* dynamics = nullptr;
  const State* state = nullptr;
  LossLandscape* landscape = nullptr;  // the network's potential, for the BBD observers
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void declare(SeriesSink& writer) = 0;  // create the datasets
  virtual void observe(const Snapshot& snapshot, SeriesSink& writer) = 0;
};

// /trajectory/time, step and the requested subset of W, b, z, loss.
std::unique_ptr<Observer> make_trajectory_observer(const NetworkShape& shape,
                                                   const std::vector<std::string>& datasets);
// /trajectory/train_loss: the mean loss over the whole training set (what learning
// lowers), whatever sample the dynamics are being shown.
std::unique_ptr<Observer> make_train_loss_observer(const NetworkShape& shape, Activation activation, Loss loss,
                                                   const std::vector<double>& X, const std::vector<double>& Y, int S);
// BBD energy bookkeeping per site (bbd_energy.hpp): /energy/density, decay, current,
// boundary_in, boundary_out, rate, continuity_residual, layer. Needs damped dynamics
// built with track_energy_flow.
std::unique_ptr<Observer> make_energy_flow_observer(const NetworkShape& shape, Loss loss, double gamma);
// /lagrangian/bulk, boundary, total (bbd_lagrangian.hpp).
std::unique_ptr<Observer> make_lagrangian_observer();
// /trajectory/gain (T, M-1, N): g - 1 of every bulk link, g[m,i] = sum_k W[m,i,k]
// sigma'(z^(m)_{i+k-r}) (SPEC 4.1: report g of every run), and the regime check: the
// root attribute `left_critical_regime_at` marks the first time max|g - 1| exceeded
// 5x its initial value (`gain_deviation_initial`).
std::unique_ptr<Observer> make_gain_observer(const NetworkShape& shape, Activation activation);
// /energy/total, kinetic, potential, dissipated, data_work.
std::unique_ptr<Observer> make_energy_observer();
// /correlators/*: the observe.correlators of observe.field every observe.every (docs/correlators.md); nullptr if none.
std::unique_ptr<Observer> make_correlator_observer(const ModelConfig& config);

}  // namespace nnfield
