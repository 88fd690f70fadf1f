#pragma once
// The columns a block of a width split (width_halo.hpp) needs to build its part of a
// construction that reads neighbouring columns, and the copies of columns between layouts.
// Eq. 6 (bbd_variables.hpp) gives a column's biases from the r senders on each side of it
// in every layer; a forward pass that finds the neurons of given parameters reads M r
// columns each side. Built on a window of the block and that many ghost columns, taken
// periodically, the block's columns are the whole width's numbers, term for term: the
// ghosts at the window's edges are wrong (the stencil wraps within the window there), the
// block's columns never read them.
#include <vector>

#include "nnfield/core/width_halo.hpp"

namespace nnfield {

struct ColumnWindow {
  // `block` and `ghosts` columns on each side; the whole width (every column once, from 0,
  // so that the stencil wraps as on one process) when they would reach round it.
  ColumnWindow(const WidthBlock& block, int ghosts);
  static ColumnWindow whole(int N) { return ColumnWindow(WidthBlock{N, 0, N}, 0); }

  WidthBlock block;  // the columns kept
  int first = 0;     // the window's first column: block.first - ghosts (may be negative), or 0
  int width = 0;     // its columns: block.width + 2 ghosts, or N

  int N() const { return block.N; }
  bool whole_width() const { return width == block.N; }
  // The site window column j stands for.
  int site(int j) const {
    const int s = (first + j) % block.N;
    return s < 0 ? s + block.N : s;
  }
  // The window column of site i, or -1 when the window does not hold it.
  int column_of(int i) const {
    int j = (i - first) % block.N;
    if (j < 0) j += block.N;
    return j < width ? j : -1;
  }
  int block_offset() const { return block.first - first; }  // the block's first column in the window
};

// Copies `width` columns from `first` of `lines` rows of `cells`-value columns, from rows of
// from_width columns to rows of to_width columns (a block out of the whole, or back).
void copy_columns(const double* from, int from_width, int from_first, double* to, int to_width, int to_first,
                  int lines, int width, int cells);

// The block's columns of arrays laid out on the window one after another, `lines` rows of
// cells[a] values a column each (a network's W, K cells, then b, 1): `values` itself when
// the window is the block.
std::vector<double> block_of_window(std::vector<double> values, const ColumnWindow& window, int lines,
                                    const std::vector<int>& cells);

}  // namespace nnfield
