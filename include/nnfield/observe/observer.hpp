#pragma once
// Observers measure; they never integrate. At each output time the runner hands
// every observer a Snapshot, and the observer appends rows to the run file.
// Adding a measurement means adding an Observer, not editing the runner.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nnfield/bbd/bbd_lagrangian.hpp"
#include "nnfield/core/activation.hpp"
#include "nnfield/correlators/correlator_set.hpp"
#include "nnfield/dynamics/potential.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/core/loss.hpp"
#include "nnfield/core/shape.hpp"
#include "nnfield/dynamics/loss_landscape.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/observe/regime_monitor.hpp"

namespace nnfield {

// The BBD measures of an output row of a network split along its width, made on the blocks
// (src/run/split_bbd_row.hpp) and whole on process 0: arrays of one value a site, the
// currents (one a link) in pieces. Null members: not measured.
struct BbdRowMeasures {
  const double *density = nullptr, *decay = nullptr, *rate = nullptr, *residual = nullptr;  // (M, N)
  const double* boundary_in = nullptr;   // (N, K): the first layer's currents
  const double* boundary_out = nullptr;  // (N)
  const double* layer = nullptr;         // (M)
  const RowPieces* current = nullptr;    // (M, N, K)
  double C0 = 0.0;                       // EnergyFlow::time_integral_constant of this row
  LagrangianParts lagrangian;            // valid with has_lagrangian
  bool has_lagrangian = false;
};

// Component k's rows of a CorrelatorSet of one component (its outputs(), in order), valid
// during the call; and a measurement of every weight component with such a set, the rows
// handed over in component order (Snapshot::W_components).
using ComponentRows = std::function<void(std::size_t k, const std::vector<std::vector<double>>& rows)>;
using WeightComponents = std::function<void(const CorrelatorSet& set, const ComponentRows& rows)>;

// One output row of a run on either lattice. The generic part (time, step, loss,
// energy, the neurons on the lattice's lines, the link fields) is what an observer that
// works on both lattices reads; the lattice-specific pointers are null on the other one.
struct Snapshot {
  double t = 0.0;
  long step = 0;              // accepted integrator steps, or SGD steps
  double loss = 0.0;
  Energy energy;
  // The neurons on the lattice's lines (lines, width): the network's z^(1..M) of the first
  // presented sample (M, N); the field theory's phi(x_a, y_b) (nx, ny).
  const double* neurons = nullptr;
  int lines = 0, width = 0;
  // The link fields, weights (lines, width, K) and biases (lines, width): the network's
  // W[m,i,k], b[m,i] (link layer m feeds z^(m+1)); the field's w(x_a, y_b), beta(x_a, y_b)
  // of the link leaving line a.
  const double* W = nullptr;
  const double* b = nullptr;
  const double* v = nullptr;  // parameter velocities or null (first-order dynamics)
  // Continuous dynamics only (null for SGD): the system and its full state, for
  // observers that need more physics than the parameters (BBD kinematics).
  TrainingDynamics* dynamics = nullptr;
  const State* state = nullptr;
  LossLandscape* landscape = nullptr;  // network runs: the potential, for the BBD observers
  const double* q = nullptr;           // field runs: all parameters (FieldTheory layout)
  const double* adjoint = nullptr;     // field runs: dl/dphi per lattice neuron (nx, ny)
  // A network split along its width over processes (docs/cluster.md), on process 0: W and v
  // are null, as no process holds them whole; the split network hands W and W' over in
  // pieces and measures on its blocks what needs W: the gains and the training loss. Null
  // otherwise.
  const RowPieces* W_pieces = nullptr;     // W (lines, width, K), a block of columns of a line at a time
  const RowPieces* Wdot_pieces = nullptr;  // W' likewise (second-order dynamics)
  const double* bdot = nullptr;            // b' (lines, width) (second-order dynamics)
  const double* gain = nullptr;         // g[m,i] of every bulk link (lines - 1, width)
  const double* train_loss = nullptr;   // the mean loss over every training sample
  // The correlators of the weights of a split network (docs/cluster.md, "The correlators of
  // the weights"), on process 0 at a row they are due: measures `set` (a CorrelatorSet of one
  // component) on each component w_k[m, i] = W[m, i, k] (lines, width), divided among the
  // processes, and hands process 0 the rows in turn, k = 0..K-1; the other processes make
  // the same measurements (weight_component_sets) in the order process 0's observers ask.
  const WeightComponents* W_components = nullptr;
  const BbdRowMeasures* bbd = nullptr;  // the BBD observers' measures (dynamics is null then)
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void declare(SeriesSink& writer) = 0;  // create the datasets
  virtual void observe(const Snapshot& snapshot, SeriesSink& writer) = 0;
  // What later rows depend on besides the snapshot (e.g. the energy E(0) of the first row),
  // saved in checkpoints and restored on --resume; empty when the observer keeps nothing.
  virtual std::vector<double> saved_state() const { return {}; }
  // Whether a checkpoint's `state` is one this observer saves (by default: of saved_state()'s size).
  virtual bool accepts_state(const std::vector<double>& state) const { return state.size() == saved_state().size(); }
  virtual void restore_state(const std::vector<double>& /*state*/) {}
  // After the last row of a completed run: what only the whole series gives.
  virtual void finish(SeriesSink& /*writer*/) {}
};

// /trajectory/time, step and the requested subset of W, b, z, loss, Wdot, bdot. `in_pieces`:
// W and Wdot come in pieces (Snapshot::W_pieces, a network split over processes), stored so.
std::unique_ptr<Observer> make_trajectory_observer(const NetworkShape& shape,
                                                   const std::vector<TrajectoryDataset>& datasets,
                                                   bool in_pieces = false);
// /trajectory/train_loss: the mean loss over the whole training set (what learning
// lowers), whatever sample the dynamics are being shown.
std::unique_ptr<Observer> make_train_loss_observer(const NetworkShape& shape, Activation activation, Loss loss,
                                                   const std::vector<double>& X, const std::vector<double>& Y, int S);
// BBD energy bookkeeping per site (bbd_energy.hpp): /energy/density, decay, current,
// boundary_in, boundary_out, rate, continuity_residual, layer. Needs damped dynamics
// built with track_energy_flow, or a split network's measures (Snapshot::bbd; `in_pieces`:
// its currents come in pieces, stored so).
std::unique_ptr<Observer> make_energy_flow_observer(const NetworkShape& shape, Loss loss, double gamma,
                                                    bool in_pieces = false);
// /lagrangian/bulk, boundary, total (bbd_lagrangian.hpp).
std::unique_ptr<Observer> make_lagrangian_observer();
// /trajectory/gain (T, M-1, N): g - 1 of every bulk link, g[m,i] = sum_k W[m,i,k]
// sigma'(z^(m)_{i+k-r}) (docs/theory.md 4.1: report g of every run), and the regime check
// (regime_monitor.hpp).
std::unique_ptr<Observer> make_gain_observer(const NetworkShape& shape, Activation activation, RegimeMonitor& regime);
// Both lattices: /energy/total, kinetic, potential, dissipated, data_work and, with
// `balance` (continuous dynamics: SGD books no dissipation), the balance residual
// E(t) + dissipated - data_work - E(0).
std::unique_ptr<Observer> make_energy_observer(bool balance = true);
// Both lattices: /correlators/*, the observe.correlators of observe.field every
// observe.every (docs/correlators.md), on a lattice of `lines` x `width` with fan-in K;
// `input` (width values) for the input correlator. nullptr if none are asked for.
// `in_pieces`: the weights' correlators are measured on the processes (Snapshot::W_components,
// a network split over processes) and the rows of observe.field = "w" are written as they
// come, component k as piece k of each (stored as W is, docs/output-schema.md), never whole.
std::unique_ptr<Observer> make_correlator_observer(const ModelConfig& config, int lines, int width, int K,
                                                   const std::vector<double>& input, bool in_pieces = false);
// Both lattices, with observe.autocorrelation: /autocorrelation/* of observe.field's layer
// means and the loss at the rows every observe.every, written when the run completes
// (docs/correlators.md, "Along training time"). nullptr if not asked for.
std::unique_ptr<Observer> make_time_autocorrelation_observer(const ModelConfig& config, int lines, int width, int K);
// The measurements the correlator observers of observe.field = "w" make of each weight
// component at a row due (Snapshot::W_components), in the order they run: the correlators'
// (observe.correlators of one component, `input` as for make_correlator_observer), then the
// time autocorrelation's layer means; none for another field. A split network's processes
// make the same ones.
std::vector<CorrelatorSet> weight_component_sets(const ModelConfig& config, int lines, int width,
                                                 const std::vector<double>& input);
// Whether the correlator observers measure a row at time t (observe.every).
bool correlators_due(const ObserveConfig& observe, double t);
// The input the recorded neurons see, for the input correlator (empty when no correlator
// needs it): a sample of `samples` (the field's, on its grid), or of the model's network
// data set when null; ConfigError when the presentation has no single such input.
struct Samples;
std::vector<double> correlator_input(const ModelConfig& config, const Samples* samples = nullptr);

}  // namespace nnfield
