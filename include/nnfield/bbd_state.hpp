#pragma once
// One instant of a training trajectory seen in BBD variables: the kinematics of every
// neuron (z, z', z''), the weights with their derivatives, the data and, when the
// energy flow is tracked, the time integrals of the densities. Filled by the
// dynamics (which know the accelerations); read by the BBD observers.
#include <vector>

#include "nnfield/bbd_kinematics.hpp"

namespace nnfield {

struct BbdState {
  BbdKinematics kinematics;
  std::vector<double> W, Wd, Wdd, b, bd, bdd;  // (M,N,K) and (M,N)
  std::vector<double> X, Xd, Xdd, Y, Yd;       // (N): the presented sample
  std::vector<double> I;                       // ((M-1), N) time integrals; empty if not tracked
  double loss = 0.0;
  bool has_accelerations = false;
};

}  // namespace nnfield
