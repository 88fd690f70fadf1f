#include "nnfield/field/depth_stability.hpp"

#include "nnfield/core/link_stencil.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "nnfield/field/depth_scheme.hpp"
#include "nnfield/numerics/linalg.hpp"
#include "nnfield/numerics/parallel_for.hpp"
#include "nnfield/numerics/processes.hpp"

namespace nnfield {

using C = std::complex<double>;

bool depth_symbol_has_one_root(int p, DepthForm form) {
  return form == DepthForm::exact || (form == DepthForm::midpoint && p > 0);
}

C depth_symbol_root(int p, DepthForm form, C G) {
  if (form == DepthForm::exact) return std::log(G);  // e^lambda = G: the lattice map itself
  // The field solver's depth ODE (field_theory.hpp): one root per ax, the scheme's own
  // linear symbol (midpoint_symbol, depth_scheme.hpp) for the orders it integrates (u,
  // u - u^2/2 + 3u^3/8, u - u^2/2 + u^3/3 - u^4/4 + u^5/6 for p = 1, 2, 3: the log series
  // of G = 1 + u to order p plus the form's own higher terms); beyond, the log series.
  const C u = G - 1.0;
  if (p <= 3) return midpoint_symbol(p, u);
  C lambda = 0.0, power = 1.0;
  for (int n = 1; n <= p; ++n) {
    power *= u;
    lambda += ((n % 2) ? 1.0 : -1.0) * power / double(n);
  }
  return lambda;
}

std::vector<C> depth_symbol_roots(int p, DepthForm form, C G) {
  if (p < 0) throw std::invalid_argument("depth_symbol_roots: negative order p");
  if (depth_symbol_has_one_root(p, form)) return {depth_symbol_root(p, form, G)};
  if (form == DepthForm::midpoint) return {};  // p = 0: no depth dynamics
  std::vector<C> a(std::size_t(p) + 1);
  double inv_factorial = 1.0;
  for (int n = 0; n <= p; ++n) {
    if (n > 0) inv_factorial /= n;
    if (form == DepthForm::implicit_forward)
      a[std::size_t(n)] = inv_factorial;                                // e_p(lambda) - G
    else
      a[std::size_t(n)] = G * ((n % 2) ? -inv_factorial : inv_factorial);  // G e_p(-lambda) - 1
  }
  a[0] -= (form == DepthForm::implicit_forward) ? G : C(1.0);
  // G = 0 in the backward form leaves no polynomial: no finite root (the symbol has no mode).
  if (std::abs(a[std::size_t(p)]) == 0.0) return {};
  return polynomial_roots(a);
}

std::vector<C> width_shift_factors(int r, double ay, double kappa, const StabilitySettings& st) {
  std::vector<C> factors(std::size_t(2 * r + 1));
  for (int k = 0; k <= 2 * r; ++k) {
    const double theta = (k - r) * ay * kappa;
    C& shift = factors[std::size_t(k)];
    if (st.width == WidthShift::exact) {
      shift = std::polar(1.0, theta);
    } else {  // Taylor shift of order p: sum_n (i theta)^n / n!
      C term = 1.0;
      shift = 1.0;
      for (int n = 1; n <= st.p; ++n) {
        term *= C(0.0, theta) / double(n);
        shift += term;
      }
    }
  }
  return factors;
}

C width_symbol(const double* s, const C* factors, int K) {
  C G = 0.0;
  for (int k = 0; k < K; ++k) G += s[k] * factors[k];
  return G;
}

C width_symbol(const double* s, int r, double ay, double kappa, const StabilitySettings& st) {
  return width_symbol(s, width_shift_factors(r, ay, kappa, st).data(), 2 * r + 1);
}

StabilityReport depth_stability(const std::vector<double>& s, int layers, int n, int r, double ay, double Ly, int ny,
                                const StabilitySettings& st, unsigned threads, bool shared_by_processes) {
  const int K = 2 * r + 1;
  if (s.size() != std::size_t(layers) * std::size_t(n) * std::size_t(K))
    throw std::invalid_argument("depth_stability: coefficient array is not (layers, n, K)");
  // The shift factors of every wavenumber kappa_q = 2 pi q/Ly, (ny/2 + 1, K).
  const std::size_t nq = std::size_t(ny / 2 + 1);
  std::vector<C> factors(nq * std::size_t(K));
  for (std::size_t q = 0; q < nq; ++q) {
    const std::vector<C> f = width_shift_factors(r, ay, 2.0 * M_PI * double(q) / Ly, st);
    std::copy(f.begin(), f.end(), factors.begin() + std::ptrdiff_t(q) * K);
  }
  // n (ny/2 + 1) symbols a layer, each a polynomial's roots: at n = ny = 1024 on 129 lines,
  // seconds, the largest part of a fine run's setup, and it grows like ny^2. Jobs of a
  // layer's sites in pieces of about 2^16 symbols, so that a few layers of a wide grid still
  // fill the threads; a split run's processes take a share of the jobs each.
  const std::size_t sites = std::size_t(n), lines = std::size_t(std::max(layers, 0));
  const std::size_t piece = std::max<std::size_t>(1, (std::size_t(1) << 16) / nq);
  const std::size_t pieces = (sites + piece - 1) / piece, jobs = lines * pieces;
  std::size_t first = 0, last = jobs;
  if (shared_by_processes) {
    const std::size_t P = std::size_t(processes::count()), p = std::size_t(processes::rank());
    first = jobs * p / P;
    last = jobs * (p + 1) / P;
  }
  const double lowest = -std::numeric_limits<double>::infinity();
  std::vector<double> job_growth(jobs, lowest), job_modulus(jobs, 0.0);
  parallel_for(last - first, threads, [&](std::size_t j, unsigned) {
    const std::size_t job = first + j, m = job / pieces, i0 = (job % pieces) * piece, i1 = std::min(sites, i0 + piece);
    double growth = lowest, modulus = 0.0;
    const auto include = [&](const C& lambda) {
      growth = std::max(growth, lambda.real());
      // |lambda| (hypot, costly) only where it may raise the maximum: a root whose squared
      // modulus is below (1 - 1e-12) of the maximum's square has a smaller |lambda|,
      // whatever the roundings.
      const double squared = lambda.real() * lambda.real() + lambda.imag() * lambda.imag();
      if (!(squared < modulus * modulus * (1.0 - 1e-12))) modulus = std::max(modulus, std::abs(lambda));
    };
    // The field's forms have one root a symbol: no vector of roots per symbol.
    const bool one_root = depth_symbol_has_one_root(st.p, st.form);
    for (std::size_t i = i0; i < i1; ++i) {
      const double* si = s.data() + (m * sites + i) * std::size_t(K);
      for (std::size_t q = 0; q < nq; ++q) {
        const C G = width_symbol(si, factors.data() + q * K, K);
        if (one_root) {
          include(depth_symbol_root(st.p, st.form, G));
        } else {
          for (const C& lambda : depth_symbol_roots(st.p, st.form, G)) include(lambda);
        }
      }
    }
    job_growth[job] = growth;
    job_modulus[job] = modulus;
  });
  // Each layer's maxima over its pieces, then over the processes (both exact).
  StabilityReport rep;
  rep.max_growth.assign(lines, lowest);
  rep.max_modulus.assign(lines, 0.0);
  for (std::size_t job = 0; job < jobs; ++job) {
    double& growth = rep.max_growth[job / pieces];
    double& modulus = rep.max_modulus[job / pieces];
    growth = std::max(growth, job_growth[job]);
    modulus = std::max(modulus, job_modulus[job]);
  }
  if (shared_by_processes) {
    std::vector<double> both = rep.max_growth;
    both.insert(both.end(), rep.max_modulus.begin(), rep.max_modulus.end());
    processes::max_over_processes(both.data(), both.size());
    std::copy_n(both.begin(), lines, rep.max_growth.begin());
    std::copy_n(both.begin() + std::ptrdiff_t(lines), lines, rep.max_modulus.begin());
  }
  // A maximum of 0 may be -0 or +0 depending on which tie came first: always +0.
  for (double& growth : rep.max_growth) growth += 0.0;
  rep.worst = -std::numeric_limits<double>::infinity();
  for (int m = 0; m < layers; ++m)
    if (rep.max_growth[std::size_t(m)] > rep.worst) rep.worst = rep.max_growth[std::size_t(m)], rep.worst_layer = m;
  return rep;
}

std::vector<double> link_coefficients(const NetworkShape& sh, Activation act, const double* W, const double* z) {
  const int K = sh.K();
  std::vector<double> s(std::size_t(std::max(sh.M - 1, 0)) * std::size_t(sh.N) * std::size_t(K));
  std::vector<double> ds(std::size_t(sh.N));
  const LinkStencil links(sh);
  for (int m = 1; m < sh.M; ++m) {
    const double* zm = z + std::size_t(m - 1) * sh.N;  // the sending layer z^(m)
    for (int j = 0; j < sh.N; ++j) ds[std::size_t(j)] = sigma_d1(act, zm[j]);
    for (int i = 0; i < sh.N; ++i)
      for (int k = 0; k < K; ++k)
        s[sh.w_index(m - 1, i, k)] = W[sh.w_index(m, i, k)] * ds[std::size_t(links.sender(i, k))];
  }
  return s;
}

StabilityReport depth_stability(const SampledNetwork& net, Activation act, int ny, const StabilitySettings& st) {
  const LatticeGeometry& l = net.lattice;
  const NetworkShape& sh = l.shape;
  const std::vector<double> s = link_coefficients(sh, act, net.W.data(), net.z.data());
  return depth_stability(s, sh.M - 1, sh.N, sh.r, l.ay(), l.Ly, ny, st);
}

}  // namespace nnfield
