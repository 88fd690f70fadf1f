#pragma once
// The network's potential (potential.hpp): the loss l(q, t) of the network evaluated on
// the data presented at time t, its gradient dl/dq by backpropagation, and the data power
// dl/dt|_q = dl/dX . X' + dl/dY . Y' (docs/theory.md section 2). Every parameter has unit mass.
// Over a network split along its width (core/width_halo.hpp) the landscape is the block's:
// its parameters and the block's columns of the data; the loss and the data power are the
// whole network's, to the last bit, on every process.
#include <vector>

#include "nnfield/core/network.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/dynamics/potential.hpp"

namespace nnfield {

class LossLandscape final : public Potential {
 public:
  LossLandscape(Network& network, const DataStream& data);

  std::size_t num_params() const override { return m_network.shape().num_params(); }
  const Masses& mass() const override { return m_unit_mass; }
  Network& network() { return m_network; }
  const DataStream& data() const { return m_data; }

  // No allocation.
  double evaluate(const double* q, double t, double* grad, double* data_power) override;
  double loss(const double* q, double t, bool left_limit = false) override;
  void set_interval_end(double t_end) override { m_interval_end = t_end; }

  // The presented data at t (single sample): X, X', X'', Y, Y' (any may be null), on the
  // network's columns (a split network's block). Honours the interval end like evaluate().
  void data_at(double t, double* X, double* Xd, double* Xdd, double* Y, double* Yd);

 private:
  void load_data(double t, bool left_limit = false);
  // Collective. A split network's data power: each sample's sum over the width continued
  // block by block (m_gX, m_gY hold the block's (batch, n) forces).
  double split_data_power() const;
  // A split network's columns of whole (batch, N) data, copied into `block`.
  const double* block_columns(const std::vector<double>& whole, std::vector<double>& block) const;

  Network& m_network;
  const DataStream& m_data;
  double m_interval_end = 1e300;
  Masses m_unit_mass;
  std::vector<double> m_X, m_Y, m_Xdot, m_Ydot, m_gX, m_gY;
  std::vector<double> m_X_block, m_Y_block;  // a split network's columns of m_X, m_Y
  std::vector<double> m_Xddot;               // data_at's X'' over the whole width
};

}  // namespace nnfield
