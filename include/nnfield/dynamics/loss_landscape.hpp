#pragma once
// The loss l(q, t) a training run sees: the network evaluated on the data presented
// at time t, its gradient dl/dq, and the rate at which moving data change it at fixed
// parameters (the data power, dl/dt|_q = dl/dX . X' + dl/dY . Y', SPEC section 2).
#include <vector>

#include "nnfield/data/data.hpp"
#include "nnfield/core/network.hpp"

namespace nnfield {

class LossLandscape {
 public:
  LossLandscape(Network& network, const DataStream& data);

  std::size_t num_params() const { return m_network.shape().num_params(); }
  Network& network() { return m_network; }
  const DataStream& data() const { return m_data; }

  // Loss at (q, t); writes dl/dq into grad (P entries) and, if data_power is not null,
  // dl/dt at fixed q. No allocation.
  double evaluate(const double* q, double t, double* grad, double* data_power);
  // Evaluations at t >= t_end (up to round-off) use the data's left limit: the
  // integrator sets this to the end of the interval it is integrating.
  void set_interval_end(double t_end) { m_interval_end = t_end; }

  // The presented data at t (single sample): X, X', X'', Y, Y' (any may be null).
  // Honours the interval end like evaluate().
  void data_at(double t, double* X, double* Xd, double* Xdd, double* Y, double* Yd);

  // Loss only (forward pass); with `left_limit`, of the data just before t.
  double loss(const double* q, double t, bool left_limit = false);

 private:
  void load_data(double t, bool left_limit = false);

  Network& m_network;
  const DataStream& m_data;
  double m_interval_end = 1e300;
  std::vector<double> m_X, m_Y, m_Xdot, m_Ydot, m_gX, m_gY;
};

}  // namespace nnfield
