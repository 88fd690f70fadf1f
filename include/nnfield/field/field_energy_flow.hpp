#pragma once
// Per-site energy bookkeeping of the field solver (docs/field-limit.md section 6, "Energy
// flow"): the field theory's counterpart of the network's BBD energy flow (bbd_energy.hpp).
//
// Sites are the grid nodes (a, b): line x_a, width node y_b. A site holds the kinetic
// energy of its link fields (the link leaving x_a at y_b; line 0 also holds the input link),
// and the output line holds the loss:
//   e(a, b) = 1/2 sum_{j in (a,b)} m_j v_j^2  [+ ry l(Z_b, Y_b) if a = nx-1]     sum e = E exactly
//   D(a, b) = sum_{j in (a,b)} m_j v_j^2                                          (gamma D: dissipation)
// The neurons carry the energy through the depth. The current through line a toward the
// output is the adjoint times the neurons' velocity,
//   Phi(a, b) = (dL/dphi_a)_b phi'_a(b),            Phi(nx-1, b) = ry dl_b/dZ_b Z'_b = d(ry l_b)/dt,
// and depth interval a (line a -> a+1) takes the power X(a, c, b) = (dL/dq_c)|_interval a . v_c
// from every node c its stages read (one node, c = a, for the exact form; the interpolation
// stencil for the midpoint form). With the equations of motion m q'' = -gamma m q' - dL/dq:
//   site      e'(a, b) = -gamma D(a, b) - sum_intervals X(., a, b) - [a = 0] Phi(0, b) + [a = nx-1] Phi(nx-1, b)
//   interval  sum_b Phi(a+1, b) - sum_b Phi(a, b) = sum_{c, b} X(a, c, b)
// The site balance closes because the intervals' powers add up to the gradient; the interval
// balance because the reverse sweep is the transpose of the tangent sweep (the energy the
// parameters give up arrives in the neurons' current). Fixed data: no boundary sources.
// For the exact form X(a, a, b) = g_a(b) v_a(b) is local in width too, so each site balances
// against its own line's currents like the lattice (with the sending-site convention).
#include <vector>

#include "nnfield/field/field_theory.hpp"

namespace nnfield {

class FieldEnergyFlow {
 public:
  explicit FieldEnergyFlow(FieldTheory& theory);

  // Everything at one instant of damped dynamics: parameters q, velocities v (num_params),
  // fixed data X, Y (ny), friction gamma.
  void evaluate(const double* q, const double* v, const double* X, const double* Y, double gamma);

  int interval_slots() const { return m_slots; }  // S: nodes per interval in exchange()
  const std::vector<double>& density() const { return m_density; }       // (nx, ny)
  const std::vector<double>& decay() const { return m_decay; }           // (nx, ny)
  const std::vector<double>& rate() const { return m_rate; }             // (nx, ny): e' from the motion
  const std::vector<double>& flux() const { return m_flux; }             // (nx, ny): Phi
  const std::vector<double>& exchange() const { return m_exchange; }     // (nx-1, S, ny): X
  const std::vector<double>& site_residual() const { return m_site_residual; }          // (nx, ny)
  const std::vector<double>& interval_residual() const { return m_interval_residual; }  // (nx-1)
  const std::vector<double>& layer() const { return m_layer; }           // (nx): sum_b e
  // The largest magnitude among each balance's terms (to make the residuals relative).
  const std::vector<double>& site_scale() const { return m_site_scale; }          // (nx, ny)
  const std::vector<double>& interval_scale() const { return m_interval_scale; }  // (nx-1)
  // The exchange nodes of every interval, padded with -1: (nx-1, S).
  std::vector<double> exchange_nodes() const;

 private:
  // The steps of evaluate() after the sweeps, in order: e, D and e' per site (kinetic
  // terms and the loss); the site balances; the interval balances; sum_b e per line.
  void add_site_energies(const double* v, const double* Y, double gamma);
  void balance_sites(double gamma);
  void balance_intervals();
  void sum_layers();

  FieldTheory& m_theory;
  int m_slots = 0;
  std::vector<double> m_grad, m_phi, m_phi_dot, m_adjoint;
  std::vector<double> m_density, m_decay, m_rate, m_flux, m_exchange, m_site_residual, m_interval_residual, m_layer,
      m_site_scale, m_interval_scale;
};

}  // namespace nnfield
