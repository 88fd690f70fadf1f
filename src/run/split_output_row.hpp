#pragma once
// What an output row needs of a network split along its width (docs/cluster.md, "Output
// and checkpoints"), measured by the split network on its blocks, so that no process ever
// holds the whole parameters: the training loss over the data set (the split network's
// forward pass, its sums continued from block to block), the gains of each block's links;
// gathered whole on process 0 only arrays of one value a site (b, b', the first sample's
// neurons, the gains); W and W' handed to process 0's writer a block of a line at a time;
// the correlators of the weights measured on the processes (split_weight_correlators.hpp).
// One implementation for split SGD (sgd_lattice.cpp) and split flows (split_flow.cpp).
#include <cstddef>
#include <functional>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/core/network.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/observe/observer.hpp"
#include "run/split_weight_correlators.hpp"

namespace nnfield {

// A (lines, N, K) array held by blocks (this process's (lines, n, K) at W), handed to
// process 0's writer in pieces (pass_blocks_to_root): W, W', the BBD currents. Every other
// process sends its pieces with pass_blocks_to_root(W, N, M, K, {}) when process 0 asks.
RowPieces weight_pieces(const double* W, int N, int M, int K);

class SplitOutputRow {
 public:
  // `block`: the columns this process holds.
  SplitOutputRow(const ModelConfig& config, const Samples& samples, const WidthBlock& block);
  // Collective. From this process's W (M, n, K) and b (M, n), their velocities v (the same
  // layout, or null) and its columns of the first sample's neurons z (M, n): on process 0,
  // s's W_pieces, b, neurons, gain, train_loss (and Wdot_pieces, bdot), valid until the next
  // call; elsewhere s is left as it is, and W (and W') go to process 0's writer as it asks,
  // then `more_pieces` hands on what process 0's observers take next (the BBD currents,
  // SplitBbdRow::pass_pieces), then this process measures its share of the weights'
  // correlators that process 0's correlator observers, which run last, ask for
  // (s.W_components).
  void fill(const double* W, const double* b, const double* v, const std::vector<double>& z, Snapshot& s,
            const std::function<void()>& more_pieces = {});

 private:
  // Collective: the gains of every bulk link on process 0, each block measuring its own
  // links from the whole first-sample neurons (m_neurons on process 0, sent to every one).
  void gather_gains(const double* W);

  NetworkShape m_shape;  // the whole network's
  WidthBlock m_block;
  Network m_train;  // the whole data set, for the training loss
  int m_S;
  std::vector<double> m_X, m_Y;  // the block's columns of every sample
  bool m_wants_W, m_wants_Wdot, m_wants_gain;
  // Process 0's row.
  std::vector<double> m_b, m_bdot, m_neurons, m_gain;
  double m_train_loss = 0.0;
  RowPieces m_W_pieces, m_Wdot_pieces;
  SplitWeightCorrelators m_weight_correlators;
  WeightComponents m_W_components;
};

}  // namespace nnfield
