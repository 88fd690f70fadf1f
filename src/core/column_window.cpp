// Windows of columns around a block of a width split (include/nnfield/core/column_window.hpp).
#include "nnfield/core/column_window.hpp"

#include <algorithm>
#include <cstddef>

namespace nnfield {

ColumnWindow::ColumnWindow(const WidthBlock& b, int ghosts) : block(b) {
  if (b.width + 2 * ghosts >= b.N) {
    first = 0;
    width = b.N;
  } else {
    first = b.first - ghosts;
    width = b.width + 2 * ghosts;
  }
}

void copy_columns(const double* from, int from_width, int from_first, double* to, int to_width, int to_first,
                  int lines, int width, int cells) {
  const std::size_t c = std::size_t(cells);
  for (int m = 0; m < lines; ++m)
    std::copy_n(from + (std::size_t(m) * std::size_t(from_width) + std::size_t(from_first)) * c,
                std::size_t(width) * c, to + (std::size_t(m) * std::size_t(to_width) + std::size_t(to_first)) * c);
}

std::vector<double> block_of_window(std::vector<double> values, const ColumnWindow& window, int lines,
                                    const std::vector<int>& cells) {
  const WidthBlock& b = window.block;
  if (window.width == b.width) return values;
  std::size_t size = 0;
  for (int c : cells) size += std::size_t(lines) * std::size_t(b.width) * std::size_t(c);
  std::vector<double> out(size);
  std::size_t from = 0, to = 0;
  for (int c : cells) {
    copy_columns(values.data() + from, window.width, window.block_offset(), out.data() + to, b.width, 0, lines,
                 b.width, c);
    from += std::size_t(lines) * std::size_t(window.width) * std::size_t(c);
    to += std::size_t(lines) * std::size_t(b.width) * std::size_t(c);
  }
  return out;
}

}  // namespace nnfield
