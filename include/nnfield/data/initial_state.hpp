#pragma once
// Initial parameters and velocities (issue: seeded random, from an HDF5 file, or
// smooth fields of (x, y) sampled on the lattice).
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/data/data.hpp"

namespace nnfield {

// q = [W (M,N,K), b (M,N)] concatenated; v = q' in the same layout (zeros if none).
struct ParameterState {
  std::vector<double> q, v;
};

// Smooth states sample continuum fields at the lattice sites: the weight W[m,i,k] at its
// receiving neuron ((m+1) ax, i ay), the neuron z^(m)_i at (m ax, i ay), with
// ax = Lx/M, ay = Ly/N; the biases then follow from Eq. 6 with the input X(0), and b'
// from its time derivative with X'(0). Throws ConfigError for a bad initial-state file.
ParameterState make_initial_state(const ModelConfig& config, const DataStream& data);

// Whether make_initial_columns makes this model's initial state: init.kind = "random" with
// init.velocity "zero" or "random" (values drawn one by one, site by site).
bool initial_state_by_columns(const ModelConfig& config);
// Of make_initial_state's q and v, the columns first .. first + width - 1 alone, as
// W (M, width, K) then b (M, width): the generator draws every value in the one-process
// order and keeps those of the columns, so each is make_initial_state's, bit for bit, and
// the whole state is never held (a network split along its width, docs/cluster.md).
ParameterState make_initial_columns(const ModelConfig& config, int first, int width);

}  // namespace nnfield
