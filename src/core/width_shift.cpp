#include "nnfield/core/width_shift.hpp"

#include <cmath>
#include <stdexcept>

namespace nnfield {

WidthShiftOperator::WidthShiftOperator(int ny, int r, double ay, double Ly)
    : WidthShiftOperator(ny, r, ay, Ly, WidthHalo(ny, r)) {}

WidthShiftOperator::WidthShiftOperator(int ny, int r, double ay, double Ly, const WidthHalo& halo)
    : m_halo(halo), m_ny(ny), m_K(2 * r + 1), m_stencil(ny, r), m_fft(std::size_t(ny)), m_real(std::size_t(ny)),
      m_spectrum(std::size_t(ny / 2 + 1)), m_work(std::size_t(ny / 2 + 1)) {
  if (ny < 1 || r < 0 || !(ay > 0) || !(Ly > 0) || halo.block().N != ny)
    throw std::invalid_argument("WidthShiftOperator: bad grid");
  const double hy = Ly / ny;
  const double cells = ay / hy;  // a lattice spacing in grid cells
  // Index shifts only where a lattice spacing is exactly one grid cell (ry = 1): a
  // whole number of cells other than one would need ay > hy, which ny <= N excludes.
  m_spectral = std::fabs(cells - 1.0) > 1e-12;
  const std::size_t nq = std::size_t(ny / 2 + 1);
  m_phase.resize(std::size_t(m_K) * nq);
  for (int k = 0; k < m_K; ++k)
    for (std::size_t q = 0; q < nq; ++q) {
      const double angle = 2.0 * M_PI * double(q) / Ly * (k - r) * ay;
      const bool nyquist = (ny % 2 == 0) && q == std::size_t(ny / 2);
      // 1/ny: RowFFT's inverse is unnormalised.
      m_phase[std::size_t(k) * nq + q] =
          (nyquist ? Complex(std::cos(angle), 0.0) : std::polar(1.0, angle)) / double(ny);
    }
}

void WidthShiftOperator::shift_all(const double* in, double* out) {
  if (m_halo.is_split()) return shift_block(in, out);
  shift_whole(in, out);
}

void WidthShiftOperator::shift_all_transpose(const double* in, double* out) {
  if (m_halo.is_split()) return shift_block_transpose(in, out);
  shift_whole_transpose(in, out);
}

void WidthShiftOperator::shift_whole(const double* in, double* out) {
  const int n = m_ny;
  if (!m_spectral) {  // hy = ay: the lattice's own index shift
    m_stencil.shift_rows(in, out);
    return;
  }
  for (int b = 0; b < n; ++b) m_real[std::size_t(b)] = in[b];
  m_fft.forward(m_real.data(), m_spectrum.data());
  for (int k = 0; k < m_K; ++k) shifted_row(k, out + std::size_t(k) * std::size_t(n));
}

void WidthShiftOperator::shifted_row(int k, double* row) {
  const std::size_t nq = std::size_t(m_ny / 2 + 1);
  const Complex* ph = m_phase.data() + std::size_t(k) * nq;
  for (std::size_t q = 0; q < nq; ++q) m_work[q] = m_spectrum[q] * ph[q];
  m_fft.inverse(m_work.data(), m_real.data());
  for (int b = 0; b < m_ny; ++b) row[b] = m_real[std::size_t(b)];
}

void WidthShiftOperator::add_transposed(int k, const Complex* spectrum, std::size_t q0, std::size_t count,
                                        Complex* work) const {
  const Complex* ph = m_phase.data() + std::size_t(k) * std::size_t(m_ny / 2 + 1) + q0;
  for (std::size_t q = 0; q < count; ++q) work[q] += spectrum[q] * std::conj(ph[q]);
}

void WidthShiftOperator::shift_whole_transpose(const double* in, double* out) {
  const int n = m_ny;
  if (!m_spectral) {
    m_stencil.shift_rows_transpose(in, out);
    return;
  }
  const std::size_t nq = std::size_t(n / 2 + 1);
  for (std::size_t q = 0; q < nq; ++q) m_work[q] = 0.0;
  for (int k = 0; k < m_K; ++k) {
    const double* i = in + std::size_t(k) * n;
    for (int b = 0; b < n; ++b) m_real[std::size_t(b)] = i[b];
    m_fft.forward(m_real.data(), m_spectrum.data());
    add_transposed(k, m_spectrum.data(), 0, nq, m_work.data());
  }
  m_fft.inverse(m_work.data(), m_real.data());
  for (int b = 0; b < n; ++b) out[b] = m_real[std::size_t(b)];
}

}  // namespace nnfield
