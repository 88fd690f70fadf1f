// The field run's own datasets (include/nnfield/observe/field_output.hpp).
#include "nnfield/observe/field_output.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "nnfield/field/field_energy_flow.hpp"

namespace nnfield {

void write_field_static(SeriesSink& w, const FieldProblem& problem, const ModelConfig& config) {
  const FieldTheory& t = *problem.theory;
  w.set_root_attribute("solver", "field");
  set_shape_attributes(w, config.network.shape);
  w.set_root_attribute("ax", t.ax());
  w.set_root_attribute("ay", t.ay());
  w.set_root_integer("nx", t.nx());
  w.set_root_integer("ny", t.ny());
  w.set_root_attribute("hx", t.hx());
  w.set_root_attribute("hy", t.hy());
  w.set_root_attribute("form", name(t.settings().form));
  w.set_root_integer("p", t.settings().p);
  w.set_root_integer("q", t.settings().q);
  w.set_root_integer("rx", t.settings().rx);
  w.set_root_integer("ry", t.settings().ry);
  w.set_root_integer("depth_substeps", t.settings().depth_substeps);
  w.set_root_attribute("stability_max_re_lambda", problem.stability.symbol.worst);
  w.set_root_attribute("stability_worst_x", t.x(std::max(0, problem.stability.symbol.worst_layer)));
  w.set_root_attribute("stability_max_step", problem.stability.max_step);
  w.set_root_attribute("misfit_scale", problem.misfit_scale);
  w.set_root_attribute("initial_phi_error", problem.initial_phi_error);
  w.set_root_attribute("initial_output_offset", problem.initial_output_offset);
  w.set_root_attribute("activation", activation_name(config.network.activation));
  w.set_root_attribute("loss", loss_name(config.network.loss));
  w.set_root_attribute("dynamics", name(config.dynamics.kind));
  std::vector<double> x(std::size_t(t.nx())), y(std::size_t(t.ny()));
  for (int a = 0; a < t.nx(); ++a) x[std::size_t(a)] = t.x(a);
  for (int b = 0; b < t.ny(); ++b) y[std::size_t(b)] = t.y(b);
  w.write_array("/grid/x", {x.size()}, x.data(), "nx", "depth of the neuron lines x_a = ax + a hx (a = nx-1: x = Lx)");
  w.write_array("/grid/y", {y.size()}, y.data(), "ny", "width nodes y_b = b hy");
  w.write_array("/grid/mass", {t.mass().size()}, t.mass().data(), "P",
                "kinetic weight of each parameter (layout: w_in, b_in, w, beta); 0 = frozen");
  w.write_array("/data/X", {y.size()}, problem.X.data(), "ny",
                "input X(y_b) on x = 0 of the sample presented at t = 0 (the initial state's)");
  w.write_array("/data/Y", {y.size()}, problem.Y.data(), "ny", "target Y(y_b) on x = Lx of that sample");
  w.write_array("/data/Z0", {y.size()}, problem.Z0.data(), "ny", "the field theory's initial output on that sample");
  const Samples& set = problem.data->samples();
  if (set.S == 1) return;
  const std::vector<std::size_t> shape{std::size_t(set.S), y.size()};
  w.write_array("/data/samples_X", shape, set.X.data(), "S,ny", "the data set's inputs X_s(y_b) (continuum.samples)");
  w.write_array("/data/samples_Y", shape, set.Y.data(), "S,ny", "the data set's targets Y_s(y_b)");
}

namespace {

class FieldTrajectoryObserver final : public Observer {
 public:
  FieldTrajectoryObserver(const FieldProblem& problem, const std::vector<TrajectoryDataset>& datasets)
      : m_problem(problem), m_datasets(datasets) {}

  void declare(SeriesSink& w) override {
    using T = TrajectoryDataset;
    const FieldTheory& t = *m_problem.theory;
    const std::size_t nx = std::size_t(t.nx()), ny = std::size_t(t.ny()), K = std::size_t(t.K());
    m_time = w.add_series("/trajectory/time", {}, "T", "time t of each output row", time_values());
    m_step = w.add_series("/trajectory/step", {}, "T", "integrator steps taken so far", integer_values());
    const auto add = [&](T d, std::vector<std::size_t> shape, const char* order, const char* description) {
      if (!wants(d)) return -1;
      return w.add_series("/trajectory/" + name(d), shape, order, description);
    };
    m_loss = add(T::loss, {}, "T", "loss (1/ay) int dy l(phi(Lx,y), Y(y)) = ry sum_b l_b");
    m_Z = add(T::Z, {ny}, "T,ny", "output Z(y_b) = phi(Lx, y_b)");
    m_response = add(T::response, {ny}, "T,ny",
                     "output response (Z - Z0)/scale, scale = ax (weakly nonlinear scaling) or 1");
    m_phi = add(T::phi, {nx, ny}, "T,nx,ny", "neurons phi(x_a, y_b) on the grid's lines");
    m_w = add(T::w, {nx, ny, K}, "T,nx,ny,K", "link fields w_{k-r}(x_a, y_b) of the link leaving x_a");
    m_beta = add(T::beta, {nx, ny}, "T,nx,ny", "bias field beta(x_a, y_b) of the link leaving x_a");
    m_w_in = add(T::w_in, {ny, K}, "T,ny,K", "input link weights (1D input theory on x = 0)");
    m_b_in = add(T::b_in, {ny}, "T,ny", "input link bias");
    m_adjoint = add(T::adjoint, {nx, ny}, "T,nx,ny", "dl/dphi per lattice neuron on each line (discrete adjoint / ry)");
    m_w_dot = add(T::w_dot, {nx, ny, K}, "T,nx,ny,K", "link field velocities dw/dt (damped)");
    m_beta_dot = add(T::beta_dot, {nx, ny}, "T,nx,ny", "bias field velocities dbeta/dt (damped)");
    m_w_in_dot = add(T::w_in_dot, {ny, K}, "T,ny,K", "input link weight velocities (damped)");
    m_b_in_dot = add(T::b_in_dot, {ny}, "T,ny", "input link bias velocities (damped)");
  }

  void observe(const Snapshot& s, SeriesSink& w) override {
    const FieldTheory& th = *m_problem.theory;
    const std::size_t nx = std::size_t(th.nx()), ny = std::size_t(th.ny());
    const double step = double(s.step);
    w.append(m_time, &s.t);
    w.append(m_step, &step);
    const double* Z = s.neurons + (nx - 1) * ny;
    append_if(w, m_loss, &s.loss);
    append_if(w, m_Z, Z);
    if (m_response >= 0) {
      m_row.resize(ny);
      for (std::size_t b = 0; b < ny; ++b) m_row[b] = (Z[b] - m_problem.Z0[b]) / m_problem.misfit_scale;
      w.append(m_response, m_row.data());
    }
    append_if(w, m_phi, s.neurons);
    append_if(w, m_w, s.W);
    append_if(w, m_beta, s.b);
    append_if(w, m_w_in, s.q + th.w_in_offset());
    append_if(w, m_b_in, s.q + th.b_in_offset());
    append_if(w, m_adjoint, s.adjoint);
    if (m_w_dot < 0 && m_beta_dot < 0 && m_w_in_dot < 0 && m_b_in_dot < 0) return;
    if (!s.v) throw std::invalid_argument("output.trajectory: the field's velocities need damped dynamics");
    // The velocities in the parameters' layout (FieldTheory's offsets).
    append_if(w, m_w_dot, s.v + th.w_offset());
    append_if(w, m_beta_dot, s.v + th.beta_offset());
    append_if(w, m_w_in_dot, s.v + th.w_in_offset());
    append_if(w, m_b_in_dot, s.v + th.b_in_offset());
  }

 private:
  bool wants(TrajectoryDataset d) const {
    return std::find(m_datasets.begin(), m_datasets.end(), d) != m_datasets.end();
  }
  static void append_if(SeriesSink& w, int id, const double* row) {
    if (id >= 0) w.append(id, row);
  }
  const FieldProblem& m_problem;
  std::vector<TrajectoryDataset> m_datasets;
  std::vector<double> m_row;
  int m_w_dot = -1, m_beta_dot = -1, m_w_in_dot = -1, m_b_in_dot = -1;
  int m_time = -1, m_step = -1, m_loss = -1, m_Z = -1, m_response = -1, m_phi = -1, m_w = -1, m_beta = -1,
      m_w_in = -1, m_b_in = -1, m_adjoint = -1;
};

class FieldGainObserver final : public Observer {
 public:
  FieldGainObserver(FieldTheory& theory, RegimeMonitor& regime, bool write_gain)
      : m_theory(theory), m_regime(regime), m_write_gain(write_gain) {}

  void declare(SeriesSink& w) override {
    const std::size_t nx = std::size_t(m_theory.nx()), ny = std::size_t(m_theory.ny());
    if (m_write_gain)
      m_gain = w.add_series("/trajectory/gain", {nx, ny}, "T,nx,ny",
                          "g - 1, g = sum_k w_k sigma'(phi(x_a, y_b + (k-r) ay)): the link leaving x_a "
                          "(docs/theory.md 4.1)");
    m_max_gain = w.add_series("/trajectory/max_gain_deviation_over_ax", {}, "T",
                              "max |g - 1|/ax over the bulk lines a < nx-1 (the critical-regime check, "
                              "docs/theory.md 4.2)");
    m_buf.resize(nx * ny);
  }

  void observe(const Snapshot& s, SeriesSink& w) override {
    const std::size_t nx = std::size_t(m_theory.nx()), ny = std::size_t(m_theory.ny());
    m_theory.gain(s.q, s.neurons, m_buf.data());
    double worst = 0.0;  // over the bulk lines: the output line's link does not exist
    for (std::size_t i = 0; i < nx * ny; ++i) {
      m_buf[i] -= 1.0;
      if (i < (nx - 1) * ny) worst = std::max(worst, std::fabs(m_buf[i]));
    }
    const double over_ax = worst / m_theory.ax();
    if (m_gain >= 0) w.append(m_gain, m_buf.data());
    w.append(m_max_gain, &over_ax);
    m_regime.update(worst, s.t, w);
  }

 private:
  FieldTheory& m_theory;
  RegimeMonitor& m_regime;
  bool m_write_gain;  // the critical-regime check runs either way
  std::vector<double> m_buf;
  int m_gain = -1, m_max_gain = -1;
};

class FieldEnergyFlowObserver final : public Observer {
 public:
  FieldEnergyFlowObserver(const FieldProblem& problem, double gamma)
      : m_problem(problem), m_flow(*problem.theory), m_gamma(gamma) {}

  void declare(SeriesSink& w) override {
    const FieldTheory& t = *m_problem.theory;
    const std::size_t nx = std::size_t(t.nx()), ny = std::size_t(t.ny()), S = std::size_t(m_flow.interval_slots());
    m_density = w.add_series("/energy/density", {nx, ny}, "T,nx,ny",
                             "e(a,b): kinetic energy of the site's link fields (line 0: and the input link); "
                             "output line: + ry l(Z_b, Y_b)");
    m_decay = w.add_series("/energy/decay", {nx, ny}, "T,nx,ny", "D(a,b) = sum m v^2 of the site's parameters");
    m_rate = w.add_series("/energy/rate", {nx, ny}, "T,nx,ny", "e' from the motion", rate_values());
    m_flux = w.add_series("/energy/flux", {nx, ny}, "T,nx,ny",
                          "Phi(a,b) = (dL/dphi_a)_b phi'_a(b): energy current through line a toward the output", rate_values());
    m_exchange = w.add_series("/energy/exchange", {nx - 1, S, ny}, "T,nx-1,stencil,ny",
                              "X(a,s,b): power that depth interval a takes from node /grid/exchange_nodes[a,s]", rate_values());
    m_site = w.add_series("/energy/continuity_residual", {nx, ny}, "T,nx,ny",
                          "e' - (-gamma D - sum X + boundary currents) per site (docs/field-limit.md)", rate_values());
    m_interval = w.add_series("/energy/interval_residual", {nx - 1}, "T,nx-1",
                              "sum_b Phi(a+1) - sum_b Phi(a) - sum X(a): the neurons carry the energy without loss", rate_values());
    m_layer = w.add_series("/energy/layer", {nx}, "T,nx", "sum_b e(a,b)");
    const std::vector<double> nodes = m_flow.exchange_nodes();
    w.write_array("/grid/exchange_nodes", {nx - 1, S}, nodes.data(), "nx-1,stencil",
                  "the nodes each depth interval reads (its exchange partners); -1 = padding", integer_values());
  }

  void observe(const Snapshot& s, SeriesSink& w) override {
    if (!s.v) throw std::logic_error("field energy flow needs damped dynamics");
    const std::size_t ny = std::size_t(m_problem.theory->ny());
    m_X.resize(ny);
    m_Y.resize(ny);
    m_problem.data->at(s.t, m_X.data(), m_Y.data(), nullptr, nullptr);  // the sample presented at t
    m_flow.evaluate(s.q, s.v, m_X.data(), m_Y.data(), m_gamma);
    w.append(m_density, m_flow.density().data());
    w.append(m_decay, m_flow.decay().data());
    w.append(m_rate, m_flow.rate().data());
    w.append(m_flux, m_flow.flux().data());
    w.append(m_exchange, m_flow.exchange().data());
    w.append(m_site, m_flow.site_residual().data());
    w.append(m_interval, m_flow.interval_residual().data());
    w.append(m_layer, m_flow.layer().data());
  }

 private:
  const FieldProblem& m_problem;
  FieldEnergyFlow m_flow;
  double m_gamma;
  std::vector<double> m_X, m_Y;
  int m_density = -1, m_decay = -1, m_rate = -1, m_flux = -1, m_exchange = -1, m_site = -1, m_interval = -1,
      m_layer = -1;
};

}  // namespace

std::unique_ptr<Observer> make_field_trajectory_observer(const FieldProblem& problem,
                                                         const std::vector<TrajectoryDataset>& datasets) {
  return std::make_unique<FieldTrajectoryObserver>(problem, datasets);
}

std::unique_ptr<Observer> make_field_gain_observer(FieldTheory& theory, RegimeMonitor& regime, bool write_gain) {
  return std::make_unique<FieldGainObserver>(theory, regime, write_gain);
}

std::unique_ptr<Observer> make_field_energy_flow_observer(const FieldProblem& problem, double gamma) {
  return std::make_unique<FieldEnergyFlowObserver>(problem, gamma);
}

}  // namespace nnfield
