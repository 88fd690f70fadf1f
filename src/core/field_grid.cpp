#include "nnfield/core/field_grid.hpp"

#include <stdexcept>
#include <string>

namespace nnfield {

FieldGrid::FieldGrid(int nx, int ny, int r, double Lx, double Ly)
    : m_nx(nx), m_ny(ny), m_r(r), m_Lx(Lx), m_Ly(Ly) {
  if (nx < 2 || ny < 1 || r < 0 || !(Lx > 0) || !(Ly > 0))
    throw std::invalid_argument("FieldGrid: need nx >= 2, ny >= 1, r >= 0 and positive lengths");
  if (2 * r + 1 > ny) throw std::invalid_argument("FieldGrid: fan-in 2r+1 exceeds the width ny");
  phi.assign(std::size_t(nx) * std::size_t(ny), 0.0);
  w.assign(std::size_t(nx) * std::size_t(ny) * std::size_t(K()), 0.0);
  w_in.assign(std::size_t(ny) * std::size_t(K()), 0.0);
  X.assign(std::size_t(ny), 0.0);
  Y.assign(std::size_t(ny), 0.0);
}

FieldGrid FieldGrid::coarse(const LatticeGeometry& lattice, int rx, int ry) {
  const NetworkShape& s = lattice.shape;
  if (rx < 1 || ry < 1 || s.M % rx != 0 || s.N % ry != 0)
    throw std::invalid_argument("FieldGrid::coarse: factors (" + std::to_string(rx) + ", " + std::to_string(ry) +
                                ") must divide (M, N) = (" + std::to_string(s.M) + ", " + std::to_string(s.N) + ")");
  return FieldGrid(s.M / rx + 1, s.N / ry, s.r, lattice.Lx, lattice.Ly);
}

void sample_on_grid(const Field2D& f, const FieldGrid& g, double* out) {
  for (int a = 0; a < g.nx(); ++a)
    for (int b = 0; b < g.ny(); ++b) out[g.index(a, b)] = f(g.x(a), g.y(b));
}

void sample_on_line(const Field2D& f, const FieldGrid& g, double x0, double* out) {
  for (int b = 0; b < g.ny(); ++b) out[b] = f(x0, g.y(b));
}

void sample_neurons(const Field2D& f, const LatticeGeometry& l, double* out) {
  const NetworkShape& s = l.shape;
  for (int m = 1; m <= s.M; ++m)
    for (int i = 0; i < s.N; ++i) out[s.b_index(m - 1, i)] = f(l.neuron_x(m), l.y(i));
}

void sample_links(const Field2D& f, const LatticeGeometry& l, double* out) {
  const NetworkShape& s = l.shape;
  for (int m = 0; m < s.M; ++m)
    for (int i = 0; i < s.N; ++i) out[s.b_index(m, i)] = f(l.link_x(m), l.y(i));
}

}  // namespace nnfield
