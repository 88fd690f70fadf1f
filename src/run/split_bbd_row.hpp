#pragma once
// The BBD observers' measures of an output row of a network split along its width
// (observe.energy_flow, observe.lagrangian; docs/cluster.md): each process measures its
// block of columns (the kinematics, the energy books and the Lagrangian's sums on the
// blocks, bbd/), so that no process holds the whole network; process 0 receives the arrays of
// one value a site whole (MPI_Gatherv) and the currents, one value a link, in pieces as W.
// Every number is the one-process number to the last bit.
#include <optional>
#include <vector>

#include "nnfield/bbd/bbd_energy.hpp"
#include "nnfield/bbd/bbd_state.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/dynamics/loss_landscape.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/observe/observer.hpp"

namespace nnfield {

class SplitBbdRow {
 public:
  // `landscape`: the block's (its network holds this process's columns).
  SplitBbdRow(const ModelConfig& config, LossLandscape& landscape);
  bool wanted() const { return m_energy_flow || m_lagrangian; }
  // Collective: measures the state x of `dynamics` at t; on process 0 s.bbd points to the
  // measures until the next call. Call before SplitOutputRow::fill, and pass_pieces as its
  // more_pieces (after W and W', before the correlators of the weights).
  void measure(TrainingDynamics& dynamics, const State& x, double t, Snapshot& s);
  // Every process but 0: hands its block of the currents to process 0's writer, which takes
  // them after W and W' (the observers' order).
  void pass_pieces();

 private:
  LossLandscape& m_landscape;
  NetworkShape m_shape;  // the whole network's
  bool m_energy_flow, m_lagrangian;
  double m_gamma;
  std::optional<EnergyFlow> m_flow;  // the block's
  BbdState m_state;
  // Process 0's row.
  std::vector<double> m_density, m_decay, m_rate, m_residual, m_boundary_in, m_boundary_out;
  RowPieces m_current;
  BbdRowMeasures m_measures;
};

}  // namespace nnfield
