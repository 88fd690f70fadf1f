#pragma once
// Internal to the propagation measurement: from the per-network sums to ensemble means,
// errors, c*, the depth fits and the transition estimate (include/nnfield/analysis/propagation.hpp
// defines the quantities). Separate from the sampling so that it can be read (and
// re-run on stored sums) on its own.
#include <vector>

#include "nnfield/analysis/propagation.hpp"

namespace nnfield::detail {

// What one network contributes per layer: means over its input pairs and the N sites of
//   z1 z1, z2 z2, z1 z2, (z1 - z2)^2, (z1 - z2)(z1 + z2), t^2   (t: the tangent of X1)
// stored layer-major: index (m - 1) * kPropagationSums + sum.
enum PropagationSum { kQ11, kQ22, kQ12, kQdd, kQds, kTT, kPropagationSums };

// samples: (networks, kPropagationSums * M) row-major.
PropagationResult analyse_propagation(const std::vector<double>& samples, int networks, int M, double sigma_w,
                                      double sigma_b, Activation activation, const PropagationOptions& options);

// The sigma_w where the measured ln chi_1 (tangent fit slope) changes sign, by linear
// interpolation between the bracketing scan points, with a joint jackknife over networks.
TransitionEstimate estimate_transition(const std::vector<std::vector<double>>& samples_per_point,
                                       const std::vector<PropagationResult>& points, int networks, int M,
                                       Activation activation, const PropagationOptions& options);

}  // namespace nnfield::detail
