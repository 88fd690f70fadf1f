#pragma once
// A network's (or a field grid's) arrays of width columns on the processes of a width split
// (core/width_halo.hpp, docs/cluster.md): each process holds its block of columns of every
// array; process 0 receives the blocks a piece at a time for output rows and checkpoints (or,
// for the arrays of one value a site, gathers them whole), and a resumed run's process reads
// its block. Arrays of `lines` rows of `cells` values per column lie one after another (a
// network's parameters: W, K cells, then b, 1 cell; M lines).
#include <cstddef>
#include <functional>
#include <vector>

#include "nnfield/core/column_window.hpp"  // copy_columns
#include "nnfield/core/width_halo.hpp"
#include "nnfield/io/checkpoint_file.hpp"

namespace nnfield {

// `lines` rows of `cells` values a column: one array of a layout of several, one after another
// (a field's parameters: w_in, 1 line of K cells; b_in, 1 line of 1; w, nx lines of K; beta, nx of 1).
struct ColumnArray {
  int lines = 1, cells = 1;
};

// Where the lines of arrays of `width` columns start, one after another, and where the last
// ends (TrainingDynamics::split_over_processes): a line is one row of one array.
std::vector<std::size_t> line_starts(const std::vector<ColumnArray>& arrays, int width);

// Collective. The whole width on process 0 from every process's block, gathered in process
// order (empty elsewhere), of the arrays `arrays`; the second form: arrays of cells[a] values
// a column, `lines` rows each.
void gather_blocks(const std::vector<double>& block, int N, const std::vector<ColumnArray>& arrays,
                   std::vector<double>& whole);
void gather_blocks(const std::vector<double>& block, int N, int lines, const std::vector<int>& cells,
                   std::vector<double>& whole);

// Collective. An array of `lines` rows of `cells`-value columns, held by blocks, handed to
// process `root` (0 unless said) in the whole array's order without ever being whole there:
// for each line, each process's block in width order, piece(line, block, values) with values
// (block.width, cells). The root holds one received piece at a time; elsewhere `piece` is
// not called.
using BlockPiece = std::function<void(int line, const WidthBlock& block, const double* values)>;
void pass_blocks_to_root(const double* block, int N, int lines, int cells, const BlockPiece& piece, int root = 0);

// Where `block`'s values lie in whole arrays laid out as gather_blocks's whole: the ranges,
// in the order block_of takes them (a checkpoint's entry read a block at a time).
std::vector<ValueRange> block_ranges(int N, const std::vector<ColumnArray>& arrays, const WidthBlock& block);
std::vector<ValueRange> block_ranges(int N, int lines, const std::vector<int>& cells, const WidthBlock& block);

// `block`'s columns of whole arrays laid out as gather_blocks's whole.
std::vector<double> block_of(const double* whole, int N, const std::vector<ColumnArray>& arrays,
                             const WidthBlock& block);
std::vector<double> block_of(const double* whole, int N, int lines, const std::vector<int>& cells,
                             const WidthBlock& block);

}  // namespace nnfield
