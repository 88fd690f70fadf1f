#include "nnfield/dynamics/loss_landscape.hpp"

#include <algorithm>

namespace nnfield {

namespace {

// sum plus gX . X' + gY . Y' over n values, the terms added one after another: the one
// order of the data power, whole or continued block by block.
double add_data_power(double sum, const double* gX, const double* Xd, const double* gY, const double* Yd,
                      std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) sum += gX[j] * Xd[j] + gY[j] * Yd[j];
  return sum;
}

}  // namespace

LossLandscape::LossLandscape(Network& network, const DataStream& data)
    : m_network(network), m_data(data), m_unit_mass(Masses::uniform(network.shape().num_params(), 1.0)) {
  const std::size_t n = std::size_t(data.batch()) * std::size_t(data.width());
  for (auto* v : {&m_X, &m_Y, &m_Xdot, &m_Ydot, &m_gX, &m_gY}) v->assign(n, 0.0);
  if (network.halo().is_split()) {
    const std::size_t block = std::size_t(data.batch()) * std::size_t(network.halo().block().width);
    m_X_block.assign(block, 0.0);
    m_Y_block.assign(block, 0.0);
  }
}

const double* LossLandscape::block_columns(const std::vector<double>& whole, std::vector<double>& block) const {
  const WidthBlock& b = m_network.halo().block();
  const std::size_t N = std::size_t(b.N), n = std::size_t(b.width);
  for (std::size_t s = 0; s < std::size_t(m_data.batch()); ++s)
    std::copy_n(whole.begin() + std::ptrdiff_t(s * N + std::size_t(b.first)), n,
                block.begin() + std::ptrdiff_t(s * n));
  return block.data();
}

void LossLandscape::load_data(double t, bool left_limit) {
  m_data.at(t, m_X.data(), m_Y.data(), m_Xdot.data(), m_Ydot.data(), left_limit);
}

double LossLandscape::evaluate(const double* q, double t, double* grad, double* data_power) {
  load_data(t, t >= m_interval_end);
  const std::size_t nw = m_network.shape().num_weights();
  const bool moving = data_power && m_data.time_dependent();
  const bool split = m_network.halo().is_split();
  const double* X = split ? block_columns(m_X, m_X_block) : m_X.data();
  const double* Y = split ? block_columns(m_Y, m_Y_block) : m_Y.data();
  const double l = m_network.value_and_gradient(q, q + nw, X, Y, m_data.batch(), grad,
                                                grad + nw, moving ? m_gX.data() : nullptr,
                                                moving ? m_gY.data() : nullptr);
  if (data_power) {
    double p = 0.0;
    if (moving)
      p = split ? split_data_power()
                : add_data_power(0.0, m_gX.data(), m_Xdot.data(), m_gY.data(), m_Ydot.data(), m_X.size());
    *data_power = p;
  }
  return l;
}

double LossLandscape::split_data_power() const {
  // Each sample's terms run through the blocks in width order (the block holding site 0
  // continues the sum of the samples before); the last block's sum reaches every process.
  const WidthHalo& halo = m_network.halo();
  const WidthBlock& b = halo.block();
  const std::size_t N = std::size_t(b.N), n = std::size_t(b.width);
  double total = 0.0;
  for (std::size_t s = 0; s < std::size_t(m_data.batch()); ++s) {
    double p = 0.0;
    halo.sums_from_left(&p, 1);
    if (b.left_seam()) p = total;
    const std::size_t whole = s * N + std::size_t(b.first);  // the block's columns of X', Y'
    p = add_data_power(p, m_gX.data() + s * n, m_Xdot.data() + whole, m_gY.data() + s * n, m_Ydot.data() + whole, n);
    halo.sums_to_right(&p, 1);
    total = p;
  }
  return total;
}

double LossLandscape::loss(const double* q, double t, bool left_limit) {
  load_data(t, left_limit);
  const std::size_t nw = m_network.shape().num_weights();
  if (!m_network.halo().is_split()) {
    m_network.forward(q, q + nw, m_X.data(), m_data.batch());
    return m_network.loss(m_Y.data());
  }
  m_network.forward(q, q + nw, block_columns(m_X, m_X_block), m_data.batch());
  return m_network.loss(block_columns(m_Y, m_Y_block));
}

void LossLandscape::data_at(double t, double* X, double* Xd, double* Xdd, double* Y, double* Yd) {
  const bool left = t >= m_interval_end;
  load_data(t, left);
  // The network's columns of the presented sample: all N, or a split network's block.
  const WidthBlock& b = m_network.halo().block();
  const std::size_t n = std::size_t(b.width);
  const auto columns = [&](const std::vector<double>& whole, double* out) {
    if (out) std::copy_n(whole.begin() + b.first, n, out);
  };
  columns(m_X, X);
  columns(m_Xdot, Xd);
  columns(m_Y, Y);
  columns(m_Ydot, Yd);
  if (Xdd) {
    m_Xddot.resize(m_X.size());
    m_data.second_derivatives(t, m_Xddot.data(), nullptr, left);
    columns(m_Xddot, Xdd);
  }
}

}  // namespace nnfield
