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

// Of make_initial_state's q and v, the columns first .. first + width - 1 alone, as
// W (M, width, K) then b (M, width), each bit for bit make_initial_state's, without the whole
// state ever being held (a block of a network split along its width, docs/cluster.md). The
// block is built on a window of its columns and the ghosts the kind reads on each side
// (core/column_window.hpp): none for random or file parameters with zero, random or file
// velocities; r for the smooth, critical and continuum kinds (Eq. 6); M r for random or file
// parameters with smooth or continuum velocities (their neurons, a forward pass). Random
// values are drawn in the one-process order, those of other columns drawn and dropped; an
// initial-state file is read as hyperslabs of the window's columns. make_initial_state is
// this on the whole width.
ParameterState make_initial_columns(const ModelConfig& config, const DataStream& data, int first, int width);

}  // namespace nnfield
