#pragma once
// The correlators of the weights of a network split along its width (docs/cluster.md, "The
// correlators of the weights"), measured on the processes rather than on process 0 alone.
// The K = 2r+1 components w_k[m, i] = W[m, i, k] are independent measurements, each needing
// its whole M x N field (the width FFTs of whole rows, the depth sums over all rows): so the
// components are transposed from blocks of columns to whole fields, process p receiving
// w_k for k = p, p + P, ... (P processes; K / P rounds, the last one partial), each process
// measures its components with the one-process code (CorrelatorSet), and process 0 receives
// the finished rows in component order. Every number is the one-process run's bit for bit:
// the same values through the same code.
#include <cstddef>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/core/network.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/observe/observer.hpp"

namespace nnfield {

class SplitWeightCorrelators {
 public:
  // `block`: the columns this process holds; the samples give the input correlator's input.
  SplitWeightCorrelators(const ModelConfig& config, const Samples& samples, const WidthBlock& block);
  // Whether process 0's observers measure the weights' components at time t.
  bool due(double t) const { return !m_sets.empty() && correlators_due(m_observe, t); }
  // Collective. `set` (of one component) measured on every component of W, this process's
  // block (M, n, K): on process 0, rows(k, w_k's rows) for k = 0..K-1 in turn; elsewhere
  // `rows` is not called.
  void measure(const double* W, const CorrelatorSet& set, const ComponentRows& rows);
  // Collective, on every process but 0: the measurements process 0's observers make at time
  // t (weight_component_sets), in their order.
  void serve(const double* W, double t);

 private:
  // Collective: component k of W, whole (M, N) in m_component on process `owner`.
  void pass_component(const double* W, std::size_t k, int owner);

  NetworkShape m_shape;  // the whole network's
  WidthBlock m_block;
  ObserveConfig m_observe;
  std::vector<CorrelatorSet> m_sets;  // what process 0's observers measure (weight_component_sets)
  std::vector<double> m_component;          // a whole w_k this process measures
  std::vector<std::vector<double>> m_rows;  // its rows
};

}  // namespace nnfield
