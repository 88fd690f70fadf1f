#include "nnfield/numerics/smooth_field.hpp"

#include <algorithm>
#include <cmath>

namespace nnfield {

SmoothField SmoothField::random(double Lx, double Ly, int cutoff_x, int cutoff_y, double rms, Rng& rng) {
  SmoothField f(Lx, Ly);
  double mean_square = 0.0;
  for (int p = 0; p <= cutoff_x; ++p)
    for (int q = -cutoff_y; q <= cutoff_y; ++q) {
      if (p == 0 && q <= 0) continue;  // (0,0) is the mean; (0,-q) duplicates (0,q)
      const double a = rng.normal();
      const double phase = 2.0 * M_PI * rng.uniform();
      f.m_modes.push_back({p, q, a, phase});
      mean_square += 0.5 * a * a;  // <cos^2> = 1/2 over the domain
    }
  if (mean_square > 0)
    for (auto& m : f.m_modes) m.amplitude *= rms / std::sqrt(mean_square);
  return f;
}

void SmoothField::add_mode(int kx, int ky, double amplitude, double phase) {
  m_modes.push_back({kx, ky, amplitude, phase});
}

void SmoothField::set_expression(const Expression& e) {
  auto table = std::make_shared<ExpressionTable>();
  table->d.reserve(std::size_t((kMaxDx + 1) * (kMaxDy + 1)));
  Expression dx = e;
  for (int nx = 0; nx <= kMaxDx; ++nx) {
    Expression dxy = dx;
    for (int ny = 0; ny <= kMaxDy; ++ny) {
      table->d.push_back(dxy);
      if (ny < kMaxDy) dxy = dxy.derivative('y');
    }
    if (nx < kMaxDx) dx = dx.derivative('x');
  }
  m_expression = std::move(table);
}

double SmoothField::operator()(double x, double y) const {
  double f = m_mean + (m_expression ? m_expression->at(0, 0)(x, y) : 0.0);
  for (const auto& m : m_modes)
    f += m.amplitude * std::cos(M_PI * m.kx * x / m_Lx + 2.0 * M_PI * m.ky * y / m_Ly + m.phase);
  return f;
}

double SmoothField::derivative(int nx, int ny, double x, double y) const {
  if (nx == 0 && ny == 0) return (*this)(x, y);
  double f = 0.0;
  if (m_expression) {
    if (nx <= kMaxDx && ny <= kMaxDy) {
      f = m_expression->at(nx, ny)(x, y);
    } else {  // rare: derive it here, on a local copy (const, nothing cached)
      Expression d = m_expression->at(std::min(nx, kMaxDx), std::min(ny, kMaxDy));
      for (int i = kMaxDx; i < nx; ++i) d = d.derivative('x');
      for (int j = kMaxDy; j < ny; ++j) d = d.derivative('y');
      f = d(x, y);
    }
  }
  for (const auto& m : m_modes) {
    const double kx = M_PI * m.kx / m_Lx, ky = 2.0 * M_PI * m.ky / m_Ly;
    f += m.amplitude * std::pow(kx, nx) * std::pow(ky, ny) *
         std::cos(kx * x + ky * y + m.phase + 0.5 * M_PI * (nx + ny));
  }
  return f;
}

}  // namespace nnfield
