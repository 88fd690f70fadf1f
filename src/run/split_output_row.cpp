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
      m_observe(config.observe) {}

void SplitOutputRow::gather_gains(const double* W) {
  const std::size_t MN = m_shape.num_biases();
  m_neurons.resize(MN);  // process 0 has them already
  processes::broadcast_values(0, m_neurons.data(), MN);
  const std::vector<double> g =
      link_gain_of_columns(m_shape, m_train.activation(), W, m_neurons.data(), m_block.first, m_block.width);
  gather_blocks(g, m_shape.N, m_shape.M - 1, {1}, m_gain);
}

void SplitOutputRow::gather_component(const double* W, std::size_t k) {
  const std::size_t K = std::size_t(m_shape.K()), sites = std::size_t(m_shape.M) * std::size_t(m_block.width);
  m_block_component.resize(sites);
  for (std::size_t j = 0; j < sites; ++j) m_block_component[j] = W[j * K + k];
  gather_blocks(m_block_component, m_shape.N, m_shape.M, {1}, m_component);
}

void SplitOutputRow::fill(const double* W, const double* b, const double* v, const std::vector<double>& z,
                          Snapshot& s) {
  const int M = m_shape.M, N = m_shape.N, K = m_shape.K(), n = m_block.width;
  const std::size_t nw = std::size_t(M) * std::size_t(n) * std::size_t(K);
  gather_blocks(z, N, M, {1}, m_neurons);
  if (m_wants_gain) gather_gains(W);
  // The training loss over the data set: the split network's, one process's to the last bit.
  m_train.forward(W, b, m_X.data(), m_S);
  m_train_loss = m_train.loss(m_Y.data());
  m_b = gathered(b, N, M, n);
  if (v) m_bdot = gathered(v + nw, N, M, n);
  // The correlators of the weights: each observer due asks for w_0 .. w_{K-1} in turn.
  const int requests = weight_component_requests(m_observe, s.t);
  if (!processes::is_root()) {
    // Process 0's trajectory observer takes W, then W', now, a piece at a time; then its
    // correlator observers W's components, one at a time.
    if (m_wants_W) pass_blocks_to_root(W, N, M, K, {});
    if (m_wants_Wdot && v) pass_blocks_to_root(v, N, M, K, {});
    for (int j = 0; j < requests * K; ++j) gather_component(W, std::size_t(j % K));
    return;
  }
  m_W_component = [this, W](std::size_t k) {
    gather_component(W, k);
    return m_component.data();
  };
  s.W_component = requests > 0 ? &m_W_component : nullptr;
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
