#pragma once
// What a field-solver run writes besides the observers common to both lattices
// (docs/output-schema.md, "Field runs"): the grid and the boundary data once, and per
// output row the fields, the output response and the adjoint, the gain with the regime
// check, and (damped) the per-site energy flow. Measure through FieldTheory, write through
// a SeriesSink; the rows come from the Snapshot the run loop fills (observer.hpp).
#include <memory>

#include "nnfield/config/config.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/io/series_sink.hpp"
#include "nnfield/observe/observer.hpp"
#include "nnfield/observe/regime_monitor.hpp"

namespace nnfield {

// Root attributes (geometry, settings, stability verdict) and /grid, /data.
void write_field_static(SeriesSink& sink, const FieldProblem& problem, const ModelConfig& config);

// /trajectory/time, step and the `datasets` (output.trajectory) of loss, Z, response, phi, w,
// beta, w_in, b_in, adjoint and (damped runs) w_dot, beta_dot, w_in_dot, b_in_dot.
std::unique_ptr<Observer> make_field_trajectory_observer(const FieldProblem& problem,
                                                         const std::vector<TrajectoryDataset>& datasets);
// /trajectory/max_gain_deviation_over_ax, and with `write_gain` /trajectory/gain (T, nx, ny):
// g - 1 of the link leaving every line; feeds `regime` (max|g - 1| over the bulk lines) either way.
std::unique_ptr<Observer> make_field_gain_observer(FieldTheory& theory, RegimeMonitor& regime, bool write_gain);
// /energy/density, decay, rate, flux, exchange, continuity_residual, interval_residual,
// layer, and /grid/exchange_nodes (field_energy_flow.hpp). Needs damped dynamics.
std::unique_ptr<Observer> make_field_energy_flow_observer(const FieldProblem& problem, double gamma);

}  // namespace nnfield
