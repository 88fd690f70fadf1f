#include "nnfield/field/field_energy_flow.hpp"

#include <algorithm>
#include <cmath>

namespace nnfield {

FieldEnergyFlow::FieldEnergyFlow(FieldTheory& theory) : m_theory(theory), m_slots(theory.max_interval_nodes()) {
  const std::size_t nx = std::size_t(theory.nx()), ny = std::size_t(theory.ny()), ni = nx - 1;
  m_grad.resize(theory.num_params());
  for (auto* v : {&m_phi, &m_phi_dot, &m_adjoint, &m_density, &m_decay, &m_rate, &m_flux, &m_site_residual,
                  &m_site_scale})
    v->assign(nx * ny, 0.0);
  m_exchange.assign(ni * std::size_t(m_slots) * ny, 0.0);
  m_interval_residual.assign(ni, 0.0);
  m_interval_scale.assign(ni, 0.0);
  m_layer.assign(nx, 0.0);
}

std::vector<double> FieldEnergyFlow::exchange_nodes() const {
  const int ni = m_theory.nx() - 1;
  std::vector<double> out(std::size_t(ni) * std::size_t(m_slots), -1.0);
  for (int a = 0; a < ni; ++a) {
    const std::vector<int>& nodes = m_theory.interval_nodes(a);
    for (std::size_t s = 0; s < nodes.size(); ++s) out[std::size_t(a) * std::size_t(m_slots) + s] = nodes[s];
  }
  return out;
}

void FieldEnergyFlow::evaluate(const double* q, const double* v, const double* X, const double* Y, double gamma) {
  FieldTheory& th = m_theory;
  const std::size_t nx = std::size_t(th.nx()), ny = std::size_t(th.ny());
  th.gradient_with_exchange(q, v, X, Y, m_grad.data(), m_phi.data(), m_adjoint.data(), m_exchange.data());
  th.tangent(q, v, X, m_phi_dot.data());
  for (std::size_t i = 0; i < nx * ny; ++i) m_flux[i] = m_adjoint[i] * m_phi_dot[i];
  add_site_energies(v, Y, gamma);
  balance_sites(gamma);
  balance_intervals();
  sum_layers();
}

void FieldEnergyFlow::add_site_energies(const double* v, const double* Y, double gamma) {
  const FieldTheory& th = m_theory;
  const std::size_t nx = std::size_t(th.nx()), ny = std::size_t(th.ny()), K = std::size_t(th.K());
  const std::size_t last = nx - 1;
  const std::vector<double>& mass = th.mass();
  // Kinetic terms of one parameter: e += m v^2/2, D += m v^2, e' += m v q'' with the equation of motion.
  auto add_parameter = [&](std::size_t j, std::size_t site) {
    const double m = mass[j];
    if (m <= 0.0) return;  // frozen: never moves
    const double acc = -gamma * v[j] - m_grad[j] / m;
    m_density[site] += 0.5 * m * v[j] * v[j];
    m_decay[site] += m * v[j] * v[j];
    m_rate[site] += m * v[j] * acc;
  };
  std::fill(m_density.begin(), m_density.end(), 0.0);
  std::fill(m_decay.begin(), m_decay.end(), 0.0);
  std::fill(m_rate.begin(), m_rate.end(), 0.0);
  const double ry = th.settings().ry;
  const Loss loss = th.loss();
  for (std::size_t a = 0; a < nx; ++a)
    for (std::size_t b = 0; b < ny; ++b) {
      const std::size_t site = a * ny + b;
      for (std::size_t k = 0; k < K; ++k) add_parameter(th.w_offset() + site * K + k, site);
      add_parameter(th.beta_offset() + site, site);
      if (a == 0) {
        for (std::size_t k = 0; k < K; ++k) add_parameter(th.w_in_offset() + b * K + k, site);
        add_parameter(th.b_in_offset() + b, site);
      }
      if (a == last) {  // the 1D output theory: the loss and its rate along Z' from the tangent sweep
        const double Z = m_phi[site];
        m_density[site] += ry * loss_value(loss, Z, Y[b]);
        m_rate[site] += ry * loss_dZ(loss, Z, Y[b]) * m_phi_dot[site];
      }
    }
}

// Site balances: the exchange each node gives to the intervals that read it.
void FieldEnergyFlow::balance_sites(double gamma) {
  const FieldTheory& th = m_theory;
  const std::size_t nx = std::size_t(th.nx()), ny = std::size_t(th.ny());
  const std::size_t S = std::size_t(m_slots), last = nx - 1;
  std::vector<double> given(nx * ny, 0.0);
  std::vector<double> given_abs(nx * ny, 0.0);
  for (std::size_t a = 0; a + 1 < nx; ++a) {
    const std::vector<int>& nodes = th.interval_nodes(int(a));
    for (std::size_t s = 0; s < nodes.size(); ++s)
      for (std::size_t b = 0; b < ny; ++b) {
        const double x = m_exchange[(a * S + s) * ny + b];
        given[std::size_t(nodes[s]) * ny + b] += x;
        given_abs[std::size_t(nodes[s]) * ny + b] = std::max(given_abs[std::size_t(nodes[s]) * ny + b], std::fabs(x));
      }
  }
  for (std::size_t a = 0; a < nx; ++a)
    for (std::size_t b = 0; b < ny; ++b) {
      const std::size_t i = a * ny + b;
      double rhs = -gamma * m_decay[i] - given[i];
      double scale = std::max({std::fabs(m_rate[i]), gamma * m_decay[i], given_abs[i]});
      if (a == 0) rhs -= m_flux[i], scale = std::max(scale, std::fabs(m_flux[i]));
      if (a == last) rhs += m_flux[i], scale = std::max(scale, std::fabs(m_flux[i]));
      m_site_residual[i] = m_rate[i] - rhs;
      m_site_scale[i] = scale;
    }
}

// Interval balances: the current grows across an interval by the power its nodes give up.
void FieldEnergyFlow::balance_intervals() {
  const std::size_t nx = std::size_t(m_theory.nx()), ny = std::size_t(m_theory.ny()), S = std::size_t(m_slots);
  for (std::size_t a = 0; a + 1 < nx; ++a) {
    double in = 0.0, out = 0.0, power = 0.0, scale = 0.0;
    for (std::size_t b = 0; b < ny; ++b) {
      in += m_flux[a * ny + b];
      out += m_flux[(a + 1) * ny + b];
      scale = std::max({scale, std::fabs(m_flux[a * ny + b]), std::fabs(m_flux[(a + 1) * ny + b])});
    }
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t b = 0; b < ny; ++b) {
        const double x = m_exchange[(a * S + s) * ny + b];
        power += x;
        scale = std::max(scale, std::fabs(x));
      }
    m_interval_residual[a] = out - in - power;
    m_interval_scale[a] = scale;
  }
}

void FieldEnergyFlow::sum_layers() {
  const std::size_t nx = std::size_t(m_theory.nx()), ny = std::size_t(m_theory.ny());
  for (std::size_t a = 0; a < nx; ++a) {
    double sum = 0.0;
    for (std::size_t b = 0; b < ny; ++b) sum += m_density[a * ny + b];
    m_layer[a] = sum;
  }
}

}  // namespace nnfield
