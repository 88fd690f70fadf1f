// The BBD measures of a width-split network's output row (src/run/split_bbd_row.hpp).
#include "run/split_bbd_row.hpp"

#include <stdexcept>

#include "nnfield/dynamics/bbd_coordinates.hpp"
#include "nnfield/numerics/processes.hpp"
#include "run/split_output_row.hpp"
#include "run/width_blocks.hpp"

namespace nnfield {

SplitBbdRow::SplitBbdRow(const ModelConfig& config, LossLandscape& landscape)
    : m_landscape(landscape),
      m_shape(config.network.shape),
      m_energy_flow(config.observe.energy_flow),
      m_lagrangian(config.observe.lagrangian),
      m_gamma(config.dynamics.gamma) {
  Network& network = landscape.network();
  if (m_energy_flow) m_flow.emplace(network.shape(), network.loss_kind(), network.halo());
}

void SplitBbdRow::measure(TrainingDynamics& dynamics, const State& x, double t, Snapshot& s) {
  if (!wanted()) return;
  const WidthHalo& halo = m_landscape.network().halo();
  const int M = m_shape.M, N = m_shape.N, K = m_shape.K(), n = halo.block().width;
  bbd_state_of(dynamics, m_landscape, x, t, m_state);  // the block's kinematics
  const BbdState& b = m_state;
  m_measures = BbdRowMeasures{};
  if (m_lagrangian) {
    m_measures.lagrangian = bbd_lagrangian(b.kinematics, b.Wd.data(), b.bd.data(), b.loss, halo);
    m_measures.has_lagrangian = true;
  }
  if (m_energy_flow) {
    if (b.I.size() != std::size_t(M - 1) * std::size_t(n))
      throw std::logic_error("split energy flow: the dynamics carry no block of the time integrals");
    EnergyFlow& f = *m_flow;
    f.evaluate(b.kinematics, b.W.data(), b.Wd.data(), b.Wdd.data(), b.Y.data(), b.Yd.data(), b.I.data(), m_gamma);
    m_measures.C0 = f.time_integral_constant(b.kinematics);  // used by the first row only
    gather_blocks(f.density(), N, M, {1}, m_density);
    gather_blocks(f.decay(), N, M, {1}, m_decay);
    gather_blocks(f.rate(), N, M, {1}, m_rate);
    gather_blocks(f.residual(), N, M, {1}, m_residual);
    gather_blocks(f.boundary_out(), N, 1, {1}, m_boundary_out);
    const std::vector<double> first_layer(f.current().begin(), f.current().begin() + std::ptrdiff_t(n * K));
    gather_blocks(first_layer, N, 1, {K}, m_boundary_in);  // layer-1 in-links are the boundary
    m_current = weight_pieces(f.current().data(), N, M, K);
    m_measures.density = m_density.data();
    m_measures.decay = m_decay.data();
    m_measures.rate = m_rate.data();
    m_measures.residual = m_residual.data();
    m_measures.boundary_in = m_boundary_in.data();
    m_measures.boundary_out = m_boundary_out.data();
    m_measures.layer = f.layer().data();  // every process has the totals
    m_measures.current = &m_current;
  }
  if (processes::is_root()) s.bbd = &m_measures;
}

void SplitBbdRow::pass_pieces() {
  if (m_energy_flow && !processes::is_root())
    pass_blocks_to_root(m_flow->current().data(), m_shape.N, m_shape.M, m_shape.K(), {});
}

}  // namespace nnfield
