#include "nnfield/field/field_stability.hpp"

#include <algorithm>
#include <cmath>

namespace nnfield {

std::vector<double> sample_phi_on_lines(const FieldTheory& t, const SmoothField& phi) {
  std::vector<double> v(std::size_t(t.nx()) * t.ny());
  for (int a = 0; a < t.nx(); ++a)
    for (int b = 0; b < t.ny(); ++b) v[std::size_t(a) * t.ny() + b] = phi(t.x(a), t.y(b));
  return v;
}

FieldStability field_stability(FieldTheory& t, const double* q, const double* phi, unsigned threads,
                               bool shared_by_processes) {
  const int nx = t.nx(), ny = t.ny(), r = t.r();
  const std::vector<double> s = t.link_coefficients(q, phi);
  StabilitySettings settings;
  settings.p = t.settings().p;
  settings.form = t.settings().form;  // exact or midpoint: the field solver's own form
  settings.width = WidthShift::exact;
  FieldStability out;
  out.symbol = depth_stability(s, nx, ny, r, t.ay(), t.lattice().Ly, ny, settings, threads, shared_by_processes);
  if (t.settings().form == DepthForm::exact) return out;  // one layer map per step: no integrator
  // max |hx lambda/ax| = (hx/ax) max |lambda|: rounding is monotone, so the same number as
  // the maximum of the products.
  const double ratio = t.hx() / t.ax();
  for (int a = 0; a < nx; ++a) out.max_step = std::max(out.max_step, ratio * out.symbol.max_modulus[std::size_t(a)]);
  out.recommended_substeps = std::max(1, int(std::ceil(out.max_step / 2.5)));
  return out;
}

}  // namespace nnfield
