#pragma once
// Gradient flow and damped dynamics of a network split along its width over the processes
// of `mpirun -np K nnfield run` (core/width_halo.hpp, docs/cluster.md): each process
// integrates its block of the state (W, b and, damped, their velocities; the energy
// quadratures on every process), the right-hand side is the block's gradient, and every sum
// over the state is the one-process sum (TrainingDynamics::split_over_processes), so the
// steps, the rows and the checkpoint are one process's bit for bit.
#include "nnfield/config/config.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/data/initial_state.hpp"
#include "nnfield/run/run.hpp"
#include "run/run_loop.hpp"
#include "run/width_blocks.hpp"

namespace nnfield {

// Integrates this process's block of the network from its block of the initial state `init`
// (W (M, n, K) then b (M, n), and the velocities alike) on the data set `samples` presented
// by `data` (any presentation, moving sources too). `recording` is process 0's, null
// on the others, which integrate with it and take part in its collective calls.
RunResult run_split_flow(const ModelConfig& config, const RunOptions& options, const Samples& samples,
                         const DataStream& data, const ParameterState& init, RunRecording* recording);

// How the run loop moves a split state between the blocks and process 0: the state is the
// parameters (arrays `parameters` of columns: block_params on this process, whole_params in
// all), for second-order dynamics their velocities in the same layout, then `quadratures`
// scalars every process carries (the energy books), then the `trailing` arrays of columns
// (the BBD energy flow's time integrals): handed to process 0 in pieces, block by block of
// each line (pass_blocks_to_root), and read back on resume by each process's ranges
// (block_ranges, the quadratures, block_ranges). Network and field splits share it.
StateSplit state_split(int N, const std::vector<ColumnArray>& parameters, const WidthBlock& block,
                       std::size_t block_params, std::size_t whole_params, bool second_order,
                       std::size_t quadratures, const std::vector<ColumnArray>& trailing = {});

}  // namespace nnfield
