// The displacement of a moving source (include/nnfield/data/source_motion.hpp).
#include "nnfield/data/source_motion.hpp"

#include <stdexcept>
#include <utility>

namespace nnfield {

SourceMotion::SourceMotion(const Expression& X, const Expression& Y, double x_scale, double y_scale, double Lx,
                           std::vector<double> y)
    : m_x_scale(x_scale), m_y_scale(y_scale), m_Lx(Lx), m_y(std::move(y)),
      m_moves(X.depends_on('t') || Y.depends_on('t')) {
  m_X[0] = X;
  m_Y[0] = Y;
  for (std::size_t k = 1; k < 3; ++k) {
    m_X[k] = m_X[k - 1].derivative('t');
    m_Y[k] = m_Y[k - 1].derivative('t');
  }
}

void SourceMotion::add(double t, int order, double* X, double* Y, int rows) const {
  if (!m_moves) return;
  if (order < 0 || order > 2) throw std::invalid_argument("SourceMotion::add: order 0, 1 or 2");
  const std::size_t n = m_y.size(), k = std::size_t(order);
  for (std::size_t i = 0; i < n; ++i) {
    const double y = m_y[i];
    // The displacement from t = 0 (the samples hold the sources there); derivatives as they are.
    double dx = m_X[k](0.0, y, t), dy = m_Y[k](m_Lx, y, t);
    if (order == 0) {
      dx -= m_X[0](0.0, y, 0.0);
      dy -= m_Y[0](m_Lx, y, 0.0);
    }
    for (int r = 0; r < rows; ++r) {
      if (X) X[std::size_t(r) * n + i] += m_x_scale * dx;
      if (Y) Y[std::size_t(r) * n + i] += m_y_scale * dy;
    }
  }
}

}  // namespace nnfield
