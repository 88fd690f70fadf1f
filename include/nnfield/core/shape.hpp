#pragma once
// Geometry of the locally connected network, periodic in width (docs/theory.md section 1).
#include <cstddef>

namespace nnfield {

struct NetworkShape {
  int M = 0;  // weight layers; neuron layers are m = 0..M (0 = input X, M = output Z)
  int N = 0;  // width; neuron index i is taken modulo N
  int r = 0;  // radius; fan-in K = 2r+1

  int K() const { return 2 * r + 1; }
  std::size_t num_weights() const { return std::size_t(M) * std::size_t(N) * std::size_t(K()); }
  std::size_t num_biases() const { return std::size_t(M) * std::size_t(N); }
  std::size_t num_params() const { return num_weights() + num_biases(); }

  // Row-major (M, N, K) and (M, N): the order used in memory, HDF5 and Python.
  std::size_t w_index(int m, int i, int k) const {
    return (std::size_t(m) * std::size_t(N) + std::size_t(i)) * std::size_t(K()) + std::size_t(k);
  }
  std::size_t b_index(int m, int i) const { return std::size_t(m) * std::size_t(N) + std::size_t(i); }
  // Neighbours along width (periodic): LinkStencil (link_stencil.hpp).

  bool operator==(const NetworkShape& o) const { return M == o.M && N == o.N && r == o.r; }
  bool operator!=(const NetworkShape& o) const { return !(*this == o); }
};

}  // namespace nnfield
