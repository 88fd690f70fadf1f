// The output row of a network split along its width (src/run/split_output_row.hpp).
#include "run/split_output_row.hpp"

#include <algorithm>

#include "nnfield/data/continuum_data.hpp"
#include "nnfield/numerics/processes.hpp"
#include "run/width_blocks.hpp"

namespace nnfield {

namespace {

bool wants(const ModelConfig& config, TrajectoryDataset d) {
  const auto& t = config.output.trajectory;
  return std::find(t.begin(), t.end(), d) != t.end();
}

// Collective: an array of the block's M lines of n values, whole on process 0.
std::vector<double> gathered(const double* block, int N, int M, int n) {
  std::vector<double> whole;
  gather_blocks(std::vector<double>(block, block + std::size_t(M) * std::size_t(n)), N, M, {1}, whole);
  return whole;
}

}  // namespace

RowPieces weight_pieces(const double* W, int N, int M, int K) {
  return [W, N, M, K](const RowPiece& piece) {
    pass_blocks_to_root(W, N, M, K, [&](int m, const WidthBlock& b, const double* values) {
      piece(std::size_t(m), std::size_t(b.first), std::size_t(b.width), values);
    });
  };
}

SplitOutputRow::SplitOutputRow(const ModelConfig& config, const Samples& samples, const WidthBlock& block)
    : m_shape(config.network.shape),
      m_block(block),
      m_train(m_shape, config.network.activation, config.network.loss, WidthHalo::split(m_shape.N, m_shape.r)),
      m_S(samples.S),
      m_X(block_of(samples.X.data(), samples.N, samples.S, {1}, block)),
      m_Y(block_of(samples.Y.data(), samples.N, samples.S, {1}, block)),
      m_wants_W(wants(config, TrajectoryDataset::W)),
      m_wants_Wdot(wants(config, TrajectoryDataset::Wdot)),
      m_wants_gain(m_shape.M >= 2 && wants(config, TrajectoryDataset::gain)),
      m_weight_correlators(config, samples, block) {}

void SplitOutputRow::gather_gains(const double* W) {
  const std::size_t MN = m_shape.num_biases();
  m_neurons.resize(MN);  // process 0 has them already
  processes::broadcast_values(0, m_neurons.data(), MN);
  const std::vector<double> g =
      link_gain_of_columns(m_shape, m_train.activation(), W, m_neurons.data(), m_block.first, m_block.width);
  gather_blocks(g, m_shape.N, m_shape.M - 1, {1}, m_gain);
}

void SplitOutputRow::fill(const double* W, const double* b, const double* v, const std::vector<double>& z,
                          Snapshot& s, const std::function<void()>& more_pieces) {
  const int M = m_shape.M, N = m_shape.N, K = m_shape.K(), n = m_block.width;
  const std::size_t nw = std::size_t(M) * std::size_t(n) * std::size_t(K);
  gather_blocks(z, N, M, {1}, m_neurons);
  if (m_wants_gain) gather_gains(W);
  // The training loss over the data set: the split network's, one process's to the last bit.
  m_train.forward(W, b, m_X.data(), m_S);
  m_train_loss = m_train.loss(m_Y.data());
  m_b = gathered(b, N, M, n);
  if (v) m_bdot = gathered(v + nw, N, M, n);
  if (!processes::is_root()) {
    // Process 0's trajectory observer takes W, then W', now, a piece at a time; its energy-flow
    // observer the currents; then its correlator observers measure the weights' components,
    // each with the processes.
    if (m_wants_W) pass_blocks_to_root(W, N, M, K, {});
    if (m_wants_Wdot && v) pass_blocks_to_root(v, N, M, K, {});
    if (more_pieces) more_pieces();
    m_weight_correlators.serve(W, s.t);
    return;
  }
  m_W_components = [this, W](const CorrelatorSet& set, const ComponentRows& rows) {
    m_weight_correlators.measure(W, set, rows);
  };
  s.W_components = m_weight_correlators.due(s.t) ? &m_W_components : nullptr;
  m_W_pieces = weight_pieces(W, N, M, K);
  s.W = nullptr;
  s.W_pieces = &m_W_pieces;
  s.b = m_b.data();
  s.v = nullptr;
  if (v) {
    m_Wdot_pieces = weight_pieces(v, N, M, K);
    s.Wdot_pieces = &m_Wdot_pieces;
    s.bdot = m_bdot.data();
  }
  s.neurons = m_neurons.data();
  s.lines = M;
  s.width = N;
  s.gain = m_wants_gain ? m_gain.data() : nullptr;
  s.train_loss = &m_train_loss;
}

}  // namespace nnfield
