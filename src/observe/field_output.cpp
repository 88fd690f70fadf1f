#include "nnfield/observe/field_output.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nnfield {

namespace {
constexpr double kRegimeFactor = 5.0;  // SPEC 4.2: "exceeds ~5x its initial value"
}

FieldRecorder::FieldRecorder(SeriesSink& w, FieldProblem& pr, TrainingDynamics& dyn, bool energy_flow, double gamma)
    : m_sink(w), m_problem(pr), m_dynamics(dyn), m_gamma(gamma) {
  const FieldTheory& t = *pr.theory;
  const std::size_t nx = std::size_t(t.nx()), ny = std::size_t(t.ny()), K = std::size_t(t.K());
  m_time = w.add_series("/trajectory/time", {}, "T", "time t of each output row");
  m_step = w.add_series("/trajectory/step", {}, "T", "integrator steps taken so far");
  m_loss = w.add_series("/trajectory/loss", {}, "T", "loss (1/ay) int dy l(phi(Lx,y), Y(y)) = ry sum_b l_b");
  m_Z = w.add_series("/trajectory/Z", {ny}, "T,ny", "output Z(y_b) = phi(Lx, y_b)");
  m_response = w.add_series("/trajectory/response", {ny}, "T,ny",
                            "output response (Z - Z0)/scale, scale = ax (weakly nonlinear scaling) or 1");
  m_phi = w.add_series("/trajectory/phi", {nx, ny}, "T,nx,ny", "neurons phi(x_a, y_b) on the grid's lines");
  m_w = w.add_series("/trajectory/w", {nx, ny, K}, "T,nx,ny,K", "link fields w_{k-r}(x_a, y_b) of the link leaving x_a");
  m_beta = w.add_series("/trajectory/beta", {nx, ny}, "T,nx,ny", "bias field beta(x_a, y_b) of the link leaving x_a");
  m_w_in = w.add_series("/trajectory/w_in", {ny, K}, "T,ny,K", "input link weights (1D input theory on x = 0)");
  m_b_in = w.add_series("/trajectory/b_in", {ny}, "T,ny", "input link bias");
  m_gain = w.add_series("/trajectory/gain", {nx, ny}, "T,nx,ny",
                        "g - 1, g = sum_k w_k sigma'(phi(x_a, y_b + (k-r) ay)): the link leaving x_a (SPEC 4.1)");
  m_max_gain = w.add_series("/trajectory/max_gain_deviation_over_ax", {}, "T",
                            "max |g - 1|/ax over the bulk lines a < nx-1 (the critical-regime check, SPEC 4.2)");
  m_adjoint = w.add_series("/trajectory/adjoint", {nx, ny}, "T,nx,ny",
                           "dl/dphi per lattice neuron on each line (discrete adjoint / ry)");
  m_total = w.add_series("/energy/total", {}, "T", "field energy E = sum m v^2/2 + L (damped) or L (gradient flow)");
  m_kinetic = w.add_series("/energy/kinetic", {}, "T", "sum_j m_j v_j^2 / 2, m the quadrature weights");
  m_potential = w.add_series("/energy/potential", {}, "T", "the loss L");
  m_dissipated = w.add_series("/energy/dissipated", {}, "T", "integral of the dissipation (gamma sum m v^2, or eta |dL/dq|^2_m)");
  m_balance = w.add_series("/energy/balance_residual", {}, "T", "E(t) + dissipated(t) - E(0): zero to integrator accuracy");
  if (energy_flow) {
    if (!dyn.second_order()) throw std::invalid_argument("field energy flow needs damped dynamics");
    m_flow = std::make_unique<FieldEnergyFlow>(*pr.theory);
    const std::size_t S = std::size_t(m_flow->interval_slots());
    m_e_density = w.add_series("/energy/density", {nx, ny}, "T,nx,ny",
                               "e(a,b): kinetic energy of the site's link fields (line 0: and the input link); "
                               "output line: + ry l(Z_b, Y_b)");
    m_e_decay = w.add_series("/energy/decay", {nx, ny}, "T,nx,ny", "D(a,b) = sum m v^2 of the site's parameters");
    m_e_rate = w.add_series("/energy/rate", {nx, ny}, "T,nx,ny", "e' from the motion");
    m_e_flux = w.add_series("/energy/flux", {nx, ny}, "T,nx,ny",
                            "Phi(a,b) = (dL/dphi_a)_b phi'_a(b): energy current through line a toward the output");
    m_e_exchange = w.add_series("/energy/exchange", {nx - 1, S, ny}, "T,nx-1,S,ny",
                                "X(a,s,b): power that depth interval a takes from node /grid/exchange_nodes[a,s]");
    m_e_site = w.add_series("/energy/continuity_residual", {nx, ny}, "T,nx,ny",
                            "e' - (-gamma D - sum X + boundary currents) per site (docs/field-limit.md)");
    m_e_interval = w.add_series("/energy/interval_residual", {nx - 1}, "T,nx-1",
                                "sum_b Phi(a+1) - sum_b Phi(a) - sum X(a): the neurons carry the energy without loss");
    m_e_layer = w.add_series("/energy/layer", {nx}, "T,nx", "sum_b e(a,b)");
  }
  m_phi_buf.resize(nx * ny);
  m_adj_buf.resize(nx * ny);
  m_gain_buf.resize(nx * ny);
  m_grad.resize(t.num_params());
}

void FieldRecorder::write_static(const ModelConfig& config) {
  const FieldTheory& t = *m_problem.theory;
  SeriesSink& w = m_sink;
  const NetworkShape& s = config.network.shape;
  w.set_root_attribute("solver", "field");
  w.set_root_attribute("M", double(s.M));
  w.set_root_attribute("N", double(s.N));
  w.set_root_attribute("r", double(s.r));
  w.set_root_attribute("K", double(s.K()));
  w.set_root_attribute("ax", t.ax());
  w.set_root_attribute("ay", t.ay());
  w.set_root_attribute("nx", double(t.nx()));
  w.set_root_attribute("ny", double(t.ny()));
  w.set_root_attribute("hx", t.hx());
  w.set_root_attribute("hy", t.hy());
  w.set_root_attribute("form", field_form_name(t.settings().form));
  w.set_root_attribute("p", double(t.settings().p));
  w.set_root_attribute("q", double(t.settings().q));
  w.set_root_attribute("rx", double(t.settings().rx));
  w.set_root_attribute("ry", double(t.settings().ry));
  w.set_root_attribute("depth_substeps", double(t.settings().depth_substeps));
  w.set_root_attribute("stability_max_re_lambda", m_problem.stability.symbol.worst);
  w.set_root_attribute("stability_worst_x", t.x(std::max(0, m_problem.stability.symbol.worst_layer)));
  w.set_root_attribute("stability_max_step", m_problem.stability.max_step);
  w.set_root_attribute("misfit_scale", m_problem.misfit_scale);
  w.set_root_attribute("initial_phi_error", m_problem.initial_phi_error);
  w.set_root_attribute("activation", activation_name(config.network.activation));
  w.set_root_attribute("loss", loss_name(config.network.loss));
  w.set_root_attribute("dynamics", config.dynamics.kind);
  std::vector<double> x(std::size_t(t.nx())), y(std::size_t(t.ny()));
  for (int a = 0; a < t.nx(); ++a) x[std::size_t(a)] = t.x(a);
  for (int b = 0; b < t.ny(); ++b) y[std::size_t(b)] = t.y(b);
  w.write_array("/grid/x", {x.size()}, x.data(), "nx", "depth of the neuron lines x_a = ax + a hx (a = nx-1: x = Lx)");
  w.write_array("/grid/y", {y.size()}, y.data(), "ny", "width nodes y_b = b hy");
  w.write_array("/grid/mass", {t.mass().size()}, t.mass().data(), "P",
                "kinetic weight of each parameter (layout: w_in, b_in, w, beta); 0 = frozen");
  if (m_flow) {
    const std::vector<double> nodes = m_flow->exchange_nodes();
    w.write_array("/grid/exchange_nodes", {std::size_t(t.nx() - 1), std::size_t(m_flow->interval_slots())}, nodes.data(),
                  "nx-1,S", "the nodes each depth interval reads (its exchange partners); -1 = padding");
  }
  w.write_array("/data/X", {y.size()}, m_problem.X.data(), "ny", "input X(y_b) on x = 0");
  w.write_array("/data/Y", {y.size()}, m_problem.Y.data(), "ny", "target Y(y_b) on x = Lx");
  w.write_array("/data/Z0", {y.size()}, m_problem.Z0.data(), "ny", "the field theory's initial output");
}

double FieldRecorder::record(const State& x, double t, long steps) {
  FieldTheory& th = *m_problem.theory;
  const std::size_t nx = std::size_t(th.nx()), ny = std::size_t(th.ny()), K = std::size_t(th.K());
  const double* q = x.data();
  const double L = th.gradient(q, m_problem.X.data(), m_problem.Y.data(), m_grad.data(), m_phi_buf.data(),
                               m_adj_buf.data());
  const Energy e = m_dynamics.energy(x, t);
  if (m_sink.rows(m_time) == 0) m_E0 = e.total();
  m_last_energy = e.total();
  const double tt = t, st = double(steps);
  m_sink.append(m_time, &tt);
  m_sink.append(m_step, &st);
  m_sink.append(m_loss, &L);
  const double* Z = m_phi_buf.data() + (nx - 1) * ny;
  m_sink.append(m_Z, Z);
  m_row.resize(ny);
  for (std::size_t b = 0; b < ny; ++b) m_row[b] = (Z[b] - m_problem.Z0[b]) / m_problem.misfit_scale;
  m_sink.append(m_response, m_row.data());
  m_sink.append(m_phi, m_phi_buf.data());
  m_sink.append(m_w, q + th.w_offset());
  m_sink.append(m_beta, q + th.beta_offset());
  m_sink.append(m_w_in, q + th.w_in_offset());
  m_sink.append(m_b_in, q + th.b_in_offset());
  th.gain(q, m_phi_buf.data(), m_gain_buf.data());
  double worst = 0.0;
  for (std::size_t i = 0; i < nx * ny; ++i) {
    m_gain_buf[i] -= 1.0;
    if (i < (nx - 1) * ny) worst = std::max(worst, std::fabs(m_gain_buf[i]));
  }
  worst /= th.ax();
  m_sink.append(m_gain, m_gain_buf.data());
  m_sink.append(m_max_gain, &worst);
  if (m_initial_gain < 0) m_initial_gain = worst;
  if (m_left_at < 0 && worst > kRegimeFactor * m_initial_gain) {
    m_left_at = t;
    m_sink.set_root_attribute("left_critical_regime_at", t);
  }
  m_sink.append(m_adjoint, m_adj_buf.data());
  const double total = e.total(), bal = e.total() + e.dissipated - m_E0;
  m_sink.append(m_total, &total);
  m_sink.append(m_kinetic, &e.kinetic);
  m_sink.append(m_potential, &e.potential);
  m_sink.append(m_dissipated, &e.dissipated);
  m_sink.append(m_balance, &bal);
  (void)K;
  if (m_flow) record_energy_flow(x);
  return L;
}

void FieldRecorder::record_energy_flow(const State& x) {
  const FieldTheory& th = *m_problem.theory;
  const double* q = x.data();
  const double* v = x.data() + th.num_params();  // Damped: [q, v, dissipated, data_work]
  m_flow->evaluate(q, v, m_problem.X.data(), m_problem.Y.data(), m_gamma);
  m_sink.append(m_e_density, m_flow->density().data());
  m_sink.append(m_e_decay, m_flow->decay().data());
  m_sink.append(m_e_rate, m_flow->rate().data());
  m_sink.append(m_e_flux, m_flow->flux().data());
  m_sink.append(m_e_exchange, m_flow->exchange().data());
  m_sink.append(m_e_site, m_flow->site_residual().data());
  m_sink.append(m_e_interval, m_flow->interval_residual().data());
  m_sink.append(m_e_layer, m_flow->layer().data());
}

}  // namespace nnfield
