// Observers of the bulk-boundary decomposition: energy flow per site and the
// Lagrangian's bulk/boundary split. They ask the dynamics for the BBD picture of
// the state (kinematics with accelerations) and measure; they never integrate. On a
// network split along its width the blocks measure (src/run/split_bbd_row.hpp) and the
// observers on process 0 write what Snapshot::bbd hands them.
#include <optional>
#include <stdexcept>

#include "nnfield/dynamics/bbd_coordinates.hpp"
#include "nnfield/bbd/bbd_energy.hpp"
#include "nnfield/bbd/bbd_lagrangian.hpp"
#include "nnfield/observe/observer.hpp"

namespace nnfield {

namespace {

void require_dynamics(const Snapshot& s, const char* what) {
  if (!s.dynamics || !s.state || !s.landscape)
    throw std::logic_error(std::string(what) + " needs continuous dynamics of the network");
}

class EnergyFlowObserver final : public Observer {
 public:
  EnergyFlowObserver(const NetworkShape& shape, Loss loss, double gamma, bool in_pieces)
      : m_shape(shape), m_loss(loss), m_gamma(gamma), m_in_pieces(in_pieces) {}

  void declare(SeriesSink& w) override {
    const std::size_t M = std::size_t(m_shape.M), N = std::size_t(m_shape.N), K = std::size_t(m_shape.K());
    DatasetValues current_values = rate_values();
    current_values.in_pieces = m_in_pieces;
    m_density = w.add_series("/energy/density", {M, N}, "T,M,N", "site energy e^(m)_i, m = 1..M (row m-1)");
    m_decay = w.add_series("/energy/decay", {M, N}, "T,M,N", "decay D_(i,m); the site loses gamma D");
    m_current = w.add_series("/energy/current", {M, N, K}, "T,M,N,K",
                             "current into z^(m)_i from its k-th in-link (m = 1: K_in from X_(i+k-r))",
                             current_values);
    m_boundary_in = w.add_series("/energy/boundary_in", {N, K}, "T,N,K", "input boundary current K_in (Eq. 27)", rate_values());
    m_boundary_out = w.add_series("/energy/boundary_out", {N}, "T,N",
                                  "output boundary current K_out = -(dl/dY) Y' (Eq. 32 corrected)", rate_values());
    m_rate = w.add_series("/energy/rate", {M, N}, "T,M,N", "e' from the motion", rate_values());
    m_residual = w.add_series("/energy/continuity_residual", {M, N}, "T,M,N",
                              "e' - (-gamma D + sum J_in - sum J_out - K_out)", rate_values());
    m_layer = w.add_series("/energy/layer", {M}, "T,M", "sum_i e^(m)_i per layer");
  }

  void observe(const Snapshot& s, SeriesSink& w) override {
    if (s.bbd) {  // measured on the blocks of a split network
      const BbdRowMeasures& b = *s.bbd;
      if (!b.density || !b.current) throw std::logic_error("the energy-flow observer: the split row has no flow");
      write(w, b);
      w.append_pieces(m_current, *b.current);
      return;
    }
    require_dynamics(s, "the energy-flow observer");
    bbd_state_of(*s.dynamics, *s.landscape, *s.state, s.t, m_state);
    if (m_state.I.size() != std::size_t(m_shape.M - 1) * std::size_t(m_shape.N))
      throw std::logic_error("the energy-flow observer needs dynamics built with track_energy_flow");
    if (!m_flow) m_flow.emplace(m_shape, m_loss);  // not on a split run's process 0: the whole W's size
    EnergyFlow& f = *m_flow;
    const BbdState& b = m_state;
    f.evaluate(b.kinematics, b.W.data(), b.Wd.data(), b.Wdd.data(), b.Y.data(), b.Yd.data(), b.I.data(), m_gamma);
    BbdRowMeasures row;
    row.density = f.density().data();
    row.decay = f.decay().data();
    row.rate = f.rate().data();
    row.residual = f.residual().data();
    row.boundary_in = f.current().data();  // layer-1 in-links are the boundary
    row.boundary_out = f.boundary_out().data();
    row.layer = f.layer().data();
    if (w.rows(m_density) == 0) row.C0 = f.time_integral_constant(b.kinematics);
    write(w, row);
    w.append(m_current, f.current().data());
  }

 private:
  // Everything but the currents.
  void write(SeriesSink& w, const BbdRowMeasures& row) {
    if (w.rows(m_density) == 0)  // the time integrals start at 0 here: sum e = E + C0
      w.set_root_attribute("bbd_C0", row.C0);
    w.append(m_density, row.density);
    w.append(m_decay, row.decay);
    w.append(m_boundary_in, row.boundary_in);
    w.append(m_boundary_out, row.boundary_out);
    w.append(m_rate, row.rate);
    w.append(m_residual, row.residual);
    w.append(m_layer, row.layer);
  }

  NetworkShape m_shape;
  Loss m_loss;
  double m_gamma;
  bool m_in_pieces;
  std::optional<EnergyFlow> m_flow;
  BbdState m_state;
  int m_density = -1, m_decay = -1, m_current = -1, m_boundary_in = -1, m_boundary_out = -1, m_rate = -1,
      m_residual = -1, m_layer = -1;
};

class LagrangianObserver final : public Observer {
 public:
  void declare(SeriesSink& w) override {
    m_bulk = w.add_series("/lagrangian/bulk", {}, "T", "L_bulk (Eq. 7, data independent)");
    m_boundary = w.add_series("/lagrangian/boundary", {}, "T", "L_boundary (Eq. 7 with coefficient 1/2)");
    m_total = w.add_series("/lagrangian/total", {}, "T", "L of Eq. 5 in (W, b)");
  }
  void observe(const Snapshot& s, SeriesSink& w) override {
    LagrangianParts L;
    if (s.bbd) {  // measured on the blocks of a split network
      if (!s.bbd->has_lagrangian) throw std::logic_error("the Lagrangian observer: the split row has no Lagrangian");
      L = s.bbd->lagrangian;
    } else {
      require_dynamics(s, "the Lagrangian observer");
      bbd_state_of(*s.dynamics, *s.landscape, *s.state, s.t, m_state);
      L = bbd_lagrangian(m_state.kinematics, m_state.Wd.data(), m_state.bd.data(), m_state.loss);
    }
    w.append(m_bulk, &L.bulk);
    w.append(m_boundary, &L.boundary);
    w.append(m_total, &L.total);
  }

 private:
  BbdState m_state;
  int m_bulk = -1, m_boundary = -1, m_total = -1;
};

}  // namespace

std::unique_ptr<Observer> make_energy_flow_observer(const NetworkShape& shape, Loss loss, double gamma,
                                                    bool in_pieces) {
  return std::make_unique<EnergyFlowObserver>(shape, loss, gamma, in_pieces);
}

std::unique_ptr<Observer> make_lagrangian_observer() { return std::make_unique<LagrangianObserver>(); }

}  // namespace nnfield
