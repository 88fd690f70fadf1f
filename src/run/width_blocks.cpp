// Blocks of a network's arrays over the processes of a width split (src/run/width_blocks.hpp).
#include "run/width_blocks.hpp"

#include <algorithm>
#include <cstddef>

#include "nnfield/numerics/processes.hpp"

namespace nnfield {

namespace {

std::vector<ColumnArray> same_lines(int lines, const std::vector<int>& cells) {
  std::vector<ColumnArray> arrays;
  for (int c : cells) arrays.push_back(ColumnArray{lines, c});
  return arrays;
}

}  // namespace

std::vector<std::size_t> line_starts(const std::vector<ColumnArray>& arrays, int width) {
  std::vector<std::size_t> starts{0};
  for (const ColumnArray& a : arrays)
    for (int line = 0; line < a.lines; ++line)
      starts.push_back(starts.back() + std::size_t(width) * std::size_t(a.cells));
  return starts;
}

void gather_blocks(const std::vector<double>& block, int N, const std::vector<ColumnArray>& arrays,
                   std::vector<double>& whole) {
  const std::vector<double> parts = processes::gather_values(block);
  whole.clear();
  if (!processes::is_root()) return;
  std::size_t size = 0;
  for (const ColumnArray& a : arrays) size += std::size_t(a.lines) * std::size_t(N) * std::size_t(a.cells);
  whole.assign(size, 0.0);
  std::size_t at = 0;
  for (int p = 0; p < processes::count(); ++p) {
    const WidthBlock b = width_block(N, processes::count(), p);
    std::size_t to = 0;
    for (const ColumnArray& a : arrays) {
      copy_columns(parts.data() + at, b.width, 0, whole.data() + to, N, b.first, a.lines, b.width, a.cells);
      at += std::size_t(a.lines) * std::size_t(b.width) * std::size_t(a.cells);
      to += std::size_t(a.lines) * std::size_t(N) * std::size_t(a.cells);
    }
  }
}

void pass_blocks_to_root(const double* block, int N, int lines, int cells, const BlockPiece& piece, int root) {
  const int K = processes::count(), me = processes::rank();
  const WidthBlock mine = width_block(N, K, me);
  const std::size_t c = std::size_t(cells);
  if (me != root) {
    for (int m = 0; m < lines; ++m)
      processes::send_values(root, block + std::size_t(m) * std::size_t(mine.width) * c, std::size_t(mine.width) * c);
    return;
  }
  std::vector<double> received(std::size_t(width_block(N, K, 0).width) * c);  // block 0 is the widest
  for (int m = 0; m < lines; ++m)
    for (int p = 0; p < K; ++p) {
      if (p == me) {
        piece(m, mine, block + std::size_t(m) * std::size_t(mine.width) * c);
        continue;
      }
      const WidthBlock b = width_block(N, K, p);
      processes::receive_values(p, received.data(), std::size_t(b.width) * c);
      piece(m, b, received.data());
    }
}

std::vector<ValueRange> block_ranges(int N, const std::vector<ColumnArray>& arrays, const WidthBlock& block) {
  std::vector<ValueRange> ranges;
  std::size_t array = 0;
  for (const ColumnArray& a : arrays) {
    const std::size_t c = std::size_t(a.cells);
    for (int m = 0; m < a.lines; ++m)
      ranges.push_back({array + (std::size_t(m) * std::size_t(N) + std::size_t(block.first)) * c,
                        std::size_t(block.width) * c});
    array += std::size_t(a.lines) * std::size_t(N) * c;
  }
  return ranges;
}

std::vector<double> block_of(const double* whole, int N, const std::vector<ColumnArray>& arrays,
                             const WidthBlock& block) {
  std::size_t size = 0;
  for (const ColumnArray& a : arrays) size += std::size_t(a.lines) * std::size_t(block.width) * std::size_t(a.cells);
  std::vector<double> out(size);
  std::size_t from = 0, to = 0;
  for (const ColumnArray& a : arrays) {
    copy_columns(whole + from, N, block.first, out.data() + to, block.width, 0, a.lines, block.width, a.cells);
    from += std::size_t(a.lines) * std::size_t(N) * std::size_t(a.cells);
    to += std::size_t(a.lines) * std::size_t(block.width) * std::size_t(a.cells);
  }
  return out;
}

void gather_blocks(const std::vector<double>& block, int N, int lines, const std::vector<int>& cells,
                   std::vector<double>& whole) {
  gather_blocks(block, N, same_lines(lines, cells), whole);
}

std::vector<ValueRange> block_ranges(int N, int lines, const std::vector<int>& cells, const WidthBlock& block) {
  return block_ranges(N, same_lines(lines, cells), block);
}

std::vector<double> block_of(const double* whole, int N, int lines, const std::vector<int>& cells,
                             const WidthBlock& block) {
  return block_of(whole, N, same_lines(lines, cells), block);
}

}  // namespace nnfield
