// The width shifts on one process's block of a width split (include/nnfield/core/width_shift.hpp,
// docs/cluster.md "Field runs split along the width").
//
// Index shifts (hy = ay) are the lattice's: out[k][b] = f(b + k - r) reads the r ghosts the
// halo exchange brings from the neighbouring blocks, and the transpose sums the K terms of a
// site in the order one process adds them (k = 0..2r, from 0), so both are its values.
// Spectral shifts need the whole row: every process gathers the row's blocks
// (MPI_Allgatherv), transforms it as one process does and keeps its columns. The FFTs are
// therefore not divided among the processes (each does the whole row's), only the rest of
// the sweep is; in exchange they are one process's to the last bit.
#include <algorithm>
#include <cstddef>

#include "nnfield/core/width_shift.hpp"
#include "nnfield/numerics/processes.hpp"

namespace nnfield {

void WidthShiftOperator::gather_rows(const double* block, int rows, double* whole) {
  const int parts = processes::count(), n = width();
  std::vector<int> counts(std::size_t(parts), 0);
  for (int p = 0; p < parts; ++p) counts[std::size_t(p)] = rows * width_block(m_ny, parts, p).width;
  m_gathered.resize(std::size_t(rows) * std::size_t(m_ny));
  processes::all_gather_values(block, std::size_t(rows) * std::size_t(n), counts, m_gathered.data());
  // Process-major (every process's rows of its columns) to row-major whole rows.
  std::size_t at = 0;
  for (int p = 0; p < parts; ++p) {
    const WidthBlock b = width_block(m_ny, parts, p);
    for (int row = 0; row < rows; ++row) {
      std::copy_n(m_gathered.data() + at, b.width, whole + std::size_t(row) * std::size_t(m_ny) + std::size_t(b.first));
      at += std::size_t(b.width);
    }
  }
}

void WidthShiftOperator::shift_block(const double* in, double* out) {
  const int n = width();
  const std::size_t un = std::size_t(n);
  if (!m_spectral) {
    const int r = m_halo.r();
    m_padded.resize(un + 2 * std::size_t(r));
    std::copy_n(in, n, m_padded.data() + r);
    m_halo.fill_ghosts(m_padded.data(), 1, m_padded.size());
    for (int k = 0; k < m_K; ++k)
      for (int b = 0; b < n; ++b) out[std::size_t(k) * un + std::size_t(b)] = m_padded[std::size_t(b + k)];
    return;
  }
  const std::size_t first = std::size_t(m_halo.block().first), ny = std::size_t(m_ny);
  m_whole_in.resize(ny);
  m_whole_out.resize(std::size_t(m_K) * ny);
  gather_rows(in, 1, m_whole_in.data());
  shift_whole(m_whole_in.data(), m_whole_out.data());
  for (int k = 0; k < m_K; ++k) std::copy_n(m_whole_out.data() + std::size_t(k) * ny + first, n, out + std::size_t(k) * un);
}

void WidthShiftOperator::shift_block_transpose(const double* in, double* out) {
  const int n = width();
  const std::size_t un = std::size_t(n);
  if (!m_spectral) {
    // out[j] = sum_k in[k][j - (k - r)]: the term of row k sits at j + 2r - k of its padded row.
    const int r = m_halo.r();
    const std::size_t stride = un + 2 * std::size_t(r);
    m_padded.resize(std::size_t(m_K) * stride);
    for (int k = 0; k < m_K; ++k) std::copy_n(in + std::size_t(k) * un, n, m_padded.data() + std::size_t(k) * stride + r);
    m_halo.fill_ghosts(m_padded.data(), m_K, stride);
    for (int j = 0; j < n; ++j) {
      double acc = 0.0;
      for (int k = 0; k < m_K; ++k) acc += m_padded[std::size_t(k) * stride + std::size_t(j + 2 * r - k)];
      out[j] = acc;
    }
    return;
  }
  const std::size_t ny = std::size_t(m_ny);
  m_whole_in.resize(std::size_t(m_K) * ny);
  m_whole_out.resize(ny);
  gather_rows(in, m_K, m_whole_in.data());
  shift_whole_transpose(m_whole_in.data(), m_whole_out.data());
  std::copy_n(m_whole_out.data() + m_halo.block().first, n, out);
}

}  // namespace nnfield
