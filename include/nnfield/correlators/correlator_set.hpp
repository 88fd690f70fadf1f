#pragma once
// The correlators a run asks for (`[observe] correlators = [...]`) or `nnfield
// correlate` computes, as named datasets under /correlators/ with their shapes and
// index orders: the one place both the on-the-fly observer and the command turn
// correlators.hpp's functions into file rows (docs/correlators.md lists them).
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/correlators/correlators.hpp"

namespace nnfield {

// One dataset a CorrelatorSet fills: "/correlators/<name>", one row per evaluation.
struct CorrelatorOutput {
  std::string name;                    // "width", "structure", "xi", "depth", "input", "2d", "layer_mean"
  std::vector<std::size_t> row_shape;  // e.g. (M, N); (K, M, N) for a field with K components
  std::string index_order;             // axes of a row, e.g. "M,D"; "K,M,D" with components
  std::string description;
};

class CorrelatorSet {
 public:
  // `correlators`: any of the observe.correlators choices, output under their names. The
  // field has `components` components (1 for phi and b, K for the weights w_k), each M x N.
  // `input` (length N, or null) is the input boundary X every sample shares; "input"
  // needs it. "layer_mean" (the width mean of each layer) is always included: the
  // connected correlators follow from the full ones and it (docs/correlators.md).
  CorrelatorSet(const std::vector<Correlator>& correlators, std::size_t components, std::size_t M, std::size_t N,
                MeanSubtraction subtraction, const double* input = nullptr);

  const std::vector<CorrelatorOutput>& outputs() const { return m_outputs; }
  MeanSubtraction subtraction() const { return m_subtraction; }

  // Evaluate every output, averaging over S samples: component c's samples are the
  // (S, M, N) array at field + c * component_stride. rows[j] gets outputs()[j]'s row
  // (resized to fit). layer_mean is averaged over the samples too.
  void evaluate(const double* field, std::size_t S, std::size_t component_stride,
                std::vector<std::vector<double>>& rows) const;
  // The same, component c's (S, M, N) samples at component(c), asked for once each in the
  // order c = 0..C-1 and read before the next is asked for: a field that is never whole in
  // one place (the weights of a network split over processes, docs/cluster.md) comes one
  // component at a time.
  using FieldComponent = std::function<const double*(std::size_t c)>;
  void evaluate_components(const FieldComponent& component, std::size_t S,
                           std::vector<std::vector<double>>& rows) const;

 private:
  // The row of rows[] (= index in m_outputs) of a correlator and component c, or null.
  double* row_of(std::vector<std::vector<double>>& rows, Correlator kind, std::size_t c) const;

  std::vector<CorrelatorOutput> m_outputs;
  std::vector<int> m_slot;  // output index of each Correlator (by enumerator), -1 if not asked for
  std::size_t m_C, m_M, m_N;
  MeanSubtraction m_subtraction;
  std::vector<double> m_input;  // (N) or empty
};

// The sample of the data set (row of /data/X) whose neurons a run records at every
// output time (Snapshot::z, /trajectory/z), or -1 when it changes along the run
// (`why` then says so): sample 0 for continuous dynamics presented "fixed" or
// "full_batch", and whenever there is a single sample.
int recorded_input_sample(const ModelConfig& config, int samples, std::string* why = nullptr);

}  // namespace nnfield
