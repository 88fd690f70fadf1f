#pragma once
// The time autocorrelations of a run's layer means and loss as named arrays
// /autocorrelation/* (docs/correlators.md, "Along training time"): the one place that
// turns correlators.hpp's time functions into datasets, for `nnfield correlate` from a
// run file and for a run that measures them itself (observe.autocorrelation).
#include <cstddef>
#include <string>
#include <vector>

#include "nnfield/io/series_sink.hpp"

namespace nnfield {

// A named array of a correlator output: its dataset path, shape, values and attributes.
struct NamedArray {
  std::string name;  // "/correlators/width", ...
  std::vector<std::size_t> shape;
  std::vector<double> data;
  std::string index_order, description;
  DatasetValues kind = {};  // units; integers (counts, indices, flags)
};

// rho(tau), tau_int, its error, window and convergence flag of the layer width means
// `layer_means` (T, C, M) (C components: K for the weights, else 1) and, when `loss` (T)
// is not empty, of the loss: /autocorrelation/layer_mean* then /autocorrelation/loss*.
std::vector<NamedArray> time_autocorrelation_arrays(const std::vector<double>& layer_means,
                                                    const std::vector<double>& loss, std::size_t T, std::size_t C,
                                                    std::size_t M);

}  // namespace nnfield
