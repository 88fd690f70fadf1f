#pragma once
// Where things sit in the field limit (docs/theory.md section 4): the physical domain
// x in [0, Lx] (depth, not periodic) x y in [0, Ly) (width, periodic), the network's
// lattice on it, and the field solver's grid, whose spacings (hx, hy) are independent
// of the lattice spacings (ax, ay).
//
// Lattice (docs/theory.md section 4): ax = Lx/M, ay = Ly/N; neuron z^(m)_i at (m ax, i ay), m = 1..M;
// the input X on the line x = 0; weight W[m,i,k] and bias b[m,i] at the link's
// receiving neuron ((m+1) ax, i ay).
//
// Grid: depth nodes x_a = a hx, a = 0..nx-1, hx = Lx/(nx-1) (both ends are nodes: the
// input line x = 0 and the output line x = Lx carry the 1D boundary theories); width
// nodes y_b = b hy, b = 0..ny-1, hy = Ly/ny (periodic). Coarse-graining factors
// (rx, ry) give hx = rx ax, hy = ry ay. The network is the case hx = ax, hy = ay.
#include <functional>
#include <vector>

#include "nnfield/core/shape.hpp"

namespace nnfield {

// A scalar function of (x, y) on the physical domain (continuum data, exact solutions).
using Field2D = std::function<double(double x, double y)>;

struct LatticeGeometry {
  NetworkShape shape;
  double Lx = 1.0, Ly = 1.0;

  double ax() const { return Lx / shape.M; }
  double ay() const { return Ly / shape.N; }
  double neuron_x(int m) const { return m * ax(); }       // z^(m)
  double link_x(int m) const { return (m + 1) * ax(); }   // W[m,.,.], b[m,.]: the receiving neuron
  double y(int i) const { return i * ay(); }
};

class FieldGrid {
 public:
  FieldGrid(int nx, int ny, int r, double Lx, double Ly);
  // The grid hx = rx ax, hy = ry ay over a lattice (M divisible by rx, N by ry).
  static FieldGrid coarse(const LatticeGeometry& lattice, int rx, int ry);

  int nx() const { return m_nx; }
  int ny() const { return m_ny; }
  int r() const { return m_r; }
  int K() const { return 2 * m_r + 1; }
  double Lx() const { return m_Lx; }
  double Ly() const { return m_Ly; }
  double hx() const { return m_Lx / (m_nx - 1); }
  double hy() const { return m_Ly / m_ny; }
  double x(int a) const { return a * hx(); }
  double y(int b) const { return b * hy(); }

  // Row-major like the network's arrays (docs/theory.md section 1): (nx, ny) and (nx, ny, K).
  std::size_t index(int a, int b) const { return std::size_t(a) * std::size_t(m_ny) + std::size_t(b); }
  std::size_t w_index(int a, int b, int k) const { return index(a, b) * std::size_t(K()) + std::size_t(k); }

  // Bulk fields. w holds w_{k-r}(x_a, y_b) at k = 0..2r: one weight field per offset
  // (docs/theory.md section 4: crossing links cannot share one scalar field).
  std::vector<double> phi;  // (nx, ny)
  std::vector<double> w;    // (nx, ny, K)
  // Boundary fields on their lines. The input link's weights multiply X, not sigma(phi):
  // a separate 1D field on x = 0, never part of the bulk w (docs/theory.md section 4).
  std::vector<double> w_in;  // (ny, K)
  std::vector<double> X;     // (ny), on x = 0
  std::vector<double> Y;     // (ny), on x = Lx

 private:
  int m_nx, m_ny, m_r;
  double m_Lx, m_Ly;
};

// f at every grid node: out is (nx, ny).
void sample_on_grid(const Field2D& f, const FieldGrid& grid, double* out);
// f on a depth line x = x0 at the grid's width nodes: out is (ny).
void sample_on_line(const Field2D& f, const FieldGrid& grid, double x0, double* out);
// f at the neurons z^(m)_i, m = 1..M: out is (M, N), row m-1 (the layout of bbd_variables.hpp).
void sample_neurons(const Field2D& f, const LatticeGeometry& lattice, double* out);
// f at the links' receiving neurons ((m+1) ax, i ay), m = 0..M-1: out is (M, N).
void sample_links(const Field2D& f, const LatticeGeometry& lattice, double* out);

}  // namespace nnfield
