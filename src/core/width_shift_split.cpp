// The width shifts on one process's block of a width split (include/nnfield/core/width_shift.hpp,
// docs/cluster.md "Field runs split along the width").
//
// Index shifts (hy = ay) are the lattice's: out[k][b] = f(b + k - r) reads the r ghosts the
// halo exchange brings from the neighbouring blocks, and the transpose sums the K terms of a
// site in the order one process adds them (k = 0..2r, from 0), so both are its values.
//
// Spectral shifts are products over the whole row in Fourier space. Their work is the K
// transforms of the K shifts (inverse ones forward, forward ones in the transpose), and
// those are divided among the processes: process p owns the shifts width_block(K, P, p), a
// contiguous run of k, and for the transpose's sum the frequencies width_block(ny/2+1, P, p).
//   forward:   every process gathers the row and transforms it (one FFT), computes the
//              whole rows of its own shifts, and an all-to-all hands each block its columns
//              of every shift;
//   transpose: an all-to-all gathers the whole rows of its shifts on their owner, which
//              transforms them; a second hands each process its frequencies of every
//              shift's spectrum, which it sums in the order k = 0..2r from zero as one
//              process does; the sums are gathered on every process, which transforms them
//              back (one FFT) and keeps its columns.
// Every transform is the one-process code's on the same whole row and every sum runs in its
// order, so the values are one process's bit for bit. With P >= K a process runs two FFTs an
// evaluation instead of K + 1; the gathered row and spectrum are the part that is not divided.
#include <algorithm>
#include <cstddef>

#include "nnfield/core/width_shift.hpp"
#include "nnfield/numerics/processes.hpp"

namespace nnfield {

namespace {
// Complex values travel as their two doubles (std::complex is laid out so).
double* as_doubles(Complex* values) { return reinterpret_cast<double*>(values); }
}  // namespace

void WidthShiftOperator::gather_row(const double* block, double* whole) {
  const int parts = processes::count();
  std::vector<int> counts(std::size_t(parts), 0);
  for (int p = 0; p < parts; ++p) counts[std::size_t(p)] = width_block(m_ny, parts, p).width;
  // Blocks in process order are the row in column order.
  processes::all_gather_values(block, std::size_t(width()), counts, whole);
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
  const int parts = processes::count(), me = processes::rank();
  const std::size_t processes_count = std::size_t(parts);
  const std::size_t ny = std::size_t(m_ny);
  const WidthBlock mine = width_block(m_K, parts, me);
  m_gathered.resize(ny);
  gather_row(in, m_gathered.data());
  for (std::size_t b = 0; b < ny; ++b) m_real[b] = m_gathered[b];
  m_fft.forward(m_real.data(), m_spectrum.data());
  m_whole.resize(std::size_t(mine.width) * ny);
  for (int k = mine.first; k < mine.first + mine.width; ++k)
    shifted_row(k, m_whole.data() + std::size_t(k - mine.first) * ny);
  // To process p its columns of each of this process's shifts; from process s this block's
  // columns of s's shifts, which arrive in increasing k: out's (K, width) rows as they are.
  std::vector<int> send_counts(processes_count), receive_counts(processes_count);
  m_send.resize(std::size_t(mine.width) * ny);
  std::size_t at = 0;
  for (int p = 0; p < parts; ++p) {
    const WidthBlock block = width_block(m_ny, parts, p);
    for (int k = 0; k < mine.width; ++k, at += std::size_t(block.width))
      std::copy_n(m_whole.data() + std::size_t(k) * ny + std::size_t(block.first), block.width, m_send.data() + at);
    send_counts[std::size_t(p)] = mine.width * block.width;
    receive_counts[std::size_t(p)] = width_block(m_K, parts, p).width * n;
  }
  processes::all_to_all_values(m_send.data(), send_counts, out, receive_counts);
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
  const int parts = processes::count(), me = processes::rank();
  const std::size_t processes_count = std::size_t(parts);
  const std::size_t ny = std::size_t(m_ny), nq = ny / 2 + 1;
  const WidthBlock mine = width_block(m_K, parts, me), frequencies = width_block(int(nq), parts, me);
  std::vector<int> send_counts(processes_count), receive_counts(processes_count);

  // 1. The whole rows of this process's shifts: in's rows of process p's shifts go to p as
  // they lie (p's shifts are a run of k); from process s come its columns of each of mine.
  for (int p = 0; p < parts; ++p) {
    send_counts[std::size_t(p)] = width_block(m_K, parts, p).width * n;
    receive_counts[std::size_t(p)] = mine.width * width_block(m_ny, parts, p).width;
  }
  m_received.resize(std::size_t(mine.width) * ny);
  processes::all_to_all_values(in, send_counts, m_received.data(), receive_counts);
  m_whole.resize(m_received.size());
  std::size_t at = 0;
  for (int s = 0; s < parts; ++s) {
    const WidthBlock block = width_block(m_ny, parts, s);
    for (int k = 0; k < mine.width; ++k, at += std::size_t(block.width))
      std::copy_n(m_received.data() + at, block.width, m_whole.data() + std::size_t(k) * ny + std::size_t(block.first));
  }

  // 2. Their spectra, each process p's frequencies of them sent to p; from s come this
  // process's frequencies of s's shifts, in increasing k: a (K, frequencies) array.
  m_spectra.resize(std::size_t(mine.width) * nq);
  for (int k = 0; k < mine.width; ++k) {
    std::copy_n(m_whole.data() + std::size_t(k) * ny, ny, m_real.data());
    m_fft.forward(m_real.data(), m_spectrum.data());
    std::copy_n(m_spectrum.data(), nq, m_spectra.data() + std::size_t(k) * nq);
  }
  m_send.resize(2 * m_spectra.size());
  at = 0;
  for (int p = 0; p < parts; ++p) {
    const WidthBlock theirs = width_block(int(nq), parts, p);
    for (int k = 0; k < mine.width; ++k, at += 2 * std::size_t(theirs.width))
      std::copy_n(as_doubles(m_spectra.data() + std::size_t(k) * nq + std::size_t(theirs.first)), 2 * theirs.width,
                  m_send.data() + at);
    send_counts[std::size_t(p)] = 2 * mine.width * theirs.width;
    receive_counts[std::size_t(p)] = 2 * width_block(m_K, parts, p).width * frequencies.width;
  }
  const std::size_t fw = std::size_t(frequencies.width);
  m_spectra_here.resize(std::size_t(m_K) * fw);
  processes::all_to_all_values(m_send.data(), send_counts, as_doubles(m_spectra_here.data()), receive_counts);

  // 3. This process's frequencies of the sum, in the one-process order; the whole sum on
  // every process; back to the width and this block's columns.
  m_sums.assign(fw, Complex(0.0));
  for (int k = 0; k < m_K; ++k)
    add_transposed(k, m_spectra_here.data() + std::size_t(k) * fw, std::size_t(frequencies.first), fw, m_sums.data());
  std::vector<int> counts(processes_count);
  for (int p = 0; p < parts; ++p) counts[std::size_t(p)] = 2 * width_block(int(nq), parts, p).width;
  processes::all_gather_values(as_doubles(m_sums.data()), 2 * fw, counts, as_doubles(m_work.data()));
  m_fft.inverse(m_work.data(), m_real.data());
  std::copy_n(m_real.data() + m_halo.block().first, n, out);
}

}  // namespace nnfield
