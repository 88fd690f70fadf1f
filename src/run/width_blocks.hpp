#pragma once
// A network's arrays of width columns on the processes of a width split (core/width_halo.hpp,
// docs/cluster.md): each process holds its block of columns of every array, the whole
// network's arrays meet on process 0 for output rows and checkpoints, and a resumed run's
// whole arrays go back to the blocks. Arrays of `lines` rows of `cells` values per column
// lie one after another (a network's parameters: W, K cells, then b, 1 cell; M lines).
#include <vector>

#include "nnfield/core/width_halo.hpp"

namespace nnfield {

// Copies `width` columns from `first` of `lines` rows of `cells`-value columns, from rows of
// from_width columns to rows of to_width columns (a block out of the whole, or back).
void copy_columns(const double* from, int from_width, int from_first, double* to, int to_width, int to_first,
                  int lines, int width, int cells);

// Collective. The whole width on process 0 from every process's block, gathered in process
// order (empty elsewhere): arrays of cells[a] values a column, `lines` rows each.
void gather_blocks(const std::vector<double>& block, int N, int lines, const std::vector<int>& cells,
                   std::vector<double>& whole);

// `block`'s columns of whole arrays laid out as gather_blocks's whole.
std::vector<double> block_of(const double* whole, int N, int lines, const std::vector<int>& cells,
                             const WidthBlock& block);

}  // namespace nnfield
