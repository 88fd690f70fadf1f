#pragma once
// Initial parameters of the field theory (include/nnfield/field/field_theory.hpp).
//
// From continuum data in BBD variables (docs/theory.md 4.1): the link fields w_k at the lattice
// spacing with the critical gain g = 1 + ax c (ContinuumData::weight, the same function
// the network samples), and the bias field beta from the form's *own* relation between
// phi and beta, so that the field theory's phi at t = 0 is the data's phi (to the depth
// integrator's precision) on every grid, as the network's z is. That matters: at fixed
// (w, beta) a forward error O(ax^p) in phi moves the adjoint by O(ax^(p-1)) (the gain
// shifts by sigma'' dphi per layer, docs/field-limit-sweeps.md), so a field theory started
// from the lattice's biases has an O(1) adjoint error at p = 1.
//
//   exact          beta(x) = phi(x + ax) - sum_k w_k sigma(phi(x, y + (k-r) ay))          (Eq. 6)
//   midpoint p = 1 beta(x) = phi + ax phi_x - sum_k w_k sigma(phi)(y + (k-r) ay)          (phi_x = f)
//   midpoint p = 2 the fixed point of beta(x - ax/2) = R(x; beta(x), beta(x - ax/2)) with
//                    R = ax phi_x + psi1 - sum_k w_k(x - ax/2) sigma(psi1)(y + (k-r) ay),
//                    psi1 = phi + (ax/4) f1 - (3/4)(S(psi0; x - ax/2) + beta(x - ax/2) - psi0),
//                    psi0 = phi - (ax/2) f1, ax f1 = sum_k w_k(x) sigma(phi)(..) + beta(x) - phi,
//                  i.e. phi_x = f(psi1, x - ax/2) holds for the data's phi (field_sweeps.cpp).
//                  Started from the implicit T_2 relation (consistent to O(ax^3)); R
//                  contracts smooth errors by O(ax), so two iterations leave O(ax^5); the
//                  dependence on beta(x - ax/2) itself is a fixed point iterated 12 times.
//   midpoint p = 3 beta(x - ax/2) from phi_x = (4/3) f(psi2; x - ax/2) - (1/6)(f(phi; x) + f(P_2; x - ax))
//                  (the nested right-hand side, depth_scheme_nested.cpp), which also reads
//                  beta(x) and beta(x - ax) with weight 1/8 each: those come from the level
//                  below, moved by the same correction as beta(x - ax/2), so smooth errors
//                  shrink by O(ax) per level; two levels above Eq. 6 (consistent to O(ax^5)).
//   midpoint p = 3 Eq. 6, the network's own biases: p = 3's right-hand side reproduces
//                  phi_x on every trajectory of the layer map to O(ax^4), and with Eq. 6 the
//                  data's phi is one from every depth, so phi is the data's to O(ax^4) and
//                  the adjoint to O(ax^3) (a fixed point in beta(x - ax/2) like p = 2's would
//                  read beta at x and x - ax with weight 1/8 each and contracts the lattice's
//                  high width modes by less than 1: it diverged on them).
// The input link: w_in from the data, b_in = phi(ax) - sum_k w_in_k X(y + (k-r) ay) with the
// solver's own width shift, so the input line is exact too.
#include <vector>

#include "nnfield/data/continuum_data.hpp"
#include "nnfield/field/field_theory.hpp"

namespace nnfield {

// f(x, y) at the grid's width nodes.
std::vector<double> sample_width(const SmoothField& f, double x, const FieldTheory& theory);

// Parameters q from continuum data; X (ny) is the input on the grid's width nodes.
std::vector<double> field_params_from_continuum(FieldTheory& theory, const ContinuumData& data,
                                                const std::vector<double>& X);
// The velocity of those parameters for data moving with phi_dot and w_dot (K fields,
// all offsets; the derived offset-0 field moves as given): the directional derivative
// of field_params_from_continuum (central difference in the direction, error O(eps^2)).
std::vector<double> field_velocity_from_continuum(FieldTheory& theory, const ContinuumData& data,
                                                  const std::vector<double>& X, const SmoothField& phi_dot,
                                                  const std::vector<SmoothField>& w_dot);

// Exact form only (the grid is the lattice): q from a network's W (M, N, K), b (M, N).
// The output line's link row (never read by the sweep) is zero.
std::vector<double> field_params_from_network(const FieldTheory& theory, const double* W, const double* b);
// And back: W, b of the network from q (the inverse map).
void network_from_field_params(const FieldTheory& theory, const double* q, double* W, double* b);

}  // namespace nnfield
