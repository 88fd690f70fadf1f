#pragma once
// One instant of a training trajectory seen in BBD variables: the kinematics of every
// neuron (z, z', z''), the weights with their derivatives, the data and, when the
// energy flow is tracked, the time integrals of the densities. Filled by the
// dynamics (which know the accelerations); read by the BBD observers.
#include <cstddef>
#include <vector>

#include "nnfield/bbd/bbd_kinematics.hpp"

namespace nnfield {

struct BbdState {
  BbdKinematics kinematics;
  std::vector<double> W, Wd, Wdd, b, bd, bdd;  // (M,N,K) and (M,N)
  std::vector<double> X, Xd, Xdd, Y, Yd;       // (N): the presented sample
  std::vector<double> I;                       // ((M-1), N) time integrals; empty if not tracked
  double loss = 0.0;
  bool has_accelerations = false;

  // W, b and their derivatives from q = [W, b], v = q' and a = q'' (null: first-order
  // dynamics, no accelerations); nw weights, P parameters.
  void set_motion(const double* q, const double* v, const double* a, std::size_t nw, std::size_t P) {
    W.assign(q, q + nw);
    b.assign(q + nw, q + P);
    Wd.assign(v, v + nw);
    bd.assign(v + nw, v + P);
    if (a) {
      Wdd.assign(a, a + nw);
      bdd.assign(a + nw, a + P);
    } else {
      Wdd.clear();
      bdd.clear();
    }
    has_accelerations = a != nullptr;
  }
};

}  // namespace nnfield
