// Ghosts and running sums of a network's block of width columns (include/nnfield/core/width_halo.hpp).
#include "nnfield/core/width_halo.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "nnfield/numerics/processes.hpp"

namespace nnfield {

WidthBlock width_block(int N, int parts, int part) {
  const int base = N / parts, wider = N % parts;
  return WidthBlock{N, part * base + std::min(part, wider), base + (part < wider ? 1 : 0)};
}

WidthHalo::WidthHalo(int N, int r) : WidthHalo(WidthBlock{N, 0, N}, r, false) {}

WidthHalo::WidthHalo(WidthBlock block, int r, bool split) : m_block(block), m_r(r), m_split(split) {}

WidthHalo WidthHalo::split(int N, int r) {
  const int K = processes::count();
  if (K == 1) return WidthHalo(N, r);
  const WidthBlock block = width_block(N, K, processes::rank());
  // The narrowest block is the last one: N / K columns.
  if (N / K < r)
    throw std::invalid_argument("width N = " + std::to_string(N) + " over " + std::to_string(K) +
                                " processes leaves blocks of " + std::to_string(N / K) +
                                " columns, fewer than the radius r = " + std::to_string(r) +
                                " (a ghost would come from beyond the next process)");
  return WidthHalo(block, r, true);
}

void fill_periodic_ghosts(double* rows, int count, std::size_t stride, int N, int r, int cells) {
  const int n = N * cells, g = r * cells;  // values of the sites and of the ghosts on a side
  for (int s = 0; s < count; ++s) {
    double* row = rows + std::size_t(s) * stride;
    for (int p = 0; p < g; ++p) row[p] = row[p + n];                  // site p - r + N
    for (int p = n + g; p < n + 2 * g; ++p) row[p] = row[p - n];      // site p - r - N
  }
}

void WidthHalo::fill_ghosts(double* rows, int count, std::size_t stride, int cells) const {
  const int n = m_block.width * cells, g = m_r * cells;
  if (!m_split) {
    fill_periodic_ghosts(rows, count, stride, m_block.width, m_r, cells);
    return;
  }
  // Pack the r first and r last columns of every row, exchange, unpack into the ghosts.
  const std::size_t edge = std::size_t(count) * std::size_t(g);
  m_send.resize(2 * edge);
  m_receive.resize(2 * edge);
  double* to_left = m_send.data();
  double* to_right = to_left + edge;
  for (int s = 0; s < count; ++s) {
    const double* row = rows + std::size_t(s) * stride;
    std::copy(row + g, row + 2 * g, to_left + std::size_t(s) * g);
    std::copy(row + n, row + n + g, to_right + std::size_t(s) * g);
  }
  double* from_left = m_receive.data();
  double* from_right = from_left + edge;
  processes::exchange_with_neighbours(to_left, to_right, from_left, from_right, edge);
  for (int s = 0; s < count; ++s) {
    double* row = rows + std::size_t(s) * stride;
    std::copy(from_left + std::size_t(s) * g, from_left + std::size_t(s + 1) * g, row);
    std::copy(from_right + std::size_t(s) * g, from_right + std::size_t(s + 1) * g, row + n + g);
  }
}

void WidthHalo::sums_from_left(double* sums, int count) const {
  if (m_split && !m_block.left_seam())
    processes::receive_values(processes::rank() - 1, sums, std::size_t(count));
  else
    std::fill_n(sums, count, 0.0);
}

void WidthHalo::sums_to_right(double* sums, int count) const {
  if (!m_split) return;
  const int last = processes::count() - 1;
  if (!m_block.right_seam()) processes::send_values(processes::rank() + 1, sums, std::size_t(count));
  processes::broadcast_values(last, sums, std::size_t(count));
}

}  // namespace nnfield

namespace nnfield {

double WidthHalo::sum_over_lines(double start, int lines, FunctionRef<double(double, int)> add) const {
  // Line by line: the block holding site 0 starts from the sum of the lines before, the
  // others from their left neighbour's; the last block's sum reaches every process.
  double total = start;
  for (int l = 0; l < lines; ++l) {
    double sum = 0.0;
    sums_from_left(&sum, 1);
    if (m_block.left_seam()) sum = total;
    sum = add(sum, l);
    sums_to_right(&sum, 1);
    total = sum;
  }
  return total;
}

}  // namespace nnfield
