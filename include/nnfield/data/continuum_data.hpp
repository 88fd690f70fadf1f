#pragma once
// Continuum initial data in BBD variables with critical gain (docs/theory.md 4.1), and the
// discrete network it defines at any (M, N).
//
// Given: the neuron field phi(x,y), the neighbour weight fields w_k (k != 0), the gain
// deviation c(x,y), the input link's weights v_k(y) (all k) and the input X(y).
// Derived at the actual lattice spacing:
//
//   gain   g[m,i] = sum_k W[m,i,k] sigma'(z^(m)_{i+k-r}) = 1 + ax c((m+1) ax, i ay),   m = 1..M-1
//
// i.e. the row sum of the layer Jacobian dz^(m+1)_i / dz^(m)_j of Eq. 1: the weight sits
// at the receiving neuron ((m+1) ax, i ay), sigma' is taken at the *sending* neurons
// (m ax, (i+k-r) ay). This is the number that multiplies a smooth perturbation from one
// layer to the next, so g = 1 + O(ax) is exactly the near-identity (critical) condition
// under which a depth continuum exists. In the continuum, at a link's receiving point (x, y):
//
//   w_0(x, y) = [1 + ax c(x,y) - sum_{k != 0} w_k(x,y) sigma'(phi(x - ax, y + k ay))] / sigma'(phi(x - ax, y))
//
// a field that depends on (ax, ay): the lattice and every grid sample this one function.
// The biases follow from Eq. 6 (from_bbd) at that spacing. The input link (m = 0)
// multiplies the data X, not sigma(phi): its weights are the given 1D field v_k(y),
// with no gain condition (the input sector is a boundary theory, exact in depth).
#include <vector>

#include "nnfield/core/activation.hpp"
#include "nnfield/core/column_window.hpp"
#include "nnfield/core/field_grid.hpp"
#include "nnfield/numerics/smooth_field.hpp"

namespace nnfield {

struct ContinuumData {
  ContinuumData(double Lx, double Ly, int r, Activation activation);

  double Lx, Ly;
  int r;
  Activation activation;
  SmoothField phi;                 // neurons z^(m)_i = phi(m ax, i ay), m = 1..M
  SmoothField c;                   // gain deviation, at the links' receiving points
  std::vector<SmoothField> w;      // K fields, w[k] is offset k - r; w[r] is ignored (derived)
  std::vector<SmoothField> w_in;   // K fields of the input link, evaluated on the line x = 0
  SmoothField X;                   // the input X(y), evaluated on the line x = 0

  int K() const { return 2 * r + 1; }
  // The weight field of offset k - r (k = 0..2r) at a link's receiving point (x, y) for
  // lattice spacings (ax, ay); k = r is the derived w_0 above.
  double weight(int k, double x, double y, double ax, double ay) const;
};

// A network sampled from continuum data, with its gain report (docs/theory.md 4.1: "report g").
struct SampledNetwork {
  LatticeGeometry lattice;
  std::vector<double> W;     // (M, N, K)
  std::vector<double> b;     // (M, N), Eq. 6 at this spacing
  std::vector<double> z;     // (M, N), z^(1..M): the neurons phi(m ax, i ay)
  std::vector<double> X;     // (N)
  std::vector<double> gain;  // (M-1, N): g[m,i] at the bulk links m = 1..M-1 (row m-1), measured from W, z
  double max_gain_deviation() const;  // max |g - 1|
};

// With `X` (N values), the biases follow from Eq. 6 with that input instead of data.X:
// a network initialised from continuum data but trained on given samples.
SampledNetwork sample_network(const ContinuumData& data, int M, int N, const double* X = nullptr);
// The same network on the columns of `window` (a block of a width split and r ghosts each
// side, core/column_window.hpp): W (M, window.width, K), z and b (M, window.width) from the
// input X on those columns; the block's columns are sample_network's, bit for bit (b from
// Eq. 6 reads r columns each side). sample_network is this on the whole width.
void sample_network_columns(const ContinuumData& data, const LatticeGeometry& lattice, const ColumnWindow& window,
                            const double* X, double* W, double* z, double* b);

// g[m,i] = sum_k W[m,i,k] sigma'(z^(m)_{i+k-r}) for m = 1..M-1: (M-1, N). z is (M, N) as in bbd_variables.hpp.
std::vector<double> link_gain(const NetworkShape& shape, Activation act, const double* W, const double* z);
// The same gains of the links received by the columns first .. first + width - 1 (a block of
// a network split along its width, docs/cluster.md): (M-1, width) from the block's W
// (M, width, K) and the whole network's z (M, N); each one is link_gain's number, bit for bit.
std::vector<double> link_gain_of_columns(const NetworkShape& shape, Activation act, const double* W_block,
                                         const double* z, int first, int width);

// The same data on a field grid at lattice spacings (ax, ay): phi and w at every node,
// w_in and X on the input line.
void sample_on_grid(const ContinuumData& data, double ax, double ay, FieldGrid& grid);

}  // namespace nnfield
