// The correlators of the weights of a width-split network, measured on the processes
// (src/run/split_weight_correlators.hpp).
#include "run/split_weight_correlators.hpp"

#include <algorithm>

#include "nnfield/numerics/processes.hpp"
#include "run/width_blocks.hpp"

namespace nnfield {

SplitWeightCorrelators::SplitWeightCorrelators(const ModelConfig& config, const Samples& samples,
                                               const WidthBlock& block)
    : m_shape(config.network.shape),
      m_block(block),
      m_observe(config.observe),
      m_sets(weight_component_sets(config, m_shape.M, m_shape.N,
                                   config.observe.field == ObservedField::w ? correlator_input(config, &samples)
                                                                            : std::vector<double>{})) {}

void SplitWeightCorrelators::pass_component(const double* W, std::size_t k, int owner) {
  const std::size_t K = std::size_t(m_shape.K()), N = std::size_t(m_shape.N);
  const std::size_t sites = std::size_t(m_shape.M) * std::size_t(m_block.width);
  // The block's w_k, held only while it is passed: not beside the whole component and its
  // rows while they are measured.
  std::vector<double> block_component(sites);
  for (std::size_t j = 0; j < sites; ++j) block_component[j] = W[j * K + k];
  if (processes::rank() == owner) m_component.resize(std::size_t(m_shape.M) * N);
  pass_blocks_to_root(
      block_component.data(), m_shape.N, m_shape.M, 1,
      [&](int m, const WidthBlock& b, const double* values) {
        std::copy(values, values + b.width, m_component.data() + std::size_t(m) * N + std::size_t(b.first));
      },
      owner);
}

void SplitWeightCorrelators::measure(const double* W, const CorrelatorSet& set, const ComponentRows& rows) {
  const std::size_t K = std::size_t(m_shape.K()), P = std::size_t(processes::count());
  const std::size_t me = std::size_t(processes::rank());
  for (std::size_t first = 0; first < K; first += P) {
    // This round's components: w_{first + q} whole on process q, measured there, all at once.
    const std::size_t round = std::min(P, K - first);
    for (std::size_t q = 0; q < round; ++q) pass_component(W, first + q, int(q));
    if (me < round) set.evaluate(m_component.data(), 1, 0, m_rows);
    if (me != 0) {
      if (me < round)
        for (const std::vector<double>& r : m_rows) processes::send_values(0, r.data(), r.size());
      continue;
    }
    // Process 0 hands on its own rows, then each other process's in turn, into the same
    // buffers: one component's rows at a time.
    rows(first, m_rows);
    for (std::size_t q = 1; q < round; ++q) {
      for (std::vector<double>& r : m_rows) processes::receive_values(int(q), r.data(), r.size());
      rows(first + q, m_rows);
    }
  }
}

void SplitWeightCorrelators::serve(const double* W, double t) {
  if (!due(t)) return;
  for (const CorrelatorSet& set : m_sets) measure(W, set, {});
}

}  // namespace nnfield
