#pragma once
// The stability check of the truncated theory (docs/theory.md 4.3, 4.5; derivation in
// docs/field-limit.md section 4).
//
// Linearise the layer map about the current fields and freeze its coefficients at one
// link site: s_k = w_k sigma'(phi at the sending neuron of offset k-r), so that
// sum_k s_k = g, the gain. Substitute dphi ~ exp(lambda x/ax + i kappa y). The width
// shifts give the width symbol
//     G(kappa) = sum_k s_k E(i (k-r) ay kappa),   E = exp (exact, Fourier-space shift)
//                                                    or its Taylor sum to order p;
// the depth operator becomes a polynomial of degree p in lambda,
//     (i)  implicit forward form:  e_p(lambda)  - G = 0,
//     (ii) backward-Taylor form:   G e_p(-lambda) - 1 = 0,
// with e_p(z) = sum_{n=0}^p z^n/n!. The roots are the characteristic exponents per layer
// spacing: a perturbation grows by exp(Re lambda) per layer. The exact lattice map has the
// single root lambda = log G; every other root is spurious. The check is the largest Re
// lambda over the sites of a layer and the grid's width wavenumbers kappa_q = 2 pi q/Ly,
// q = 0..ny/2; physical growth is O(ax) (Re log g = ax c), so anything of order one is a
// spurious mode of the truncation.
#include <complex>
#include <vector>

#include "nnfield/config/config_choices.hpp"
#include "nnfield/data/continuum_data.hpp"

namespace nnfield {

// The forms (DepthForm, config_choices.hpp): implicit_forward and backward_taylor, the two
// expansions above. midpoint: the field solver's first-order depth ODE of order p
// (field_theory.hpp), one root, the log series of G to order p. exact: the lattice map,
// lambda = log G.
enum class WidthShift { exact, taylor };

// Above this max Re lambda (per layer spacing) the form is refused (docs/theory.md 4.3: "warn above
// ~0.05"; the physical root is ax c, measured 0.009 at p = 1, spurious roots are O(1)).
inline constexpr double stability_threshold = 0.05;

struct StabilitySettings {
  int p = 1;  // order of the depth truncation; p = 0 has no depth dynamics (no roots)
  DepthForm form = DepthForm::implicit_forward;
  WidthShift width = WidthShift::exact;
};

// Roots lambda of the depth polynomial for a width symbol G (p roots; none for p = 0).
std::vector<std::complex<double>> depth_symbol_roots(int p, DepthForm form, std::complex<double> G);
// Whether there is exactly one (the exact form; the midpoint form at p >= 1), and that root.
bool depth_symbol_has_one_root(int p, DepthForm form);
std::complex<double> depth_symbol_root(int p, DepthForm form, std::complex<double> G);

// G(kappa) for the K coefficients s[0..2r] of one site.
std::complex<double> width_symbol(const double* s, int r, double ay, double kappa, const StabilitySettings& settings);
// The K shift factors of width_symbol at kappa (E(i (k-r) ay kappa), k = 0..2r), and G from
// them: the factors depend on kappa alone, so a check over many sites computes them once per
// wavenumber (the same numbers as width_symbol's, bit for bit).
std::vector<std::complex<double>> width_shift_factors(int r, double ay, double kappa, const StabilitySettings& settings);
std::complex<double> width_symbol(const double* s, const std::complex<double>* factors, int K);

struct StabilityReport {
  std::vector<double> max_growth;  // per layer: max Re lambda over sites and wavenumbers (-inf for p = 0)
  std::vector<double> max_modulus;  // per layer: max |lambda| over sites and wavenumbers (0 for p = 0)
  double worst = 0.0;              // max over layers
  int worst_layer = -1;            // row of max_growth
  bool stable() const { return !(worst > stability_threshold); }
};

// Coefficients s (layers, n, K) row-major, the width lattice spacing ay (the shifts are
// by whole lattice neighbours) and the wavenumbers of a width grid of ny points on [0, Ly).
// The layers' sites in pieces on `threads` threads (0: the default, thread_count.hpp); with
// `shared_by_processes` every process of the program calls it with the same arguments (a
// collective call) and runs its share of the pieces, and the maxima are agreed among them.
// The report depends on neither the thread nor the process count (a maximum is exact).
StabilityReport depth_stability(const std::vector<double>& s, int layers, int n, int r, double ay, double Ly, int ny,
                                const StabilitySettings& settings, unsigned threads = 1,
                                bool shared_by_processes = false);

// The frozen coefficients of a network's bulk links m = 1..M-1, s_k[m,i] = W[m,i,k] sigma'(z^(m)_{i+k-r})
// (the entries of the layer Jacobian: sum_k s_k is link_gain): (M-1, N, K).
std::vector<double> link_coefficients(const NetworkShape& shape, Activation act, const double* W, const double* z);

// The check for a sampled network over the wavenumbers of a width grid of ny points
// (ny = N: the lattice's own, up to its Nyquist pi/ay). Row m-1 of max_growth is link m.
StabilityReport depth_stability(const SampledNetwork& net, Activation act, int ny, const StabilitySettings& settings);

}  // namespace nnfield
