// The field theory's geometry, parameter layout, stage table and kinetic-energy
// weights (include/nnfield/field/field_theory.hpp). The sweeps are in field_sweeps.cpp.
#include "nnfield/field/field_theory.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "nnfield/numerics/fornberg.hpp"

namespace nnfield {

namespace {

// The width nodes a theory holds, after the checks that make the settings well defined:
// all ny of them, or this process's block. Index shifts (ry = 1) read r ghosts from the
// neighbouring blocks; spectral shifts gather whole rows and read none.
WidthHalo checked_width(const LatticeGeometry& lattice, const FieldSettings& settings, bool split) {
  const NetworkShape& s = lattice.shape;
  if (s.M < 2) throw std::invalid_argument("field solver: needs M >= 2 (a bulk link)");
  if (settings.rx < 1 || settings.ry < 1 || s.N % settings.ry != 0)
    throw std::invalid_argument("field solver: need rx, ry >= 1 and N divisible by ry");
  if (s.N / settings.ry < s.K())
    throw std::invalid_argument("field solver: the width grid needs at least K = 2r+1 points");
  if (settings.form == DepthForm::exact && (settings.rx != 1 || settings.ry != 1))
    throw std::invalid_argument("field solver: the exact (lattice) shift needs rx = ry = 1");
  if (settings.q < 1 || settings.depth_substeps < 1)
    throw std::invalid_argument("field solver: need q >= 1 and depth_substeps >= 1");
  const int ny = s.N / settings.ry;
  return split ? WidthHalo::split(ny, settings.ry == 1 ? s.r : 0) : WidthHalo(ny, s.r);
}

}  // namespace

FieldTheory::FieldTheory(const LatticeGeometry& lattice, Activation activation, Loss loss,
                         const FieldSettings& settings, bool split_width)
    : m_lattice(lattice), m_activation(activation), m_loss(loss), m_settings(settings),
      m_halo(checked_width(lattice, settings, split_width)),
      m_scheme(make_depth_scheme(settings, lattice.ax(), std::size_t(m_halo.block().width))),
      m_nx(m_scheme->intervals(lattice.shape.M, settings.rx) + 1),
      m_ny(m_halo.block().width),
      m_shift(m_halo.block().N, lattice.shape.r, lattice.ay(), lattice.Ly, m_halo) {
  m_hx = (lattice.Lx - lattice.ax()) / (m_nx - 1);
  m_beta_offset = w_offset() + std::size_t(m_nx) * m_ny * K();

  const std::size_t n = std::size_t(m_ny), nk = n * std::size_t(K());
  for (auto* v : {&m_phi_line, &m_phi_line_bar, &m_sig, &m_dsig, &m_sigma_dot, &m_shifted_back, &m_betabar})
    v->assign(n, 0.0);
  for (auto* v : {&m_shifted, &m_shifted_d, &m_weighted_S_bar, &m_wbar}) v->assign(nk, 0.0);
  for (int side = 0; side < kLinkSides; ++side) {
    m_w[std::size_t(side)].assign(nk, 0.0), m_wd[std::size_t(side)].assign(nk, 0.0);
    m_beta[std::size_t(side)].assign(n, 0.0), m_betad[std::size_t(side)].assign(n, 0.0);
  }
  build_stages();
  m_stage_state.assign(m_stages.size() * n, 0.0);
}

FieldTheory::DepthSample FieldTheory::interpolation(double x) const {
  DepthSample s;
  const double t = (x - this->x(0)) / m_hx;  // position in node units
  const double nearest = std::round(t);
  // The last node the link fields interpolate from: on the lattice's own lines (rx = 1) the
  // output line carries no link, and a scheme may leave it out (depth_scheme.hpp).
  const int last = m_scheme->interpolates_output_line() || m_settings.rx > 1 ? m_nx - 1 : m_nx - 2;
  if (std::fabs(t - nearest) < 1e-12 && nearest >= 0 && nearest <= last) {
    s.nodes = {int(nearest)};
    s.weights = {1.0};
    return s;
  }
  const int n = std::min(m_settings.q + 1, last + 1);  // q+1 nodes: degree q
  int first = (n % 2 == 0) ? int(std::floor(t)) - (n / 2 - 1) : int(nearest) - n / 2;
  first = std::clamp(first, 0, last + 1 - n);
  std::vector<double> nodes;
  for (int j = 0; j < n; ++j) {
    s.nodes.push_back(first + j);
    nodes.push_back(double(first + j));
  }
  s.weights = fornberg_weights(t, nodes, 0);
  return s;
}

void FieldTheory::build_stages() {
  m_stages.clear();
  std::vector<double> omega(std::size_t(m_nx), 0.0);  // depth share of each node, units of hx
  auto credit = [&](const DepthSample& s, double share) {
    for (std::size_t j = 0; j < s.nodes.size(); ++j) omega[std::size_t(s.nodes[j])] += share * s.weights[j];
  };
  m_interval_nodes.assign(std::size_t(std::max(m_nx - 1, 0)), {});
  auto reads = [&](int a, const DepthSample& s) {
    std::vector<int>& nodes = m_interval_nodes[std::size_t(a)];
    for (int c : s.nodes)
      if (std::find(nodes.begin(), nodes.end(), c) == nodes.end()) nodes.push_back(c);
    std::sort(nodes.begin(), nodes.end());
  };
  const DepthScheme& scheme = *m_scheme;
  for (int a = 0; a + 1 < m_nx; ++a)
    for (int j = 0; j < scheme.stages(); ++j) {
      Stage st;
      st.x = x(a) + scheme.stage_depth(j, m_hx);
      for (int side = 0; side < kLinkSides; ++side) {
        if (!scheme.reads(LinkSide(side))) continue;
        st.side[std::size_t(side)] = interpolation(st.x - link_side_lag(LinkSide(side)) * ax());
        reads(a, st.side[std::size_t(side)]);
        const double weight = scheme.side_weight(LinkSide(side));
        if (weight != 0.0) credit(st.side[std::size_t(side)], scheme.stage_share(j) * weight);
      }
      m_stages.push_back(st);
    }
  const std::size_t n = std::size_t(m_ny), K_ = std::size_t(K());
  m_mass.assign(num_params(), 0.0);
  const double ry = m_settings.ry, rx = m_hx / ax();
  for (std::size_t j = 0; j < w_offset(); ++j) m_mass[j] = ry;  // the input link: one lattice link deep
  for (int a = 0; a < m_nx; ++a) {
    const double m = omega[std::size_t(a)] > 1e-14 ? rx * omega[std::size_t(a)] * ry : 0.0;
    if (omega[std::size_t(a)] < -1e-14)
      throw std::invalid_argument("interpolation degree q = " + std::to_string(m_settings.q) + " is too high for " +
                                  std::to_string(m_nx) + " depth lines (negative quadrature weight at line " +
                                  std::to_string(a) + "): lower field.q or field.rx");
    for (std::size_t j = 0; j < n * K_; ++j) m_mass[w_offset() + std::size_t(a) * n * K_ + j] = m;
    for (std::size_t j = 0; j < n; ++j) m_mass[beta_offset() + std::size_t(a) * n + j] = m;
  }
}

int FieldTheory::max_interval_nodes() const {
  std::size_t most = 0;
  for (const auto& nodes : m_interval_nodes) most = std::max(most, nodes.size());
  return int(most);
}

void FieldTheory::link_fields(const double* q, const DepthSample& s, double* w, double* beta) const {
  const std::size_t n = std::size_t(m_ny), nk = n * std::size_t(K());
  const double* W = q + w_offset();
  const double* B = q + beta_offset();
  if (s.nodes.size() == 1 && s.weights[0] == 1.0) {
    std::copy_n(W + std::size_t(s.nodes[0]) * nk, nk, w);
    std::copy_n(B + std::size_t(s.nodes[0]) * n, n, beta);
    return;
  }
  std::fill_n(w, nk, 0.0);
  std::fill_n(beta, n, 0.0);
  for (std::size_t j = 0; j < s.nodes.size(); ++j) {
    const double c = s.weights[j];
    const double* wa = W + std::size_t(s.nodes[j]) * nk;
    const double* ba = B + std::size_t(s.nodes[j]) * n;
    for (std::size_t i = 0; i < nk; ++i) w[i] += c * wa[i];
    for (std::size_t i = 0; i < n; ++i) beta[i] += c * ba[i];
  }
}

void FieldTheory::scatter_link_gradient(const DepthSample& s, const double* w_bar, const double* beta_bar,
                                        double* grad) const {
  const std::size_t n = std::size_t(m_ny), nk = n * std::size_t(K());
  double* W = grad + w_offset();
  double* B = grad + beta_offset();
  for (std::size_t j = 0; j < s.nodes.size(); ++j) {
    const double c = s.weights[j];
    double* wa = W + std::size_t(s.nodes[j]) * nk;
    double* ba = B + std::size_t(s.nodes[j]) * n;
    for (std::size_t i = 0; i < nk; ++i) wa[i] += c * w_bar[i];
    for (std::size_t i = 0; i < n; ++i) ba[i] += c * beta_bar[i];
  }
}

}  // namespace nnfield
