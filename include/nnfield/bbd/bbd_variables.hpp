#pragma once
// The point transformation (W, b) <-> (W, z) given the input X (BBD paper Eq. 6):
//   b[m,i] = z^(m+1)_i - sum_k W[m,i,k] h^(m)_{i+k-r},  h^(0) = X, h^(m) = sigma(z^(m)),
// with z^(1..M) stored as (M, N) (row m-1 holds z^(m); z^(M) = Z).
// Single sample: X has length N.
#include <vector>

#include "nnfield/core/activation.hpp"
#include "nnfield/core/shape.hpp"
#include "nnfield/core/width_halo.hpp"

namespace nnfield {

// z = the neurons of the network (W, b) on input X.
void to_bbd(const NetworkShape& shape, Activation act, const double* W, const double* b,
            const double* X, double* z);
// b from Eq. 6.
void from_bbd(const NetworkShape& shape, Activation act, const double* W, const double* z,
              const double* X, double* b);
// Velocities: b' = z'^(m+1) - sum_k (W' h + W h'),  h' = sigma'(z) z',  h'^(0) = X'.
void from_bbd_velocity(const NetworkShape& shape, Activation act, const double* W, const double* Wdot,
                       const double* z, const double* zdot, const double* X, const double* Xdot,
                       double* bdot);
// Both of the above in one sweep, without allocation after the first: b (and b' if Wdot,
// zdot are not null; Xdot null means a fixed input), on the columns `halo` holds (a split
// network's block, `shape` the block's; collective then: each layer's ghosts come from the
// neighbouring blocks). `scratch` is the sweep's.
void from_bbd_sweep(const NetworkShape& shape, Activation act, const double* W, const double* Wdot, const double* z,
                    const double* zdot, const double* X, const double* Xdot, double* b, double* bdot,
                    std::vector<double>& scratch, const WidthHalo& halo);
// z' = d/dt of the neurons along (W', b') and X' (the forward tangent sweep).
void to_bbd_velocity(const NetworkShape& shape, Activation act, const double* W, const double* Wdot,
                     const double* b, const double* bdot, const double* X, const double* Xdot,
                     double* zdot);

}  // namespace nnfield
