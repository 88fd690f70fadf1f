#pragma once
// The Lagrangian of Eq. 5 and its bulk-boundary decomposition (Eq. 7 corrected,
// docs/theory.md erratum 1), with U'^(m)_a = sum_k d/dt(W[m,a,k] h^(m)_{a+k-r}):
//   L_(5)      = 1/2 |W'|^2 + 1/2 |b'|^2 - l
//   L_bulk     = 1/2 sum_{m=0}^{M-1} |W'^(m)|^2 + 1/2 sum_{m=1}^{M} |z'^(m)|^2
//                - sum_{m=1}^{M-1} z'^(m+1) . U'^(m) + 1/2 sum_{m=1}^{M-1} |U'^(m)|^2
//   L_boundary = 1/2 |U'^(0)|^2 - z'^(1) . U'^(0) - l(Z, Y)
// (the printed Eq. 7 has coefficient 1, not 1/2, on |U'^(0)|^2).
#include "nnfield/bbd/bbd_kinematics.hpp"

namespace nnfield {

struct LagrangianParts {
  double bulk = 0.0, boundary = 0.0;
  double total = 0.0;  // Eq. 5 evaluated directly in (W, b)
};

// `k` from a forward sweep with velocities; Wd (M,N,K), bd (M,N) the parameter
// velocities; loss the value l(Z, Y).
LagrangianParts bbd_lagrangian(const BbdKinematics& k, const double* Wd, const double* bd, double loss);
// The same on the block of columns `halo` holds of a network split along its width (k, Wd,
// bd the block's): the sums over the width run through the blocks in width order, so every
// process gets the whole network's parts to the last bit (collective).
LagrangianParts bbd_lagrangian(const BbdKinematics& k, const double* Wd, const double* bd, double loss,
                               const WidthHalo& halo);

}  // namespace nnfield
