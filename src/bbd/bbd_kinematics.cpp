#include "nnfield/bbd/bbd_kinematics.hpp"

#include <algorithm>

#include "nnfield/core/link_stencil.hpp"

namespace nnfield {

void BbdKinematics::resize(const NetworkShape& s) {
  if (s == shape && !z.empty()) return;
  shape = s;
  const std::size_t layers = std::size_t(s.M + 1) * s.N, links = s.num_weights(), sites = s.num_biases();
  for (auto* v : {&z, &zd, &zdd, &h, &hd, &hdd, &dsigma}) v->assign(layers, 0.0);
  for (auto* v : {&u, &ud}) v->assign(links, 0.0);
  for (auto* v : {&Ud, &Udd, &bd}) v->assign(sites, 0.0);
  rows.assign(3 * LinkStencil(s).row_stride(), 0.0);
  zero_links.assign(std::size_t(s.N) * std::size_t(s.K()), 0.0);
}

void bbd_forward_sweep(const NetworkShape& s, Activation act, const Motion& mo, BbdKinematics& k) {
  bbd_forward_sweep(s, act, mo, k, WidthHalo(s.N, s.r));
}

void bbd_forward_sweep(const NetworkShape& s, Activation act, const Motion& mo, BbdKinematics& k,
                       const WidthHalo& halo) {
  k.resize(s);
  const WidthBlock& block = halo.block();
  const int M = s.M, N = s.N;
  const LinkStencil links(s);
  const std::size_t P = links.row_stride();
  auto at = [](const double* p, std::size_t i) { return p ? p[i] : 0.0; };
  for (int i = 0; i < N; ++i) {  // layer 0: the input boundary
    k.z[std::size_t(i)] = k.h[std::size_t(i)] = mo.X[i];
    k.zd[std::size_t(i)] = k.hd[std::size_t(i)] = at(mo.Xd, std::size_t(i));
    k.zdd[std::size_t(i)] = k.hdd[std::size_t(i)] = at(mo.Xdd, std::size_t(i));
  }
  double* rows = k.rows.data();  // h, h', h'' of layer m, padded
  for (int m = 0; m < M; ++m) {
    const std::size_t here = std::size_t(m) * N, next = std::size_t(m + 1) * N;
    int row = 0;
    for (const std::vector<double>* layer : {&k.h, &k.hd, &k.hdd})
      std::copy_n(layer->data() + here, N, rows + P * std::size_t(row++) + s.r);
    halo.fill_ghosts(rows, 3, P);
    const std::size_t wm = s.w_index(m, 0, 0), bm = s.b_index(m, 0);
    const double* zero = k.zero_links.data();
    links.motion_row(mo.W + wm, mo.Wd ? mo.Wd + wm : zero, mo.Wdd ? mo.Wdd + wm : zero, mo.b + bm, rows, rows + P,
                     rows + 2 * P, k.z.data() + next, k.u.data() + wm, k.ud.data() + wm, k.Ud.data() + bm,
                     k.Udd.data() + bm);
    for (int i = 0; i < N; ++i) {  // z' = b' + U', z'' = b'' + U''
      const std::size_t bi = bm + std::size_t(i);
      k.bd[bi] = at(mo.bd, bi);
      k.zd[next + i] = k.bd[bi] + k.Ud[bi];
      k.zdd[next + i] = at(mo.bdd, bi) + k.Udd[bi];
    }
    if (m + 1 < M) {  // h^(m+1) and its derivatives; the output layer has no activation
      double* h1 = k.h.data() + next;
      double* s1 = k.dsigma.data() + next;
      double* s2 = k.hdd.data() + next;  // sigma'' first, overwritten with h'' below
      sigma_all_in_row(act, k.z.data() + next, h1, s1, s2, std::size_t(N), std::size_t(block.first),
                       std::size_t(block.N));
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
