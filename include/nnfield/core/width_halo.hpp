#pragma once
// Which columns of the periodic width a network holds, and where the ghosts of its padded
// rows come from (link_stencil.hpp). One process holds all N columns: the ghosts are
// periodic images of its own columns. A network split along its width over K processes
// (`mpirun -np K nnfield run`, docs/cluster.md) holds one contiguous block of columns per
// process: the ghosts are the neighbouring blocks' edge columns (a halo exchange of r
// columns each way), and the sums over width that the loss needs continue from block to
// block in width order, so they are the one-process sums to the last bit.
//
// The kernels do not know the difference: they read ghosts, and sum a site's terms in one
// order whether its neighbours are periodic images or another block's columns.
#include <cstddef>
#include <vector>

#include "nnfield/numerics/function_ref.hpp"

namespace nnfield {

// Columns first .. first + width - 1 of a periodic width of N.
struct WidthBlock {
  int N = 0, first = 0, width = 0;
  bool left_seam() const { return first == 0; }             // site 0 is this block's first
  bool right_seam() const { return first + width == N; }    // site N-1 is its last
  bool whole() const { return width == N; }
};

// Block `part` of N columns cut into `parts` contiguous blocks whose widths differ by at most
// one (the first N % parts blocks are one wider).
WidthBlock width_block(int N, int parts, int part);

class WidthHalo {
 public:
  // All N columns on this process.
  WidthHalo(int N, int r);
  // This process's block of a width split over every process (processes.hpp); needs r
  // columns at least in every block, so that the ghosts come from the next blocks alone.
  static WidthHalo split(int N, int r);

  const WidthBlock& block() const { return m_block; }
  int r() const { return m_r; }
  bool is_split() const { return m_split; }

  // Fills the r ghosts on each side of `count` padded rows `stride` doubles apart (site i of
  // the block at r + i): periodic images, or the neighbouring blocks' columns (collective).
  // A site may hold `cells` values (a link array's K): site i's at (r + i) cells.
  void fill_ghosts(double* rows, int count, std::size_t stride, int cells = 1) const;

  // Running sums over width, `count` at a time: the sums the blocks to the left reached
  // (zeros for the block holding site 0), to continue over this block's sites ...
  void sums_from_left(double* sums, int count) const;
  // ... and handed on to the block on the right; the last block's are the sums over all
  // sites, and every process receives them (broadcast).
  void sums_to_right(double* sums, int count) const;
  // One sum over `lines` lines of the width, line by line, each line's sites in width order
  // (the one-process order of a sum over an (lines, N) array): add(sum, line) returns sum
  // plus this block's terms of `line`, added one after another. Starts from `start`; every
  // process gets the total (collective when split).
  double sum_over_lines(double start, int lines, FunctionRef<double(double, int)> add) const;

 private:
  WidthHalo(WidthBlock block, int r, bool split);

  WidthBlock m_block;
  int m_r;
  bool m_split;
  mutable std::vector<double> m_send, m_receive;  // the exchange's packed edge columns
};

// The periodic ghosts of `count` rows of N sites (site i at r + i), `stride` apart; a site
// holds `cells` values.
void fill_periodic_ghosts(double* rows, int count, std::size_t stride, int N, int r, int cells = 1);

}  // namespace nnfield
