#include "nnfield/field/field_problem.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "nnfield/data/continuum_config.hpp"
#include "nnfield/config/toml_quote.hpp"
#include "nnfield/field/field_init.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"

namespace nnfield {

FieldSettings field_settings(const ModelConfig& config) {
  FieldSettings s;
  s.form = config.field.form;
  s.p = config.field.p;
  s.rx = config.field.rx;
  s.ry = config.field.ry;
  s.q = config.field.q > 0 ? config.field.q : 5;  // 0: automatic, from 5 (make_field_problem)
  s.depth_substeps = std::max(1, config.field.depth_substeps);
  return s;
}

namespace {

// How far a candidate grid's sweep at t = 0 is from the data, in units of what the automatic
// choices aim at: max |phi - phi_data| over the grid against 0.05 ax, and the output offset
// ||Z0 - phi_data(Lx)|| against kTargetOutputOffset of the misfit ||Y - phi_data(Lx)|| (when
// one is given). <= 1: good enough.
struct InitialError {
  double phi = 0.0, offset = 0.0;
  double badness(double ax) const {
    const double b = std::max(phi / (0.05 * ax), offset / kTargetOutputOffset);
    return std::isfinite(b) ? b : std::numeric_limits<double>::infinity();
  }
};

InitialError initial_error(FieldTheory& t, const std::vector<double>& q0, const std::vector<double>& X,
                           const std::vector<double>& phi_data, const std::vector<double>& misfit) {
  const std::size_t ny = std::size_t(t.ny()), last = phi_data.size() - ny;
  std::vector<double> phi(phi_data.size()), zeros(ny, 0.0);
  t.loss(q0.data(), X.data(), zeros.data(), phi.data());
  InitialError e;
  for (std::size_t i = 0; i < phi.size(); ++i) e.phi = std::max(e.phi, std::fabs(phi[i] - phi_data[i]));
  if (misfit.size() == ny) {
    double offset2 = 0.0, misfit2 = 0.0;
    for (std::size_t b = 0; b < ny; ++b) {
      const double d = phi[last + b] - phi_data[last + b];
      offset2 += d * d;
      misfit2 += misfit[b] * misfit[b];
    }
    if (misfit2 > 0.0) e.offset = std::sqrt(offset2 / misfit2);
  }
  if (!std::isfinite(e.phi)) e.phi = std::numeric_limits<double>::infinity();
  return e;
}

// Degree 7 needs room: its end stencils lower the quadrature weights of the lines next to
// the ends to 0.25 and turn one negative on 9 lines (docs/field-limit.md section 6).
constexpr int kMinLinesForDegree7 = 17;

// Substeps doubled from settings.depth_substeps on a coarse grid while that cuts the initial
// error (InitialError::badness) by a quarter and it is above its aim: the RK4 quadrature of
// the interpolated link fields errs like the interpolation itself and is amplified the same
// way (docs/field-limit.md section 6), so halving the step can halve the error.
std::unique_ptr<FieldTheory> refine_substeps(const LatticeGeometry& lattice, Activation activation, Loss loss,
                                             FieldSettings settings, const AutomaticFieldInputs& in,
                                             bool automatic, double& badness) {
  auto theory = std::make_unique<FieldTheory>(lattice, activation, loss, settings);
  badness = initial_error(*theory, in.q0, in.X, in.phi_data, in.misfit).badness(lattice.ax());
  while (automatic && theory->hx() > 1.5 * lattice.ax() && badness > 1.0 && settings.depth_substeps < 16) {
    FieldSettings finer = settings;
    finer.depth_substeps *= 2;
    auto candidate = std::make_unique<FieldTheory>(lattice, activation, loss, finer);
    const double b = initial_error(*candidate, in.q0, in.X, in.phi_data, in.misfit).badness(lattice.ax());
    if (!(b < 0.75 * badness)) break;
    settings = finer;
    theory = std::move(candidate);
    badness = b;
  }
  return theory;
}

// The response Z - Z0 leaves the field's initial offset from the network out; refuse a grid
// on which that offset is a sizeable part of the misfit (compare shows it as output(0)).
void check_output_offset(const ModelConfig& config, FieldProblem& pr, const std::vector<double>& phi_data) {
  const std::size_t ny = pr.Z0.size(), last = phi_data.size() - ny;
  double offset2 = 0.0, misfit2 = 0.0;
  for (std::size_t b = 0; b < ny; ++b) {
    const double d = pr.Z0[b] - phi_data[last + b], m = pr.Y[b] - pr.Z0[b];
    offset2 += d * d;
    misfit2 += m * m;
  }
  // No misfit (Y = Z0): nothing to train away, no scale to judge the offset by.
  pr.initial_output_offset = misfit2 > 0.0 ? std::sqrt(offset2 / misfit2) : std::numeric_limits<double>::quiet_NaN();
  if (!(pr.initial_output_offset > kMaxOutputOffset) || config.field.allow_unstable) return;
  std::ostringstream m;
  m << config.source_path << ": field: the grid is too coarse for M = " << config.network.shape.M
    << ": the field's output at t = 0 is off the data's by " << pr.initial_output_offset
    << " of the misfit (more than " << kMaxOutputOffset << "); lower field.rx/field.ry, raise field.q or "
    << "field.depth_substeps, or pass --allow-unstable";
  throw ConfigError(m.str());
}

// The row s of a (P, n) array.
std::vector<double> row_of(const std::vector<double>& a, int s, int n) {
  return std::vector<double>(a.begin() + std::ptrdiff_t(s) * n, a.begin() + std::ptrdiff_t(s + 1) * n);
}

// The targets of every sample (Z0_s: the field's own initial output on X_s, as the network's
// on its X_s) and the stream that presents them; pr.Y is the first presented sample's.
void attach_targets(const ModelConfig& config, const ContinuumDataSet& set, FieldProblem& pr) {
  FieldTheory& t = *pr.theory;
  const LatticeGeometry& lattice = t.lattice();
  const int ny = t.ny();
  Samples samples = pr.data->samples();
  std::vector<double> Z0(samples.X.size()), phi(std::size_t(t.nx()) * ny), zeros(std::size_t(ny), 0.0);
  for (int s = 0; s < samples.S; ++s) {
    t.loss(pr.q0.data(), samples.x(s), zeros.data(), phi.data());
    std::copy(phi.end() - ny, phi.end(), Z0.begin() + std::ptrdiff_t(s) * ny);
  }
  samples.Y = set.targets(Z0.data(), ny, lattice.Lx, lattice.Ly, lattice.ax());
  const int first = std::max(0, pr.data->presented(0.0));  // full_batch: sample 0, as the network
  pr.data = std::make_unique<DataStream>(std::move(samples), config.data, config.seed, grid_source_motion(config, t));
  pr.Y = row_of(pr.data->samples().Y, first, ny);
}

// The misfit the run starts from, before any grid is chosen: the first presented sample's
// target minus the data's phi(Lx) (the network's output at t = 0, which the BBD
// initialisation puts on the data), on the width nodes. Targets given relative to Z0 take
// phi_data(Lx) for it.
std::vector<double> data_misfit(const ContinuumDataSet& set, const LatticeGeometry& lattice, const DataStream& data,
                                const std::vector<double>& phi_data, int ny) {
  const std::size_t n = std::size_t(ny);
  const std::vector<double> phi_out(phi_data.end() - std::ptrdiff_t(n), phi_data.end());
  std::vector<double> Z0;
  for (int s = 0; s < data.samples().S; ++s) Z0.insert(Z0.end(), phi_out.begin(), phi_out.end());
  const std::vector<double> Y = set.targets(Z0.data(), ny, lattice.Lx, lattice.Ly, lattice.ax());
  const std::size_t first = std::size_t(std::max(0, data.presented(0.0)));
  std::vector<double> misfit(n);
  for (std::size_t b = 0; b < n; ++b) misfit[b] = Y[first * n + b] - phi_out[b];
  return misfit;
}

}  // namespace

std::unique_ptr<FieldTheory> theory_with_automatic_settings(const LatticeGeometry& lattice, Activation activation,
                                                            Loss loss, FieldSettings settings, bool automatic_q,
                                                            bool automatic_substeps, const AutomaticFieldInputs& in) {
  if (automatic_q) settings.q = 5;
  double badness = 0.0;
  auto theory = refine_substeps(lattice, activation, loss, settings, in, automatic_substeps, badness);
  if (automatic_q && theory->nx() >= kMinLinesForDegree7 && badness > 1.0) {
    settings.q = 7;
    double badness7 = 0.0;
    auto candidate = refine_substeps(lattice, activation, loss, settings, in, automatic_substeps, badness7);
    if (badness7 < 0.75 * badness) theory = std::move(candidate);
  }
  return theory;
}

SourceMotion grid_source_motion(const ModelConfig& config, const FieldTheory& t) {
  std::vector<double> y(std::size_t(t.ny()));
  for (int b = 0; b < t.ny(); ++b) y[std::size_t(b)] = t.y(b);
  return continuum_source_motion(config, std::move(y), t.ax());
}

FieldProblem make_field_problem(const ModelConfig& config, unsigned threads, bool shared_by_processes) {
  const std::string where = config.source_path + ": ";
  const LatticeGeometry lattice{config.network.shape, config.network.Lx, config.network.Ly};
  const ContinuumData data = continuum_data_from_config(config);
  const ContinuumBoundary boundary = continuum_boundary_from_config(config);
  const ContinuumDataSet set = continuum_data_set_from_config(config);
  FieldSettings settings = field_settings(config);
  FieldProblem pr;
  std::vector<double> phi_data;
  try {
    pr.theory = std::make_unique<FieldTheory>(lattice, config.network.activation, config.network.loss, settings);
    std::vector<double> y(std::size_t(pr.theory->ny()));
    for (int b = 0; b < pr.theory->ny(); ++b) y[std::size_t(b)] = pr.theory->y(b);
    pr.data = std::make_unique<DataStream>(Samples{set.P, pr.theory->ny(), set.inputs(y, lattice.ax()), {}},
                                           config.data, config.seed);
    pr.X = row_of(pr.data->samples().X, std::max(0, pr.data->presented(0.0)), pr.theory->ny());
    pr.q0 = field_params_from_continuum(*pr.theory, data, pr.X);
    phi_data = sample_phi_on_lines(*pr.theory, data.phi);
    pr.stability = field_stability(*pr.theory, pr.q0.data(), phi_data.data(), threads, shared_by_processes);
    if (config.field.depth_substeps == 0 || config.field.q == 0) {
      if (config.field.depth_substeps == 0) settings.depth_substeps = pr.stability.recommended_substeps;
      const std::vector<double> misfit = data_misfit(set, lattice, *pr.data, phi_data, pr.theory->ny());
      pr.theory = theory_with_automatic_settings(lattice, config.network.activation, config.network.loss, settings,
                                                 config.field.q == 0, config.field.depth_substeps == 0,
                                                 {pr.q0, pr.X, phi_data, misfit});
    }
  } catch (const std::invalid_argument& e) {
    throw ConfigError(where + "field: " + e.what());
  } catch (const std::domain_error& e) {
    throw ConfigError(where + "continuum: " + e.what());
  }
  const StabilityReport& st = pr.stability.symbol;
  if (!st.stable() && !config.field.allow_unstable) {
    std::ostringstream m;
    m << where << "field: the stability check refuses form " << toml_quote(name(config.field.form))
      << " at p = " << config.field.p << ": max Re lambda = " << st.worst << " per layer at depth x = " << pr.theory->x(st.worst_layer)
      << " (threshold " << stability_threshold << "); pass --allow-unstable to integrate anyway";
    throw ConfigError(m.str());
  }
  const int ny = pr.theory->ny();
  std::vector<double> phi(std::size_t(pr.theory->nx()) * ny), zeros(std::size_t(ny), 0.0);
  pr.theory->loss(pr.q0.data(), pr.X.data(), zeros.data(), phi.data());
  pr.Z0.assign(phi.end() - ny, phi.end());
  // The BBD initialisation puts every grid on the data's phi up to the depth interpolation's
  // error, which the near-identity layers amplify by hx^(q+1)/ax^2 (docs/field-limit.md
  // section 6). An error as large as ax (the weakly nonlinear signal) means the grid is too
  // coarse for this M: the dynamics would be about the interpolation, not the network.
  for (std::size_t i = 0; i < phi.size(); ++i)
    pr.initial_phi_error = std::max(pr.initial_phi_error, std::fabs(phi[i] - phi_data[i]));
  if (!(pr.initial_phi_error <= lattice.ax()) && !config.field.allow_unstable) {
    std::ostringstream m;
    m << where << "field: the grid is too coarse for M = " << lattice.shape.M << ": the field's phi at t = 0 misses the "
      << "data's by " << pr.initial_phi_error << " (more than ax = " << lattice.ax() << "); lower field.rx/field.ry, "
      << "raise field.q or field.depth_substeps (the usable coarsening grows like M^(1-2/(q+1)), "
      << "docs/theory.md 4.4), or pass --allow-unstable";
    throw ConfigError(m.str());
  }
  attach_targets(config, set, pr);
  check_output_offset(config, pr, phi_data);
  pr.misfit_scale = (!boundary.target_given && boundary.misfit_depth_scaled) ? lattice.ax() : 1.0;
  // Damped runs start at rest unless init.velocity = "continuum" (phi_dot, w_dot).
  if (config.dynamics.kind == DynamicsKind::damped && config.init.velocity == InitVelocity::continuum)
    pr.v0 = field_velocity_from_continuum(*pr.theory, data, pr.X, boundary.phi_dot, boundary.w_dot);
  return pr;
}

}  // namespace nnfield
