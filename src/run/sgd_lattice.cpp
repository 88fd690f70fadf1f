// The whole network, or a process's block of its width, under SGD (src/run/sgd_lattice.hpp).
#include "run/sgd_lattice.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "nnfield/config/toml_quote.hpp"
#include "nnfield/numerics/processes.hpp"

namespace nnfield {

namespace {

bool all_finite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
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
  void set_whole(const std::vector<double>& whole) override { m_q = whole; }
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
  const std::vector<double>& whole() override { return m_q; }
  const std::vector<double>& first_neurons() override {
    // The steps keep no hidden neurons (Network::keep_neurons): the same forward pass again.
    m_network.forward(m_q.data(), m_q.data() + m_network.shape().num_weights(), m_X.data(), m_B);
    m_network.neurons(0, m_z.data());
    return m_z;
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

// Copies `width` columns from `first` of `lines` rows of `cells`-value columns, from rows of
// from_width columns to rows of to_width columns (a block out of the whole, or back).
void copy_columns(const double* from, int from_width, int from_first, double* to, int to_width, int to_first,
                  int lines, int width, int cells) {
  const std::size_t c = std::size_t(cells);
  for (int m = 0; m < lines; ++m)
    std::copy_n(from + (std::size_t(m) * std::size_t(from_width) + std::size_t(from_first)) * c,
                std::size_t(width) * c, to + (std::size_t(m) * std::size_t(to_width) + std::size_t(to_first)) * c);
}

// The whole width on process 0 from every process's block, gathered in process order: each
// block holds arrays one after another, `lines` rows of its columns of cells[a] values
// each, and so does the whole (W: K cells, then b: 1). Empty elsewhere.
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

class WidthSplit final : public SgdLattice {
 public:
  WidthSplit(const ModelConfig& config, const Samples& samples, const std::vector<double>& q)
      : m_whole_shape(config.network.shape),
        m_network(m_whole_shape, config.network.activation, config.network.loss,
                  WidthHalo::split(m_whole_shape.N, m_whole_shape.r)),
        m_block(m_network.halo().block()),
        m_samples(samples),
        m_B(config.dynamics.batch),
        m_X(std::size_t(m_B) * std::size_t(m_block.width)),
        m_Y(m_X.size()),
        m_z(m_network.shape().num_biases()) {
    m_network.keep_neurons(false);
    set_whole(q);
  }

  std::vector<double>& q() override { return m_q; }
  void set_whole(const std::vector<double>& whole) override {
    // W (M, N, K) and b (M, N) of the whole network: this block's columns of each.
    const NetworkShape& s = m_whole_shape;
    const std::size_t nw = m_network.shape().num_weights();
    m_q.assign(m_network.shape().num_params(), 0.0);
    copy_columns(whole.data(), s.N, m_block.first, m_q.data(), m_block.width, 0, s.M, m_block.width, s.K());
    copy_columns(whole.data() + s.num_weights(), s.N, m_block.first, m_q.data() + nw, m_block.width, 0, s.M,
                 m_block.width, 1);
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
  const std::vector<double>& whole() override {
    gather_blocks(m_q, m_whole_shape.N, m_whole_shape.M, {m_whole_shape.K(), 1}, m_whole);
    return m_whole;
  }
  const std::vector<double>& first_neurons() override {
    m_network.forward(m_q.data(), m_q.data() + m_network.shape().num_weights(), m_X.data(), m_B);
    m_network.neurons(0, m_z.data());
    gather_blocks(m_z, m_whole_shape.N, m_whole_shape.M, {1}, m_neurons);
    return m_neurons;
  }
  bool stop_requested(const std::atomic<bool>* stop) override {
    return !processes::on_all_processes(!(stop && stop->load()));
  }
  bool finite() override { return processes::on_all_processes(all_finite(m_q)); }
  bool from_root(bool value) override {
    double v = value ? 1.0 : 0.0;
    processes::broadcast_values(0, &v, 1);
    return v != 0.0;
  }

 private:
  NetworkShape m_whole_shape;
  Network m_network;
  WidthBlock m_block;
  const Samples& m_samples;
  int m_B;
  std::vector<double> m_q, m_X, m_Y, m_z, m_whole, m_neurons;
};

}  // namespace

std::unique_ptr<SgdLattice> whole_network_lattice(Network& network, const Samples& samples, int batch,
                                                  std::vector<double> q) {
  return std::make_unique<WholeNetwork>(network, samples, batch, std::move(q));
}

std::unique_ptr<SgdLattice> width_split_lattice(const ModelConfig& config, const Samples& samples,
                                                const std::vector<double>& q) {
  return std::make_unique<WidthSplit>(config, samples, q);
}

void check_width_split(const ModelConfig& config, int threads) {
  const std::string where = "mpirun -np " + std::to_string(processes::count()) + " nnfield run (width split, " +
                            "docs/cluster.md): ";
  if (config.field.present) throw ConfigError(where + "field runs ([field]) are not split; run them without mpirun");
  if (config.dynamics.kind != DynamicsKind::sgd)
    throw ConfigError(where + "dynamics.kind = " + toml_quote(name(config.dynamics.kind)) +
                      " is not split (only \"sgd\"); run it without mpirun");
  if (config.dynamics.batch < 2)
    throw ConfigError(where + "dynamics.batch = 1: a split network needs batches of 2 samples or more");
  if (threads != 1)
    throw ConfigError(where + "--threads " + std::to_string(threads) +
                      ": a split network runs one thread per process; leave --threads out or give 1");
  const NetworkShape& s = config.network.shape;
  if (s.N / processes::count() < s.r)
    throw ConfigError(where + "network.N = " + std::to_string(s.N) + " leaves blocks of " +
                      std::to_string(s.N / processes::count()) + " columns, fewer than network.r = " +
                      std::to_string(s.r));
}

}  // namespace nnfield
