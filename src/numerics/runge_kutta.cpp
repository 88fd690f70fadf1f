// The tableaus (include/nnfield/numerics/runge_kutta.hpp).
#include "nnfield/numerics/runge_kutta.hpp"

namespace nnfield {

const ExplicitRungeKutta& classical_rk4() {
  static const ExplicitRungeKutta rk4{{0.0, 0.5, 0.5, 1.0}, {0.0, 0.5, 0.5, 1.0}, {1.0, 2.0, 2.0, 1.0}, 6.0, 4};
  return rk4;
}

const ExplicitRungeKutta& forward_euler() {
  static const ExplicitRungeKutta euler{{0.0}, {0.0}, {1.0}, 1.0, 1};
  return euler;
}

}  // namespace nnfield
