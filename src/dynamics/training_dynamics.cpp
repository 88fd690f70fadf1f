// GradientFlow and Damped over any Potential (include/nnfield/dynamics/training_dynamics.hpp).
// The loops multiply by 1/m even where m = 1 (the network): x * 1.0 is exact, so unit
// masses cost a multiplication, not a rounding. This file is compiled without fused
// multiply-adds (src/CMakeLists.txt): a vectorised loop fuses its products into the sums
// in its body and not in its remainder, or the other way round, so where a split network's
// lines end would change the last bits of the sums over the parameters.
#include "nnfield/dynamics/training_dynamics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "nnfield/core/width_halo.hpp"
#include "nnfield/numerics/processes.hpp"

namespace nnfield {

TrainingDynamics::TrainingDynamics(Potential& potential, double mass_scale)
    : m_potential(potential), m_inv_mass(potential.mass().inverse(mass_scale)) {
  if (potential.mass().size() != potential.num_params()) throw std::invalid_argument("potential: one mass per parameter");
}

void TrainingDynamics::parameters(const State& x, double, std::vector<double>& q, std::vector<double>& v) {
  q.assign(x.begin(), x.begin() + std::ptrdiff_t(num_params()));
  v.clear();
}

std::vector<double> TrainingDynamics::integrals(const State& x) const {
  return std::vector<double>(x.begin() + std::ptrdiff_t(data_work_index() + 1), x.end());
}

void TrainingDynamics::at_breakpoint(State& x, double t) {
  const double jump = m_potential.loss(x.data(), t) - m_potential.loss(x.data(), t, /*left_limit=*/true);
  x[data_work_index()] += jump;
}

void TrainingDynamics::split_over_processes(const WidthHalo& halo, std::vector<std::size_t> line_starts) {
  if (line_starts.empty() || line_starts.front() != 0 || line_starts.back() != num_params())
    throw std::invalid_argument("split dynamics: the lines must cover the block's parameters");
  m_halo = &halo;
  m_line_starts = std::move(line_starts);
}

double TrainingDynamics::max_over_processes(double local) const {
  return m_halo ? processes::max_over_processes(local) : local;
}

bool TrainingDynamics::on_all_processes(bool local) const {
  return m_halo ? processes::on_all_processes(local) : local;
}

double TrainingDynamics::sum_over_lines(AddTerms add) const {
  const int lines = int(m_line_starts.size()) - 1;
  return m_halo->sum_over_lines(0.0, lines, [&](double sum, int l) {
    return add(sum, m_line_starts[std::size_t(l)], m_line_starts[std::size_t(l) + 1]);
  });
}

// ---- gradient flow: m q' = -eta dL/dq -------------------------------------------

GradientFlow::GradientFlow(Potential& potential, double eta) : TrainingDynamics(potential), m_eta(eta) {}

void GradientFlow::rhs(const State& x, State& dxdt, double t) {
  const std::size_t P = num_params();
  double power = 0.0;
  double* q_dot = dxdt.data();
  m_potential.evaluate(x.data(), t, q_dot, &power);  // q' = dL/dq for now, then -eta dL/dq / m in place
  // |dL/dq|^2 in the inverse metric: the dissipation is eta g2
  const double g2 = m_inv_mass.visit([&](auto inv_mass) {
    return sum_over_parameters([&](double g2_sum, std::size_t j0, std::size_t j1) {
      for (std::size_t j = j0; j < j1; ++j) {
        const double g = q_dot[j], g_over_m = g * inv_mass(j);
        g2_sum += g * g_over_m;
        q_dot[j] = -m_eta * g_over_m;
      }
      return g2_sum;
    });
  });
  dxdt[P] = m_eta * g2;  // dissipation rate
  dxdt[P + 1] = power;   // work done by the data
}

double GradientFlow::motion(const State& x, double t, std::vector<double>& q, std::vector<double>& v,
                            std::vector<double>& a) {
  const std::size_t P = num_params();
  q.assign(x.begin(), x.begin() + std::ptrdiff_t(P));
  v.resize(P);
  const double L = m_potential.evaluate(q.data(), t, v.data(), nullptr);
  m_inv_mass.visit([&](auto inv_mass) {
    for (std::size_t j = 0; j < P; ++j) v[j] = -m_eta * v[j] * inv_mass(j);
  });
  a.clear();
  return L;
}

Energy GradientFlow::energy(const State& x, double t) {
  const std::size_t P = num_params();
  return {0.0, m_potential.loss(x.data(), t), x[P], x[P + 1]};
}

State GradientFlow::initial_state(const std::vector<double>& q, const std::vector<double>&) {
  State x(state_size(), 0.0);
  std::copy(q.begin(), q.end(), x.begin());
  return x;
}

// ---- damped: m q'' + gamma m q' + dL/dq = 0 -------------------------------------

namespace {
double checked_mass_scale(double mass_scale) {
  if (!(mass_scale > 0.0) || !std::isfinite(mass_scale)) throw std::invalid_argument("damped: mass scale must be > 0");
  return mass_scale;
}
}  // namespace

Damped::Damped(Potential& potential, double gamma, std::unique_ptr<MotionIntegrals> integrals, double mass_scale)
    : TrainingDynamics(potential, checked_mass_scale(mass_scale)), m_gamma(gamma), m_integrals(std::move(integrals)),
      m_mass_scale(mass_scale) {}

void Damped::rhs(const State& x, State& dxdt, double t) {
  const std::size_t P = num_params();
  const double* v = x.data() + P;
  double* a = dxdt.data() + P;
  double power = 0.0;
  m_potential.evaluate(x.data(), t, a, &power);  // a = dL/dq for now
  // sum m v^2: the dissipation is gamma mv2
  const double mv2 = m_potential.mass().visit([&](auto m) {
    return m_inv_mass.visit([&](auto inv_mass) {
      return sum_over_parameters([&](double mv2_sum, std::size_t j0, std::size_t j1) {
        for (std::size_t j = j0; j < j1; ++j) {
          dxdt[j] = v[j];
          a[j] = -m_gamma * v[j] - a[j] * inv_mass(j);
          mv2_sum += m(j) * v[j] * v[j];
        }
        return mv2_sum;
      });
    });
  });
  dxdt[2 * P] = m_gamma * (mv2 * m_mass_scale);
  dxdt[2 * P + 1] = power;
  if (m_integrals) m_integrals->rate(x.data(), v, a, t, dxdt.data() + 2 * P + 2);
}

void Damped::force(const double* q, double* dpdt, double t) {
  m_potential.evaluate(q, t, dpdt, nullptr);
  m_inv_mass.visit([&](auto inv_mass) {
    for (std::size_t j = 0; j < num_params(); ++j) dpdt[j] = -dpdt[j] * inv_mass(j);
  });
}

void Damped::parameters(const State& x, double, std::vector<double>& q, std::vector<double>& v) {
  const std::size_t P = num_params();
  q.assign(x.begin(), x.begin() + std::ptrdiff_t(P));
  v.assign(x.begin() + std::ptrdiff_t(P), x.begin() + std::ptrdiff_t(2 * P));
}

double Damped::motion(const State& x, double t, std::vector<double>& q, std::vector<double>& v,
                      std::vector<double>& a) {
  const std::size_t P = num_params();
  parameters(x, t, q, v);
  a.resize(P);
  const double L = m_potential.evaluate(q.data(), t, a.data(), nullptr);
  m_inv_mass.visit([&](auto inv_mass) {
    for (std::size_t j = 0; j < P; ++j) a[j] = -m_gamma * v[j] - a[j] * inv_mass(j);
  });
  return L;
}

void Damped::at_breakpoint(State& x, double t) {
  TrainingDynamics::at_breakpoint(x, t);  // the loss jump: work done by the data
  const std::size_t P = num_params();
  if (m_integrals) m_integrals->jump(x.data(), x.data() + P, t, x.data() + 2 * P + 2);
}

Energy Damped::energy(const State& x, double t) {
  const std::size_t P = num_params();
  const double mv2 = m_potential.mass().visit([&](auto m) {
    return sum_over_parameters([&](double mv2_sum, std::size_t j0, std::size_t j1) {
      for (std::size_t j = j0; j < j1; ++j) mv2_sum += m(j) * x[P + j] * x[P + j];
      return mv2_sum;
    });
  });
  return {0.5 * (mv2 * m_mass_scale), m_potential.loss(x.data(), t), x[2 * P], x[2 * P + 1]};
}

State Damped::initial_state(const std::vector<double>& q, const std::vector<double>& v) {
  const std::size_t P = num_params();
  State x(state_size(), 0.0);
  std::copy(q.begin(), q.end(), x.begin());
  if (!v.empty())
    for (std::size_t j = 0; j < P; ++j) x[P + j] = m_inv_mass[j] > 0 ? v[j] : 0.0;
  return x;
}

double damped_mass_scale(const ModelConfig& config) {
  return config.dynamics.eta_scaling == EtaScaling::depth ? 1.0 / effective_eta(config) : 1.0;
}

double effective_eta(const ModelConfig& config) {
  const double ax = config.network.Lx / config.network.shape.M;
  return config.dynamics.eta_scaling == EtaScaling::depth ? config.dynamics.eta * ax : config.dynamics.eta;
}

}  // namespace nnfield
