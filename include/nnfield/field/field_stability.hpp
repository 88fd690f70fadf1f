#pragma once
// The stability check of the field solver (docs/theory.md 4.3, 4.5; docs/field-limit.md section 4):
// the frozen-coefficient symbol of its depth ODE at the current fields, over the width
// grid's wavenumbers, per depth line; and the RK4 step that symbol allows.
//
// Two different questions. (1) Is the truncated theory well posed here? max Re lambda per
// lattice spacing (depth_stability, form = midpoint or exact) must stay below
// stability_threshold: physical growth is O(ax), spurious growth O(1). (2) Is the depth
// integrator stable on this grid? An RK4 step of hx/n_sub multiplies a mode by
// e_4(z), z = (hx/n_sub) lambda/ax; |z| <= 2.5 keeps |e_4(z)| <= 1 on the negative real axis
// and near the imaginary axis (the boundary is at 2.79 and 2.83). Width modes up to the
// grid's Nyquist have |u| = |G - 1| up to ~ sum |s_k| (1 - cos(kappa ay)), so an unrefined width
// (ry = 1) with a coarse depth grid needs substeps ~ rx: coarsen both directions together.
#include "nnfield/field/depth_stability.hpp"
#include "nnfield/field/field_theory.hpp"
#include "nnfield/numerics/smooth_field.hpp"

namespace nnfield {

struct FieldStability {
  StabilityReport symbol;        // per depth line, max Re lambda (per ax)
  double max_step = 0.0;         // max |hx lambda / ax| over lines and wavenumbers (one step per interval)
  int recommended_substeps = 1;  // ceil(max_step / 2.5)
};

// At parameters q and neurons phi (nx, ny): coefficients s_k = w_k sigma'(phi). Before the
// first sweep phi is the data's (the BBD initialisation reproduces it), since a sweep with
// too few substeps is exactly what this is asked to prevent. The depth lines on `threads`
// threads (depth_stability): the same report for any thread count.
// shared_by_processes: every process calls it alike and computes a share (depth_stability).
FieldStability field_stability(FieldTheory& theory, const double* q, const double* phi, unsigned threads = 1,
                               bool shared_by_processes = false);
// phi of continuum data on the grid's lines (nx, ny).
std::vector<double> sample_phi_on_lines(const FieldTheory& theory, const SmoothField& phi);

}  // namespace nnfield
