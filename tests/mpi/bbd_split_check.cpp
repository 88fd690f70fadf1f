// The BBD constructions on a network split along its width (docs/cluster.md, "The BBD picture
// on a split network"), run by tests/CMakeLists.txt on 1, 2 and 3 processes: on every process's
// block of columns, the kinematics sweep, Eq. 6 with its time derivative, the energy books
// (densities, currents, rates, residuals, layer totals, C0, the time integrals' rates and
// jumps) and the Lagrangian equal the whole network's bit for bit, at several widths, radii
// and activations (block edges and the seam; sites in the whole row's vector loop or its tail).
// Prints one line per failed check; exits 1 if any failed.
#include <string>
#include <vector>

#include "nnfield/bbd/bbd_energy.hpp"
#include "nnfield/bbd/bbd_kinematics.hpp"
#include "nnfield/bbd/bbd_lagrangian.hpp"
#include "nnfield/bbd/bbd_variables.hpp"
#include "nnfield/core/width_halo.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/numerics/rng.hpp"
#include "mpi_checks.hpp"

using namespace nnfield;

namespace {

using test::check;

std::vector<double> random_values(std::size_t n, double scale, Rng& rng) {
  std::vector<double> v(n);
  for (double& x : v) x = scale * rng.normal();
  return v;
}

// The block's columns of `lines` lines of N sites of `cells` values each.
std::vector<double> columns(const std::vector<double>& whole, int N, int lines, int cells, const WidthBlock& b) {
  std::vector<double> out;
  for (int l = 0; l < lines; ++l)
    for (int i = b.first; i < b.first + b.width; ++i)
      for (int c = 0; c < cells; ++c) out.push_back(whole[(std::size_t(l) * N + i) * cells + c]);
  return out;
}

void check_bbd(NetworkShape shape, Activation act) {
  const std::string name = "M = " + std::to_string(shape.M) + ", N = " + std::to_string(shape.N) +
                           ", r = " + std::to_string(shape.r) + ", " + activation_name(act);
  const int M = shape.M, N = shape.N, K = shape.K();
  Rng rng(3);
  const std::size_t nw = shape.num_weights(), nb = shape.num_biases();
  std::vector<double> W = random_values(nw, 0.6, rng), Wd = random_values(nw, 0.3, rng),
                      Wdd = random_values(nw, 0.3, rng), b = random_values(nb, 0.2, rng),
                      bd = random_values(nb, 0.2, rng), bdd = random_values(nb, 0.2, rng),
                      X = random_values(std::size_t(N), 1.0, rng), Xd = random_values(std::size_t(N), 0.5, rng),
                      Xdd = random_values(std::size_t(N), 0.5, rng), Y = random_values(std::size_t(N), 1.0, rng),
                      Yd = random_values(std::size_t(N), 0.5, rng),
                      I = random_values(std::size_t(M - 1) * N, 0.1, rng);
  BbdKinematics whole, before;  // `before`: another motion, for the integrals' jump
  bbd_forward_sweep(shape, act, {W.data(), Wd.data(), Wdd.data(), b.data(), bd.data(), bdd.data(), X.data(),
                                 Xd.data(), Xdd.data()}, whole);
  bbd_forward_sweep(shape, act, {W.data(), Wdd.data(), nullptr, b.data(), bdd.data(), nullptr, X.data(),
                                 Xdd.data(), nullptr}, before);
  EnergyFlow whole_flow(shape, Loss::mse);
  whole_flow.evaluate(whole, W.data(), Wd.data(), Wdd.data(), Y.data(), Yd.data(), I.data(), 0.7);
  std::vector<double> whole_rate(I.size()), whole_jump = I;
  whole_flow.integral_rate(whole, whole_rate.data());
  whole_flow.integral_jump(before, whole, whole_jump.data());
  const LagrangianParts whole_L = bbd_lagrangian(whole, Wd.data(), bd.data(), 0.25);
  std::vector<double> z(whole.z.begin() + N, whole.z.end()), zd(whole.zd.begin() + N, whole.zd.end());
  std::vector<double> whole_b(nb), whole_bd(nb), scratch;
  from_bbd_sweep(shape, act, W.data(), Wd.data(), z.data(), zd.data(), X.data(), Xd.data(), whole_b.data(),
                 whole_bd.data(), scratch, WidthHalo(N, shape.r));

  const WidthHalo halo = WidthHalo::split(N, shape.r);
  const WidthBlock& blk = halo.block();
  const NetworkShape bs{M, blk.width, shape.r};
  const auto cols = [&](const std::vector<double>& v, int lines, int cells) { return columns(v, N, lines, cells, blk); };
  const std::vector<double> pW = cols(W, M, K), pWd = cols(Wd, M, K), pWdd = cols(Wdd, M, K), pb = cols(b, M, 1),
                            pbd = cols(bd, M, 1), pbdd = cols(bdd, M, 1), pX = cols(X, 1, 1), pXd = cols(Xd, 1, 1),
                            pXdd = cols(Xdd, 1, 1), pY = cols(Y, 1, 1), pYd = cols(Yd, 1, 1), pI = cols(I, M - 1, 1);
  BbdKinematics part, part_before;
  bbd_forward_sweep(bs, act, {pW.data(), pWd.data(), pWdd.data(), pb.data(), pbd.data(), pbdd.data(), pX.data(),
                              pXd.data(), pXdd.data()}, part, halo);
  bbd_forward_sweep(bs, act, {pW.data(), pWdd.data(), nullptr, pb.data(), pbdd.data(), nullptr, pX.data(),
                              pXdd.data(), nullptr}, part_before, halo);
  check(part.z == cols(whole.z, M + 1, 1) && part.zd == cols(whole.zd, M + 1, 1) &&
            part.zdd == cols(whole.zdd, M + 1, 1) && part.u == cols(whole.u, M, K) && part.ud == cols(whole.ud, M, K),
        name + ": kinematics");
  EnergyFlow flow(bs, Loss::mse, halo);
  flow.evaluate(part, pW.data(), pWd.data(), pWdd.data(), pY.data(), pYd.data(), pI.data(), 0.7);
  check(flow.density() == cols(whole_flow.density(), M, 1) && flow.rate() == cols(whole_flow.rate(), M, 1) &&
            flow.residual() == cols(whole_flow.residual(), M, 1) && flow.decay() == cols(whole_flow.decay(), M, 1) &&
            flow.current() == cols(whole_flow.current(), M, K) &&
            flow.boundary_out() == cols(whole_flow.boundary_out(), 1, 1) && flow.layer() == whole_flow.layer(),
        name + ": energy books");
  check(flow.time_integral_constant(part) == whole_flow.time_integral_constant(whole), name + ": C0");
  std::vector<double> rate(pI.size()), jump = pI;
  flow.integral_rate(part, rate.data());
  flow.integral_jump(part_before, part, jump.data());
  check(rate == cols(whole_rate, M - 1, 1) && jump == cols(whole_jump, M - 1, 1), name + ": time integrals");
  const LagrangianParts L = bbd_lagrangian(part, pWd.data(), pbd.data(), 0.25, halo);
  check(L.bulk == whole_L.bulk && L.boundary == whole_L.boundary && L.total == whole_L.total, name + ": Lagrangian");
  const std::vector<double> pz = cols(z, M, 1), pzd = cols(zd, M, 1);
  std::vector<double> part_b(pz.size()), part_bd(pz.size());
  from_bbd_sweep(bs, act, pW.data(), pWd.data(), pz.data(), pzd.data(), pX.data(), pXd.data(), part_b.data(),
                 part_bd.data(), scratch, halo);
  check(part_b == cols(whole_b, M, 1) && part_bd == cols(whole_bd, M, 1), name + ": Eq. 6 and its derivative");
}

}  // namespace

int main(int argc, char** argv) {
  processes::start(argc, argv);
  check_bbd({4, 13, 1}, Activation::tanh);      // blocks 7, 6 and 5, 4, 4
  check_bbd({3, 13, 2}, Activation::sigmoid);
  check_bbd({3, 37, 3}, Activation::gelu);      // sigma'' through the vector kernels and the tail
  check_bbd({2, 41, 1}, Activation::softplus);
  check_bbd({3, 23, 4}, Activation::erf);       // r = 4: the stencil for any K
  return test::finish_checks("BBD split");
}
