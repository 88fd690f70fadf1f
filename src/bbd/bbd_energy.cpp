#include "nnfield/bbd/bbd_energy.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "nnfield/core/link_stencil.hpp"

namespace nnfield {

namespace {
// Shares of a link layer's energy for its receiving and sending sites.
double receiving_share(int link_layer) { return link_layer == 0 ? 1.0 : 0.5; }
double sending_share(int link_layer) { return link_layer == 0 ? 0.0 : 0.5; }

// Link currents into every site: J (Eq. 22) for m >= 2, K_in (Eq. 27) for m = 1.
void link_currents(const NetworkShape& s, const LinkStencil& links, const BbdKinematics& k, const double* W,
                   std::vector<double>& current) {
  const int K = s.K();
  for (int m = 1; m <= s.M; ++m) {
    const int ml = m - 1;  // link layer feeding site layer m
    for (int i = 0; i < s.N; ++i) {
      const double zd = k.layer(k.zd, m, i), zdd = k.layer(k.zdd, m, i);
      const double Udd = k.Udd[s.b_index(ml, i)];
      for (int kk = 0; kk < K; ++kk) {
        const std::size_t w = s.w_index(ml, i, kk);
        const double hd_j = k.layer(k.hd, ml, links.sender(i, kk));
        current[w] = ml == 0 ? -(zdd - Udd) * W[w] * hd_j
                             : 0.5 * (zd * k.ud[w] - (zdd - Udd) * W[w] * hd_j);
      }
    }
  }
}

// What a site's balance reads besides its own velocity and time integral, on the window
// (bbd_energy.hpp): the shape, its kinematics, the weights and their derivatives and the
// link currents.
struct SiteInputs {
  const NetworkShape& s;
  const LinkStencil& links;
  const BbdKinematics& k;
  const double *W, *Wd, *Wdd;
  const std::vector<double>& current;
};

// One site's energy balance, its terms summed in the order of the equations
// (bbd_energy.hpp): density e, its rate e', decay D, the momentum p_z, the currents, and
// the largest magnitude among the terms.
struct SiteBalance {
  double e = 0.0, rate = 0.0, D = 0.0, pz = 0.0;
  double j_in = 0.0, j_out = 0.0, k_out = 0.0;
  double balance_terms = 0.0;
};

// In-links (receiving side): 1/2 W'^2 - z' U' + 1/2 U'^2, share s_r; p_z starts at b'.
void add_in_links(const SiteInputs& in, int m, int i, double zd, double zdd, SiteBalance& b) {
  const NetworkShape& s = in.s;
  const BbdKinematics& k = in.k;
  const int K = s.K(), link = m - 1;  // link layer into site layer m
  const double sr = receiving_share(link);
  const std::size_t bi = s.b_index(link, i);
  const double Ud = k.Ud[bi], Udd = k.Udd[bi], bd_in = k.bd[bi];
  double wd2 = 0.0, wdwdd = 0.0, pw_in = 0.0;
  for (int kk = 0; kk < K; ++kk) {
    const std::size_t w = s.w_index(link, i, kk);
    const double h_j = k.layer(k.h, link, in.links.sender(i, kk));
    wd2 += in.Wd[w] * in.Wd[w];
    wdwdd += in.Wd[w] * in.Wdd[w];
    pw_in += (in.Wd[w] - bd_in * h_j) * in.Wd[w];
    b.j_in += in.current[w];
    b.balance_terms = std::max(b.balance_terms, std::fabs(in.current[w]));
  }
  b.e += sr * (0.5 * wd2 - zd * Ud + 0.5 * Ud * Ud);
  b.rate += sr * (wdwdd - zdd * Ud - zd * Udd + Ud * Udd);
  b.D = sr * pw_in;
  b.pz = bd_in;
}

// Out-links (sending side, m < M): 1/2 W'^2 - z'^(m+1)_a u_{a,k}, share s_s, plus I.
void add_out_links(const SiteInputs& in, int m, int i, double I, SiteBalance& b) {
  const NetworkShape& s = in.s;
  const BbdKinematics& k = in.k;
  const int N = s.N, K = s.K(), link = m;  // link layer out of site layer m
  const double ss = sending_share(link);
  double pw_out = 0.0, e_out = 0.0, rate_out = 0.0, dI = 0.0;
  const double dsig = k.layer(k.dsigma, m, i);
  for (int kk = 0; kk < K; ++kk) {
    const int a = in.links.receiver(i, kk);
    const std::size_t w = s.w_index(link, a, kk), ba = s.b_index(link, a);
    const double zd_a = k.layer(k.zd, m + 1, a), zdd_a = k.layer(k.zdd, m + 1, a);
    e_out += 0.5 * in.Wd[w] * in.Wd[w] - zd_a * k.u[w];
    rate_out += in.Wd[w] * in.Wdd[w] - zdd_a * k.u[w] - zd_a * k.ud[w];
    pw_out += (in.Wd[w] - k.bd[ba] * k.h[std::size_t(m) * N + i]) * in.Wd[w];
    b.pz -= k.bd[ba] * in.W[w] * dsig;
    dI += k.u[w] * k.Udd[ba];
    b.j_out += in.current[w];
    b.balance_terms = std::max(b.balance_terms, std::fabs(in.current[w]));
  }
  b.e += ss * e_out + I;
  b.rate += ss * rate_out + ss * dI;
  b.D += ss * pw_out;
}

}  // namespace

EnergyFlow::EnergyFlow(NetworkShape shape, Loss loss) : EnergyFlow(shape, loss, WidthHalo(shape.N, shape.r)) {}

EnergyFlow::EnergyFlow(NetworkShape shape, Loss loss, const WidthHalo& halo)
    : m_shape(shape), m_window{shape.M, shape.N + 2 * shape.r, shape.r}, m_loss(loss), m_halo(halo) {
  const std::size_t sites = shape.num_biases();
  for (auto* v : {&m_density, &m_decay, &m_rate, &m_residual, &m_scale}) v->assign(sites, 0.0);
  m_current.assign(shape.num_weights(), 0.0);
  m_boundary_out.assign(std::size_t(shape.N), 0.0);
  m_layer.assign(std::size_t(shape.M), 0.0);
  m_win.resize(m_window);
  m_win_current.assign(m_window.num_weights(), 0.0);
}

void EnergyFlow::to_window(const std::vector<double>& columns, int lines, int cells,
                           std::vector<double>& window) const {
  const std::size_t c = std::size_t(cells), line = std::size_t(m_shape.N) * c;
  const std::size_t wline = std::size_t(m_window.N) * c, ghosts = std::size_t(m_shape.r) * c;
  window.resize(std::size_t(lines) * wline);
  for (std::size_t l = 0; l < std::size_t(lines); ++l)
    std::copy_n(columns.data() + l * line, line, window.data() + l * wline + ghosts);
  m_halo.fill_ghosts(window.data(), lines, wline, cells);
}

void EnergyFlow::fill_window(const BbdKinematics& k, const double* W, const double* Wd, const double* Wdd) {
  const int M = m_shape.M, K = m_shape.K();
  for (auto [from, to] : {std::pair{&k.z, &m_win.z}, {&k.zd, &m_win.zd}, {&k.zdd, &m_win.zdd}, {&k.h, &m_win.h},
                          {&k.hd, &m_win.hd}, {&k.dsigma, &m_win.dsigma}})
    to_window(*from, M + 1, 1, *to);
  for (auto [from, to] : {std::pair{&k.Ud, &m_win.Ud}, {&k.Udd, &m_win.Udd}, {&k.bd, &m_win.bd}})
    to_window(*from, M, 1, *to);
  to_window(k.u, M, K, m_win.u);
  to_window(k.ud, M, K, m_win.ud);
  const std::size_t nw = m_shape.num_weights();
  for (auto [from, to] : {std::pair{W, &m_W}, {Wd, &m_Wd}, {Wdd, &m_Wdd}}) {
    m_columns.assign(from, from + nw);
    to_window(m_columns, M, K, *to);
  }
}

void EnergyFlow::integral_rate(const BbdKinematics& k, double* dI) {
  const NetworkShape& s = m_window;
  const LinkStencil links(s);
  const int n = m_shape.N, K = s.K(), i0 = first_site();
  to_window(k.u, s.M, K, m_win.u);
  to_window(k.Udd, s.M, 1, m_win.Udd);
  for (int m = 1; m < s.M; ++m)  // senders in layer m, links of layer m
    for (int i = i0; i < i0 + n; ++i) {
      double acc = 0.0;
      for (int kk = 0; kk < K; ++kk) {
        const int a = links.receiver(i, kk);  // receiver whose in-link kk comes from i
        acc += m_win.u[s.w_index(m, a, kk)] * m_win.Udd[s.b_index(m, a)];
      }
      dI[std::size_t(m - 1) * n + std::size_t(i - i0)] = sending_share(m) * acc;
    }
}

void EnergyFlow::integral_jump(const BbdKinematics& before, const BbdKinematics& after, double* I) {
  const NetworkShape& s = m_window;
  const LinkStencil links(s);
  const int n = m_shape.N, K = s.K(), i0 = first_site();
  to_window(before.u, s.M, K, m_u_before);
  to_window(before.Ud, s.M, 1, m_Ud_before);
  to_window(after.u, s.M, K, m_win.u);
  to_window(after.Ud, s.M, 1, m_win.Ud);
  for (int m = 1; m < s.M; ++m)
    for (int i = i0; i < i0 + n; ++i) {
      double acc = 0.0;
      for (int kk = 0; kk < K; ++kk) {
        const int a = links.receiver(i, kk);
        const std::size_t w = s.w_index(m, a, kk), ba = s.b_index(m, a);
        acc += 0.5 * (m_u_before[w] + m_win.u[w]) * (m_win.Ud[ba] - m_Ud_before[ba]);
      }
      I[std::size_t(m - 1) * n + std::size_t(i - i0)] += sending_share(m) * acc;
    }
}

double EnergyFlow::time_integral_constant(const BbdKinematics& k) const {
  return m_halo.sum_over_lines(0.0, m_shape.M - 1, [&](double c, int line) {
    const int m = line + 1;
    for (int a = 0; a < m_shape.N; ++a) {
      const double U = k.Ud[m_shape.b_index(m, a)];
      c -= 0.25 * U * U;
    }
    return c;
  });
}

void EnergyFlow::evaluate(const BbdKinematics& k, const double* W, const double* Wd, const double* Wdd,
                          const double* Y, const double* Yd, const double* I, double gamma) {
  const NetworkShape& s = m_window;
  const LinkStencil links(s);
  const int M = s.M, n = m_shape.N, K = s.K(), i0 = first_site();
  fill_window(k, W, Wd, Wdd);
  link_currents(s, links, m_win, m_W.data(), m_win_current);
  const SiteInputs in{s, links, m_win, m_W.data(), m_Wd.data(), m_Wdd.data(), m_win_current};

  m_halo.sums_from_left(m_layer.data(), M);  // the layer totals of the blocks to the left
  for (int m = 1; m <= M; ++m)
    for (int c = 0; c < n; ++c) {
      const int i = i0 + c;  // the window's site of column c
      const std::size_t site = m_shape.b_index(m - 1, c);
      const double zd = m_win.layer(m_win.zd, m, i), zdd = m_win.layer(m_win.zdd, m, i);
      SiteBalance b;
      b.e = 0.5 * zd * zd;
      b.rate = zd * zdd;
      b.balance_terms = std::fabs(b.rate);
      add_in_links(in, m, i, zd, zdd, b);
      if (m < M) add_out_links(in, m, i, I ? I[std::size_t(m - 1) * n + std::size_t(c)] : 0.0, b);
      b.D += b.pz * zd;
      // Output sites: the loss and the boundary current K_out = -(dl/dY) Y'. Written out
      // here: as a helper, the compiler fused e' differently and its last bit changed.
      if (m == M) {
        const double Z = m_win.layer(m_win.z, M, i);
        b.e += loss_value(m_loss, Z, Y[c]);
        b.rate += loss_dZ(m_loss, Z, Y[c]) * zd + (Yd ? loss_dY(m_loss, Z, Y[c]) * Yd[c] : 0.0);
        b.k_out = Yd ? -loss_dY(m_loss, Z, Y[c]) * Yd[c] : 0.0;
        m_boundary_out[std::size_t(c)] = b.k_out;
      }
      m_density[site] = b.e;
      m_decay[site] = b.D;
      m_rate[site] = b.rate;
      m_residual[site] = b.rate - (-gamma * b.D + b.j_in - b.j_out - b.k_out);
      m_scale[site] = std::max({b.balance_terms, std::fabs(gamma * b.D), std::fabs(b.k_out)});
      m_layer[std::size_t(m - 1)] += b.e;
    }
  m_halo.sums_to_right(m_layer.data(), M);
  for (int m = 0; m < M; ++m)  // the columns' currents, out of the window
    for (int c = 0; c < n; ++c)
      std::copy_n(m_win_current.data() + s.w_index(m, i0 + c, 0), K, m_current.data() + m_shape.w_index(m, c, 0));
}

}  // namespace nnfield
