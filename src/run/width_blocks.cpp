// Blocks of a network's arrays over the processes of a width split (src/run/width_blocks.hpp).
#include "run/width_blocks.hpp"

#include <algorithm>
#include <cstddef>

#include "nnfield/numerics/processes.hpp"

namespace nnfield {

void copy_columns(const double* from, int from_width, int from_first, double* to, int to_width, int to_first,
                  int lines, int width, int cells) {
  const std::size_t c = std::size_t(cells);
  for (int m = 0; m < lines; ++m)
    std::copy_n(from + (std::size_t(m) * std::size_t(from_width) + std::size_t(from_first)) * c,
                std::size_t(width) * c, to + (std::size_t(m) * std::size_t(to_width) + std::size_t(to_first)) * c);
}

void gather_blocks(const std::vector<double>& block, int N, int lines, const std::vector<int>& cells,
                   std::vector<double>& whole) {
  const std::vector<double> parts = processes::gather_values(block);
  whole.clear();
  if (!processes::is_root()) return;
  std::size_t size = 0;
  for (int c : cells) size += std::size_t(lines) * std::size_t(N) * std::size_t(c);
  whole.assign(size, 0.0);
  std::size_t at = 0;
  for (int p = 0; p < processes::count(); ++p) {
    const WidthBlock b = width_block(N, processes::count(), p);
    std::size_t to = 0;
    for (int c : cells) {
      copy_columns(parts.data() + at, b.width, 0, whole.data() + to, N, b.first, lines, b.width, c);
      at += std::size_t(lines) * std::size_t(b.width) * std::size_t(c);
      to += std::size_t(lines) * std::size_t(N) * std::size_t(c);
    }
  }
}

void pass_blocks_to_root(const double* block, int N, int lines, int cells, const BlockPiece& piece) {
  const int K = processes::count(), me = processes::rank();
  const WidthBlock mine = width_block(N, K, me);
  const std::size_t c = std::size_t(cells);
  if (me != 0) {
    for (int m = 0; m < lines; ++m)
      processes::send_values(0, block + std::size_t(m) * std::size_t(mine.width) * c, std::size_t(mine.width) * c);
    return;
  }
  std::vector<double> received(std::size_t(width_block(N, K, 0).width) * c);  // block 0 is the widest
  for (int m = 0; m < lines; ++m) {
    piece(m, mine, block + std::size_t(m) * std::size_t(mine.width) * c);
    for (int p = 1; p < K; ++p) {
      const WidthBlock b = width_block(N, K, p);
      processes::receive_values(p, received.data(), std::size_t(b.width) * c);
      piece(m, b, received.data());
    }
  }
}

std::vector<ValueRange> block_ranges(int N, int lines, const std::vector<int>& cells, const WidthBlock& block) {
  std::vector<ValueRange> ranges;
  std::size_t array = 0;
  for (int c : cells) {
    for (int m = 0; m < lines; ++m)
      ranges.push_back({array + (std::size_t(m) * std::size_t(N) + std::size_t(block.first)) * std::size_t(c),
                        std::size_t(block.width) * std::size_t(c)});
    array += std::size_t(lines) * std::size_t(N) * std::size_t(c);
  }
  return ranges;
}

std::vector<double> block_of(const double* whole, int N, int lines, const std::vector<int>& cells,
                             const WidthBlock& block) {
  std::size_t size = 0;
  for (int c : cells) size += std::size_t(lines) * std::size_t(block.width) * std::size_t(c);
  std::vector<double> out(size);
  std::size_t from = 0, to = 0;
  for (int c : cells) {
    copy_columns(whole + from, N, block.first, out.data() + to, block.width, 0, lines, block.width, c);
    from += std::size_t(lines) * std::size_t(N) * std::size_t(c);
    to += std::size_t(lines) * std::size_t(block.width) * std::size_t(c);
  }
  return out;
}

}  // namespace nnfield
