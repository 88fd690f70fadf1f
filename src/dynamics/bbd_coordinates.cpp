// BBD coordinates and the BBD energy-flow integrals (include/nnfield/dynamics/bbd_coordinates.hpp).
#include "nnfield/dynamics/bbd_coordinates.hpp"

#include <algorithm>
#include <stdexcept>

#include "nnfield/bbd/bbd_variables.hpp"

namespace nnfield {

namespace {
constexpr double kNoIntervalEnd = 1e300;

// The neurons z^(1..M) from the kinematics rows 1..M (row 0 is the input).
void copy_neurons(const std::vector<double>& layers, int N, double* out, std::size_t n) {
  std::copy(layers.begin() + N, layers.begin() + N + std::ptrdiff_t(n), out);
}

// The kinematics of `motion` on the network's columns (a split network's block, its ghosts
// from the neighbouring blocks).
void sweep_network(LossLandscape& landscape, const Motion& motion, BbdKinematics& out) {
  Network& network = landscape.network();
  bbd_forward_sweep(network.shape(), network.activation(), motion, out, network.halo());
}

void require_one_sample(LossLandscape& landscape, const char* what) {
  if (landscape.data().batch() != 1)
    throw std::invalid_argument(std::string(what) + " one presented sample at a time (not full_batch)");
}
}  // namespace

// ---- the energy-flow integrals ---------------------------------------------------

BbdFlowIntegrals::BbdFlowIntegrals(LossLandscape& landscape)
    : m_landscape(landscape),
      m_flow(landscape.network().shape(), landscape.network().loss_kind(), landscape.network().halo()) {
  require_one_sample(landscape, "the BBD energy flow needs");
  const NetworkShape& s = landscape.network().shape();
  m_kinematics.resize(s);
  for (auto* v : {&m_X, &m_Xd, &m_Xdd}) v->assign(std::size_t(s.N), 0.0);
}

std::size_t BbdFlowIntegrals::size() const {
  const NetworkShape& s = m_landscape.network().shape();
  return std::size_t(s.M - 1) * std::size_t(s.N);
}

void BbdFlowIntegrals::sweep(const double* q, const double* v, const double* a, double t, BbdKinematics& out) {
  const NetworkShape& s = m_landscape.network().shape();
  const std::size_t nw = s.num_weights();
  m_landscape.data_at(t, m_X.data(), m_Xd.data(), m_Xdd.data(), nullptr, nullptr);
  const Motion motion{q, v, a, q + nw, v + nw, a ? a + nw : nullptr, m_X.data(), m_Xd.data(), m_Xdd.data()};
  sweep_network(m_landscape, motion, out);
}

void BbdFlowIntegrals::rate(const double* q, const double* v, const double* a, double t, double* dI) {
  sweep(q, v, a, t, m_kinematics);
  m_flow.integral_rate(m_kinematics, dI);
}

void BbdFlowIntegrals::jump(const double* q, const double* v, double t, double* I) {
  m_landscape.set_interval_end(t);  // the data just before t
  sweep(q, v, nullptr, t, m_before);
  m_landscape.set_interval_end(kNoIntervalEnd);
  sweep(q, v, nullptr, t, m_kinematics);
  m_flow.integral_jump(m_before, m_kinematics, I);
}

// ---- (W, z) coordinates ----------------------------------------------------------

BbdCoordinates::BbdCoordinates(LossLandscape& landscape, std::unique_ptr<TrainingDynamics> inner)
    : TrainingDynamics(landscape), m_landscape(landscape), m_inner(std::move(inner)) {
  require_one_sample(landscape, "BBD variables need");
  const NetworkShape& s = shape();
  m_kinematics.resize(s);
  for (auto* v : {&m_X, &m_Xd, &m_Xdd}) v->assign(std::size_t(s.N), 0.0);
}

const NetworkShape& BbdCoordinates::shape() const { return m_landscape.network().shape(); }

void BbdCoordinates::to_inner(const State& x, double t, bool left_limit) {
  const NetworkShape& s = shape();
  const std::size_t nw = s.num_weights(), P = num_params();
  const bool second = second_order();
  if (left_limit) m_landscape.set_interval_end(t);
  m_landscape.data_at(t, m_X.data(), m_Xd.data(), second ? m_Xdd.data() : nullptr, nullptr, nullptr);
  if (left_limit) m_landscape.set_interval_end(kNoIntervalEnd);
  m_inner_state = x;
  double* inner = m_inner_state.data();
  const double *W = x.data(), *z = x.data() + nw;
  const double *Wd = second ? x.data() + P : nullptr, *zd = second ? x.data() + P + nw : nullptr;
  // b = z - sum_k W h (Eq. 6) and its time derivative.
  from_bbd_sweep(s, m_landscape.network().activation(), W, Wd, z, zd, m_X.data(), second ? m_Xd.data() : nullptr,
                 inner + nw, second ? inner + P + nw : nullptr, m_scratch, m_landscape.network().halo());
}

void BbdCoordinates::from_inner(const State& inner, double t, State& x) {
  const NetworkShape& s = shape();
  const std::size_t nw = s.num_weights(), nz = s.num_biases(), P = num_params();
  const bool second = second_order();
  m_landscape.data_at(t, m_X.data(), m_Xd.data(), nullptr, nullptr, nullptr);
  const double* q = inner.data();
  const double* v = second ? inner.data() + P : nullptr;
  const Motion motion{q, v, nullptr, q + nw, v ? v + nw : nullptr, nullptr, m_X.data(), v ? m_Xd.data() : nullptr,
                      nullptr};
  sweep_network(m_landscape, motion, m_kinematics);
  x = inner;
  copy_neurons(m_kinematics.z, s.N, x.data() + nw, nz);
  if (second) copy_neurons(m_kinematics.zd, s.N, x.data() + P + nw, nz);
}

void BbdCoordinates::rhs(const State& x, State& dxdt, double t) {
  const NetworkShape& s = shape();
  const std::size_t nw = s.num_weights(), nz = s.num_biases(), P = num_params();
  to_inner(x, t);
  m_inner_rate.resize(m_inner_state.size());
  m_inner->rhs(m_inner_state, m_inner_rate, t);
  std::copy(m_inner_rate.begin(), m_inner_rate.end(), dxdt.begin());  // W', (W'', ) and the quadratures
  const double* q = m_inner_state.data();
  if (!second_order()) {
    // z' from (W', b') and X' by the forward velocity sweep (d/dt Eq. 1).
    const double* v = m_inner_rate.data();
    const Motion motion{q, v, nullptr, q + nw, v + nw, nullptr, m_X.data(), m_Xd.data(), nullptr};
    sweep_network(m_landscape, motion, m_kinematics);
    copy_neurons(m_kinematics.zd, s.N, dxdt.data() + nw, nz);
    return;
  }
  const double* v = m_inner_state.data() + P;
  const double* a = m_inner_rate.data() + P;
  const Motion motion{q, v, a, q + nw, v + nw, a + nw, m_X.data(), m_Xd.data(), m_Xdd.data()};
  sweep_network(m_landscape, motion, m_kinematics);
  std::copy(x.begin() + std::ptrdiff_t(P), x.begin() + std::ptrdiff_t(2 * P), dxdt.begin());  // (W, z)' = (W', z')
  copy_neurons(m_kinematics.zdd, s.N, dxdt.data() + P + nw, nz);                              // z''
}

void BbdCoordinates::at_breakpoint(State& x, double t) {
  // (W, b) and their velocities are continuous, the neurons are not: map with the old
  // input, let the (W, b) system book the switch, map back with the new input.
  to_inner(x, t, /*left_limit=*/true);
  m_inner->at_breakpoint(m_inner_state, t);
  from_inner(m_inner_state, t, x);
}

void BbdCoordinates::parameters(const State& x, double t, std::vector<double>& q, std::vector<double>& v) {
  to_inner(x, t);
  m_inner->parameters(m_inner_state, t, q, v);
}

double BbdCoordinates::motion(const State& x, double t, std::vector<double>& q, std::vector<double>& v,
                              std::vector<double>& a) {
  to_inner(x, t);
  return m_inner->motion(m_inner_state, t, q, v, a);
}

Energy BbdCoordinates::energy(const State& x, double t) {
  to_inner(x, t);
  return m_inner->energy(m_inner_state, t);
}

State BbdCoordinates::initial_state(const std::vector<double>& q, const std::vector<double>& v) {
  const State inner = m_inner->initial_state(q, v);
  State x;
  from_inner(inner, 0.0, x);
  return x;
}

void BbdCoordinates::split_over_processes(const WidthHalo& halo, std::vector<std::size_t> line_starts) {
  m_inner->split_over_processes(halo, line_starts);
  TrainingDynamics::split_over_processes(halo, std::move(line_starts));
}

// ---- observation ---------------------------------------------------------------

void bbd_state_of(TrainingDynamics& dynamics, LossLandscape& landscape, const State& x, double t, BbdState& out) {
  const NetworkShape& s = landscape.network().shape();
  const std::size_t nw = s.num_weights(), P = s.num_params();
  std::vector<double> q, v, a;
  out.loss = dynamics.motion(x, t, q, v, a);
  const bool second = !a.empty();
  out.set_motion(q.data(), v.data(), second ? a.data() : nullptr, nw, P);
  for (auto* d : {&out.X, &out.Xd, &out.Xdd, &out.Y, &out.Yd}) d->assign(std::size_t(s.N), 0.0);
  landscape.data_at(t, out.X.data(), out.Xd.data(), out.Xdd.data(), out.Y.data(), out.Yd.data());
  const Motion motion{q.data(),        v.data(),        second ? a.data() : nullptr,
                      q.data() + nw,   v.data() + nw,   second ? a.data() + nw : nullptr,
                      out.X.data(),    out.Xd.data(),   second ? out.Xdd.data() : nullptr};
  sweep_network(landscape, motion, out.kinematics);
  out.I = dynamics.integrals(x);
}

}  // namespace nnfield
