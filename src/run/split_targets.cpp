// The continuum targets of a network split along its width (src/run/split_targets.hpp).
#include "run/split_targets.hpp"

#include "nnfield/core/network.hpp"
#include "nnfield/data/initial_state.hpp"
#include "nnfield/numerics/processes.hpp"
#include "run/width_blocks.hpp"

namespace nnfield {

InitialOutput split_initial_output(const ModelConfig& config) {
  return [&config](const DataStream& inputs) {
    const NetworkShape& whole = config.network.shape;
    const Samples& d = inputs.samples();
    Network network(whole, config.network.activation, config.network.loss, WidthHalo::split(whole.N, whole.r));
    const WidthBlock& block = network.halo().block();
    // The block of the state the run itself starts from (its own initial_block), built from
    // the same inputs as one process's whole initial network.
    const ParameterState init = make_initial_columns(config, inputs, block.first, block.width);
    const std::vector<double> X = block_of(d.X.data(), d.N, d.S, {1}, block);
    // The forward pass of the blocks is the whole network's, to the last bit (the halo
    // hands each layer's edge columns to the neighbours' ghosts).
    network.forward(init.q.data(), init.q.data() + network.shape().num_weights(), X.data(), d.S);
    std::vector<double> Z(std::size_t(d.S) * std::size_t(block.width)), Z0;
    network.output(Z.data());
    gather_blocks(Z, d.N, d.S, {1}, Z0);  // (S, N) on process 0
    Z0.resize(d.X.size());
    processes::broadcast_values(0, Z0.data(), Z0.size());
    return Z0;
  };
}

}  // namespace nnfield
