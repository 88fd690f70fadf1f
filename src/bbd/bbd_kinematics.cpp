#include "nnfield/bbd/bbd_kinematics.hpp"

#include "nnfield/core/link_stencil.hpp"

namespace nnfield {

void BbdKinematics::resize(const NetworkShape& s) {
  if (s == shape && !z.empty()) return;
  shape = s;
  const std::size_t layers = std::size_t(s.M + 1) * s.N, links = s.num_weights(), sites = s.num_biases();
  for (auto* v : {&z, &zd, &zdd, &h, &hd, &hdd, &dsigma}) v->assign(layers, 0.0);
  for (auto* v : {&u, &ud}) v->assign(links, 0.0);
  for (auto* v : {&Ud, &Udd, &bd}) v->assign(sites, 0.0);
}

void bbd_forward_sweep(const NetworkShape& s, Activation act, const Motion& mo, BbdKinematics& k) {
  k.resize(s);
  const int M = s.M, N = s.N, K = s.K();
  const LinkStencil links(s);
  auto at = [](const double* p, std::size_t i) { return p ? p[i] : 0.0; };
  for (int i = 0; i < N; ++i) {  // layer 0: the input boundary
    k.z[std::size_t(i)] = k.h[std::size_t(i)] = mo.X[i];
    k.zd[std::size_t(i)] = k.hd[std::size_t(i)] = at(mo.Xd, std::size_t(i));
    k.zdd[std::size_t(i)] = k.hdd[std::size_t(i)] = at(mo.Xdd, std::size_t(i));
  }
  for (int m = 0; m < M; ++m) {
    const double* h = k.h.data() + std::size_t(m) * N;
    const double* hd = k.hd.data() + std::size_t(m) * N;
    const double* hdd = k.hdd.data() + std::size_t(m) * N;
    const std::size_t next = std::size_t(m + 1) * N;
    for (int i = 0; i < N; ++i) {
      const std::size_t bi = s.b_index(m, i);
      double z = mo.b[bi], Ud = 0.0, Udd = 0.0;
      for (int kk = 0; kk < K; ++kk) {
        const std::size_t w = s.w_index(m, i, kk);
        const std::size_t j = std::size_t(links.sender(i, kk));
        const double W = mo.W[w], Wd = at(mo.Wd, w), Wdd = at(mo.Wdd, w);
        z += W * h[j];
        k.u[w] = Wd * h[j] + W * hd[j];
        k.ud[w] = Wdd * h[j] + 2.0 * Wd * hd[j] + W * hdd[j];
        Ud += k.u[w];
        Udd += k.ud[w];
      }
      k.Ud[bi] = Ud;
      k.Udd[bi] = Udd;
      k.bd[bi] = at(mo.bd, bi);
      k.z[next + i] = z;
      k.zd[next + i] = k.bd[bi] + Ud;
      k.zdd[next + i] = at(mo.bdd, bi) + Udd;
    }
    if (m + 1 < M) {  // h^(m+1) and its derivatives; the output layer has no activation
      double* h1 = k.h.data() + next;
      double* s1 = k.dsigma.data() + next;
      double* s2 = k.hdd.data() + next;  // sigma'' first, overwritten with h'' below
      sigma_all(act, k.z.data() + next, h1, s1, s2, std::size_t(N));
      for (int i = 0; i < N; ++i) {
        const std::size_t p = next + std::size_t(i);
        const double zd = k.zd[p];
        k.hd[p] = s1[i] * zd;
        k.hdd[p] = s2[i] * zd * zd + s1[i] * k.zdd[p];
      }
    }
  }
}

}  // namespace nnfield
