#pragma once
// What SGD trains, step after step (run_sgd.cpp): the whole network on this process, or this
// process's block of columns of a network split along its width over the processes of
// `mpirun -np K nnfield run` (core/width_halo.hpp, docs/cluster.md). The loop is the same;
// the lattice says where the parameters are, measures on its blocks what the output rows
// need of the whole network, and hands the parameters to process 0 in pieces (no process
// ever holds them whole); the observers run on process 0 as in a one-process run.
//
// Calls marked collective are made by every process at the same point of the loop.
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/core/network.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/io/checkpoint_file.hpp"
#include "nnfield/observe/observer.hpp"

namespace nnfield {

class SgdLattice {
 public:
  virtual ~SgdLattice() = default;
  // This process's parameters: W (M, n, K) then b (M, n) of the n columns it holds.
  virtual std::vector<double>& q() = 0;
  // Where q lies in the whole lattice's parameters (a checkpoint's loop.x), in q's order: a
  // resumed run reads these ranges alone.
  virtual std::vector<ValueRange> held() const = 0;
  // Collective. The mean loss of the batch (samples by index), the whole network's on every
  // process, and dl/dq of the columns held into grad.
  virtual double gradient(const std::vector<int>& batch, std::vector<double>& grad) = 0;
  // Collective. The whole lattice's parameters, in order, to `piece` on process 0 (not called
  // elsewhere), a piece at a time.
  virtual void whole_in_pieces(const ValuePiece& piece) = 0;
  // The whole lattice's number of parameters (a checkpoint's loop.x).
  virtual std::size_t whole_size() const = 0;
  // Collective. The output row's parameters and neurons at the current q, on process 0: W, b
  // (a field's q too), the last batch's first sample's neurons (and a field's adjoint),
  // lines and width; a split network's W in pieces, gains and training loss instead of W
  // (Snapshot). Elsewhere s is left as it is. Valid until the next call on the lattice.
  virtual void snapshot(Snapshot& s) = 0;
  // Collective. Whether `stop` is set on any process (all stop at the same step).
  virtual bool stop_requested(const std::atomic<bool>* stop) = 0;
  // Collective. Whether q is finite on every process.
  virtual bool finite() = 0;
  // Collective. Process 0's `value`, on every process (a decision only it can take).
  virtual bool from_root(bool value) = 0;
};

// A lattice split over every process (a network's or a field grid's width): the stops, the
// finiteness and process 0's decisions agreed by all, at the same step.
class SplitLattice : public SgdLattice {
 public:
  bool stop_requested(const std::atomic<bool>* stop) override;
  bool finite() override;
  bool from_root(bool value) override;
};

// One process's lattice whose batch gradient and snapshot are given (a field grid,
// field_run.cpp): q stepped by q <- q - eta g with g = gradient(q, batch, g).
using BatchGradient = std::function<double(const double* q, const std::vector<int>& batch, double* g)>;
using BatchSnapshot = std::function<void(const double* q, const std::vector<int>& batch, Snapshot& s)>;
std::unique_ptr<SgdLattice> one_process_lattice(std::vector<double> q, BatchGradient gradient,
                                                BatchSnapshot snapshot);

// The whole network on this process (network's shape is the model's).
std::unique_ptr<SgdLattice> whole_network_lattice(Network& network, const Samples& samples, int batch,
                                                  std::vector<double> q);
// This process's block of a network split along its width over every process; q is the
// block's initial parameters, W (M, n, K) then b (M, n); the block's batches on `threads`
// threads (Network::set_threads; every process must give the same count).
std::unique_ptr<SgdLattice> width_split_lattice(const ModelConfig& config, const Samples& samples,
                                                std::vector<double> q, int threads);

// Refuses (ConfigError, one line) what a width-split run does not do: thread counts that
// differ between processes; for fields, more than one thread and what check_field_split
// refuses (run/field_split.hpp); for networks, the BBD variables and observers, blocks
// narrower than r, correlators of the weights.
void check_width_split(const ModelConfig& config, int threads);

}  // namespace nnfield
