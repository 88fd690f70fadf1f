// The whole network, or a process's block of its width, under SGD (src/run/sgd_lattice.hpp).
#include "run/sgd_lattice.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "nnfield/numerics/processes.hpp"
#include "run/field_split.hpp"
#include "run/split_output_row.hpp"
#include "run/width_blocks.hpp"

namespace nnfield {

namespace {

bool all_finite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

// A whole network's output row: its parameters and the first sample's neurons.
void network_snapshot(const NetworkShape& shape, const std::vector<double>& whole, const std::vector<double>& neurons,
                      Snapshot& s) {
  s.W = whole.data();
  s.b = s.W + shape.num_weights();
  s.neurons = neurons.data();
  s.lines = shape.M;
  s.width = shape.N;
}

class WholeNetwork final : public SgdLattice {
 public:
  WholeNetwork(Network& network, const Samples& samples, int batch, std::vector<double> q)
      : m_network(network),
        m_samples(samples),
        m_B(batch),
        m_q(std::move(q)),
        m_X(std::size_t(batch) * std::size_t(samples.N)),
        m_Y(m_X.size()),
        m_z(network.shape().num_biases()) {}

  std::vector<double>& q() override { return m_q; }
  std::vector<ValueRange> held() const override { return {{0, m_q.size()}}; }
  double gradient(const std::vector<int>& batch, std::vector<double>& grad) override {
    const std::size_t N = std::size_t(m_samples.N), nw = m_network.shape().num_weights();
    for (int s = 0; s < m_B; ++s) {
      const int at = batch[std::size_t(s)];
      std::copy(m_samples.x(at), m_samples.x(at) + N, m_X.begin() + std::ptrdiff_t(std::size_t(s) * N));
      std::copy(m_samples.y(at), m_samples.y(at) + N, m_Y.begin() + std::ptrdiff_t(std::size_t(s) * N));
    }
    return m_network.value_and_gradient(m_q.data(), m_q.data() + nw, m_X.data(), m_Y.data(), m_B, grad.data(),
                                        grad.data() + nw);
  }
  void whole_in_pieces(const ValuePiece& piece) override { piece(m_q.data(), m_q.size()); }
  std::size_t whole_size() const override { return m_network.shape().num_params(); }
  void snapshot(Snapshot& s) override {
    // The steps keep no hidden neurons (Network::keep_neurons): the same forward pass again.
    m_network.forward(m_q.data(), m_q.data() + m_network.shape().num_weights(), m_X.data(), m_B);
    m_network.neurons(0, m_z.data());
    network_snapshot(m_network.shape(), m_q, m_z, s);
  }
  bool stop_requested(const std::atomic<bool>* stop) override { return stop && stop->load(); }
  bool finite() override { return all_finite(m_q); }
  bool from_root(bool value) override { return value; }

 private:
  Network& m_network;
  const Samples& m_samples;
  int m_B;
  std::vector<double> m_q, m_X, m_Y, m_z;
};

// A process's block of a network split along its width; its output rows are measured on
// the blocks (split_output_row.hpp).
class WidthSplit final : public SplitLattice {
 public:
  WidthSplit(const ModelConfig& config, const Samples& samples, std::vector<double> q, int threads)
      : m_whole_shape(config.network.shape),
        m_network(m_whole_shape, config.network.activation, config.network.loss,
                  WidthHalo::split(m_whole_shape.N, m_whole_shape.r)),
        m_block(m_network.halo().block()),
        m_samples(samples),
        m_B(config.dynamics.batch),
        m_q(std::move(q)),
        m_X(std::size_t(m_B) * std::size_t(m_block.width)),
        m_Y(m_X.size()),
        m_z(m_network.shape().num_biases()),
        m_row(config, samples, m_block) {
    m_network.keep_neurons(false);
    m_network.set_threads(unsigned(std::max(0, threads)));
    if (m_q.size() != m_network.shape().num_params())
      throw std::logic_error("width split: the initial parameters are not the block's");
  }

  std::vector<double>& q() override { return m_q; }
  std::vector<ValueRange> held() const override {
    return block_ranges(m_whole_shape.N, m_whole_shape.M, {m_whole_shape.K(), 1}, m_block);
  }
  double gradient(const std::vector<int>& batch, std::vector<double>& grad) override {
    const std::size_t n = std::size_t(m_block.width), nw = m_network.shape().num_weights();
    for (int s = 0; s < m_B; ++s) {  // the block's columns of every sample
      const int at = batch[std::size_t(s)];
      std::copy_n(m_samples.x(at) + m_block.first, n, m_X.begin() + std::ptrdiff_t(std::size_t(s) * n));
      std::copy_n(m_samples.y(at) + m_block.first, n, m_Y.begin() + std::ptrdiff_t(std::size_t(s) * n));
    }
    return m_network.value_and_gradient(m_q.data(), m_q.data() + nw, m_X.data(), m_Y.data(), m_B, grad.data(),
                                        grad.data() + nw);
  }
  void whole_in_pieces(const ValuePiece& piece) override {
    const std::size_t nw = m_network.shape().num_weights();
    const int K = m_whole_shape.K(), M = m_whole_shape.M, N = m_whole_shape.N;
    // W's lines, then b's: the order of the whole parameters (and of gather_blocks's whole).
    pass_blocks_to_root(m_q.data(), N, M, K,
                        [&](int, const WidthBlock& b, const double* v) { piece(v, std::size_t(b.width * K)); });
    pass_blocks_to_root(m_q.data() + nw, N, M, 1,
                        [&](int, const WidthBlock& b, const double* v) { piece(v, std::size_t(b.width)); });
  }
  std::size_t whole_size() const override { return m_whole_shape.num_params(); }
  void snapshot(Snapshot& s) override;

 private:
  NetworkShape m_whole_shape;
  Network m_network;
  WidthBlock m_block;
  const Samples& m_samples;
  int m_B;
  std::vector<double> m_q, m_X, m_Y, m_z;
  SplitOutputRow m_row;
};

void WidthSplit::snapshot(Snapshot& s) {
  const std::size_t nw = m_network.shape().num_weights();
  m_network.forward(m_q.data(), m_q.data() + nw, m_X.data(), m_B);
  m_network.neurons(0, m_z.data());
  m_row.fill(m_q.data(), m_q.data() + nw, nullptr, m_z, s);
}

class OneProcess final : public SgdLattice {
 public:
  OneProcess(std::vector<double> q, BatchGradient gradient, BatchSnapshot snapshot)
      : m_q(std::move(q)), m_gradient(std::move(gradient)), m_snapshot(std::move(snapshot)) {}
  std::vector<double>& q() override { return m_q; }
  std::vector<ValueRange> held() const override { return {{0, m_q.size()}}; }
  double gradient(const std::vector<int>& batch, std::vector<double>& grad) override {
    m_batch = batch;
    return m_gradient(m_q.data(), batch, grad.data());
  }
  void whole_in_pieces(const ValuePiece& piece) override { piece(m_q.data(), m_q.size()); }
  std::size_t whole_size() const override { return m_q.size(); }
  void snapshot(Snapshot& s) override { m_snapshot(m_q.data(), m_batch, s); }
  bool stop_requested(const std::atomic<bool>* stop) override { return stop && stop->load(); }
  bool finite() override { return all_finite(m_q); }
  bool from_root(bool value) override { return value; }

 private:
  std::vector<double> m_q;
  BatchGradient m_gradient;
  BatchSnapshot m_snapshot;
  std::vector<int> m_batch;
};

}  // namespace

bool SplitLattice::stop_requested(const std::atomic<bool>* stop) {
  return !processes::on_all_processes(!(stop && stop->load()));
}

bool SplitLattice::finite() { return processes::on_all_processes(all_finite(q())); }

bool SplitLattice::from_root(bool value) {
  double v = value ? 1.0 : 0.0;
  processes::broadcast_values(0, &v, 1);
  return v != 0.0;
}

std::unique_ptr<SgdLattice> one_process_lattice(std::vector<double> q, BatchGradient gradient,
                                                BatchSnapshot snapshot) {
  return std::make_unique<OneProcess>(std::move(q), std::move(gradient), std::move(snapshot));
}

std::unique_ptr<SgdLattice> whole_network_lattice(Network& network, const Samples& samples, int batch,
                                                  std::vector<double> q) {
  return std::make_unique<WholeNetwork>(network, samples, batch, std::move(q));
}

std::unique_ptr<SgdLattice> width_split_lattice(const ModelConfig& config, const Samples& samples,
                                                std::vector<double> q, int threads) {
  return std::make_unique<WidthSplit>(config, samples, std::move(q), threads);
}

void check_width_split(const ModelConfig& config, int threads) {
  const std::string where = "mpirun -np " + std::to_string(processes::count()) + " nnfield run (width split, " +
                            "docs/cluster.md): ";
  // A split network's chunks of the batch exchange halos in chunk order (Network): every
  // process must cut its batch into the same chunks, so run on the same number of threads.
  if (processes::max_over_processes(double(threads)) != -processes::max_over_processes(-double(threads)))
    throw ConfigError(where + "--threads " + std::to_string(threads) +
                      " on this process and another count on another: give every process the same --threads");
  if (config.field.present) {
    if (threads != 1)
      throw ConfigError(where + "--threads " + std::to_string(threads) +
                        ": a split field run runs one thread per process; leave --threads out or give 1");
    return check_field_split(config, where);  // the field grid's width
  }
  // Gradient flow and damped dynamics split on any presentation, in either variables, with
  // the BBD observers (split_flow.hpp, split_bbd_row.hpp).
  const NetworkShape& s = config.network.shape;
  if (s.N / processes::count() < s.r)
    throw ConfigError(where + "network.N = " + std::to_string(s.N) + " leaves blocks of " +
                      std::to_string(s.N / processes::count()) + " columns, fewer than network.r = " +
                      std::to_string(s.r));
}

}  // namespace nnfield
