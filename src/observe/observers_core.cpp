// The core observers: the trajectory and the energy balance (docs/theory.md section 6 names).
#include <algorithm>
#include <limits>
#include <memory>
#include <stdexcept>

#include "nnfield/core/network.hpp"
#include "nnfield/observe/observer.hpp"

namespace nnfield {

namespace {

class TrajectoryObserver final : public Observer {
 public:
  TrajectoryObserver(const NetworkShape& shape, const std::vector<TrajectoryDataset>& datasets, bool in_pieces)
      : m_shape(shape), m_datasets(datasets), m_in_pieces(in_pieces) {}

  void declare(SeriesSink& w) override {
    const std::size_t M = std::size_t(m_shape.M), N = std::size_t(m_shape.N), K = std::size_t(m_shape.K());
    m_time = w.add_series("/trajectory/time", {}, "T", "time t of each output row", time_values());
    m_step = w.add_series("/trajectory/step", {}, "T", "integrator steps (or SGD steps) taken so far",
                        integer_values());
    DatasetValues W_values;
    W_values.in_pieces = m_in_pieces;
    if (wants(TrajectoryDataset::W))
      m_W = w.add_series("/trajectory/W", {M, N, K}, "T,M,N,K", "weights W[m,i,k]", W_values);
    if (wants(TrajectoryDataset::b)) m_b = w.add_series("/trajectory/b", {M, N}, "T,M,N", "biases b[m,i]");
    if (wants(TrajectoryDataset::z))
      m_z = w.add_series("/trajectory/z", {M, N}, "T,M,N",
                         "neurons z^(m)_i, m = 1..M (row m-1), of the first presented sample");
    if (wants(TrajectoryDataset::loss))
      m_loss = w.add_series("/trajectory/loss", {}, "T", "loss of the presented data");
    if (wants(TrajectoryDataset::Wdot))
      m_Wdot = w.add_series("/trajectory/Wdot", {M, N, K}, "T,M,N,K", "weight velocities dW[m,i,k]/dt (damped)",
                            W_values);
    if (wants(TrajectoryDataset::bdot))
      m_bdot = w.add_series("/trajectory/bdot", {M, N}, "T,M,N", "bias velocities db[m,i]/dt (damped)");
  }

  void observe(const Snapshot& s, SeriesSink& w) override {
    const double step = double(s.step);
    w.append(m_time, &s.t);
    w.append(m_step, &step);
    if (m_W >= 0 && s.W_pieces)
      w.append_pieces(m_W, *s.W_pieces);
    else if (m_W >= 0)
      w.append(m_W, s.W);
    if (m_b >= 0) w.append(m_b, s.b);
    if (m_z >= 0) w.append(m_z, s.neurons);
    if (m_loss >= 0) w.append(m_loss, &s.loss);
    // The velocities are the parameters' (W then b, as the parameters), damped runs only.
    if ((m_Wdot >= 0 || m_bdot >= 0) && !s.v && !s.Wdot_pieces)
      throw std::invalid_argument("output.trajectory \"Wdot\", \"bdot\": the dynamics have no velocities");
    if (m_Wdot >= 0 && s.Wdot_pieces)
      w.append_pieces(m_Wdot, *s.Wdot_pieces);
    else if (m_Wdot >= 0)
      w.append(m_Wdot, s.v);
    if (m_bdot >= 0) w.append(m_bdot, s.bdot ? s.bdot : s.v + m_shape.num_weights());
  }

 private:
  bool wants(TrajectoryDataset d) const {
    return std::find(m_datasets.begin(), m_datasets.end(), d) != m_datasets.end();
  }
  NetworkShape m_shape;
  std::vector<TrajectoryDataset> m_datasets;
  bool m_in_pieces;
  int m_time = -1, m_step = -1, m_W = -1, m_b = -1, m_z = -1, m_loss = -1, m_Wdot = -1, m_bdot = -1;
};

class TrainLossObserver final : public Observer {
 public:
  TrainLossObserver(const NetworkShape& shape, Activation activation, Loss loss, const std::vector<double>& X,
                    const std::vector<double>& Y, int S)
      : m_shape(shape), m_activation(activation), m_loss(loss), m_X(X), m_Y(Y), m_S(S) {}
  void declare(SeriesSink& w) override {
    m_id = w.add_series("/trajectory/train_loss", {}, "T", "mean loss over all S training samples");
  }
  void observe(const Snapshot& s, SeriesSink& w) override {
    if (s.train_loss) {  // measured by a split network on its blocks
      w.append(m_id, s.train_loss);
      return;
    }
    if (!w.holds(m_id)) {  // dropped (compare's runs in memory): no network, no passes over the data set
      const double dropped = std::numeric_limits<double>::quiet_NaN();
      w.append(m_id, &dropped);
      return;
    }
    // Made at the first row that needs it: a split network's process 0 never holds its layers.
    if (!m_network) m_network = std::make_unique<Network>(m_shape, m_activation, m_loss);
    m_network->forward(s.W, s.b, m_X.data(), m_S);
    const double l = m_network->loss(m_Y.data());
    w.append(m_id, &l);
  }

 private:
  NetworkShape m_shape;
  Activation m_activation;
  Loss m_loss;
  std::unique_ptr<Network> m_network;
  const std::vector<double>& m_X;
  const std::vector<double>& m_Y;
  int m_S;
  int m_id = -1;
};

class EnergyObserver final : public Observer {
 public:
  explicit EnergyObserver(bool balance) : m_with_balance(balance) {}
  void declare(SeriesSink& w) override {
    m_total = w.add_series("/energy/total", {}, "T", "E = kinetic + potential");
    m_kinetic = w.add_series("/energy/kinetic", {}, "T",
                             "sum_j m_j q_j'^2 / 2: m = 1 on the network, the quadrature weights on a field grid "
                             "(0 for first-order dynamics)");
    m_potential = w.add_series("/energy/potential", {}, "T", "the loss");
    m_dissipated = w.add_series("/energy/dissipated", {}, "T",
                                "integral of the dissipation rate (gamma sum m q'^2, or eta sum |dl/dq|^2/m)");
    m_work = w.add_series("/energy/data_work", {}, "T", "integral of dl/dt at fixed parameters (moving data)");
    if (m_with_balance)
      m_balance = w.add_series("/energy/balance_residual", {}, "T",
                               "E(t) + dissipated(t) - data_work(t) - E(0): zero to integrator accuracy");
  }
  void observe(const Snapshot& s, SeriesSink& w) override {
    const double total = s.energy.total();
    if (w.rows(m_total) == 0) m_E0 = total;
    const double balance = total + s.energy.dissipated - s.energy.data_work - m_E0;
    w.append(m_total, &total);
    w.append(m_kinetic, &s.energy.kinetic);
    w.append(m_potential, &s.energy.potential);
    w.append(m_dissipated, &s.energy.dissipated);
    w.append(m_work, &s.energy.data_work);
    if (m_with_balance) w.append(m_balance, &balance);
  }
  std::vector<double> saved_state() const override { return {m_E0}; }
  void restore_state(const std::vector<double>& state) override { m_E0 = state.at(0); }

 private:
  bool m_with_balance;
  int m_total = -1, m_kinetic = -1, m_potential = -1, m_dissipated = -1, m_work = -1, m_balance = -1;
  double m_E0 = 0.0;
};

}  // namespace

std::unique_ptr<Observer> make_trajectory_observer(const NetworkShape& shape,
                                                   const std::vector<TrajectoryDataset>& datasets, bool in_pieces) {
  return std::make_unique<TrajectoryObserver>(shape, datasets, in_pieces);
}

std::unique_ptr<Observer> make_train_loss_observer(const NetworkShape& shape, Activation activation, Loss loss,
                                                   const std::vector<double>& X, const std::vector<double>& Y, int S) {
  return std::make_unique<TrainLossObserver>(shape, activation, loss, X, Y, S);
}

std::unique_ptr<Observer> make_energy_observer(bool balance) { return std::make_unique<EnergyObserver>(balance); }

}  // namespace nnfield
