#pragma once
// Local consistency of the truncated field theory at order p (docs/theory.md 4.3, first bullet).
//
// Eq. 6 at a bulk link m (1 <= m <= M-1) reads
//     b[m,i] = phi((m+1) ax, y_i) - sum_k W[m,i,k] sigma(phi(m ax, y_i + (k-r) ay)).
// Its only depth-neighbour access is the receiving neuron. The well-posed implicit form
// (i) of docs/theory.md 4.3 expands it *forward* about the sending layer x = m ax,
//     T_p[phi](x; +ax) = sum_k w_k sigma(phi(x, y + (k-r) ay)) + beta_p,
//     T_p[f](x; h)     = sum_{n=0}^p h^n/n! d_x^n f(x, y),
// with the width shifts exact (phi evaluated at y + (k-r) ay) and w_k the link's own
// weights (weights and bias are parameters of the same link, so the weight is not a
// neighbour access of the bias). Then b - beta_p is the Taylor remainder of the receiving
// neuron, O(ax^(p+1)). The input link (m = 0) couples to X exactly in depth (docs/theory.md section 4),
// so it has no truncation and is not part of the measurement.
//
// Depth derivatives are the analytic ones of the smooth field (SmoothField::derivative),
// so the measured order is that of the truncation alone, not of a difference stencil.
#include <vector>

#include "nnfield/data/continuum_data.hpp"

namespace nnfield {

// beta_p at the bulk links m = 1..M-1 of a network sampled from `data`: (M-1, N), row m-1.
std::vector<double> implicit_forward_bias(const ContinuumData& data, const SampledNetwork& net, int p);

// max over bulk links and sites of |b[m,i] - beta_p[m,i]|.
double implicit_forward_residual(const ContinuumData& data, const SampledNetwork& net, int p);

}  // namespace nnfield
