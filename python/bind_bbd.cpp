// Bulk-boundary decomposition (docs/theory.md section 3) on numpy arrays: the point transformation
// (W, b) <-> (W, z) of Eq. 6 and its velocities (one sample X (N,) gives (M, N) arrays; a
// batch X (B, N) gives (B, M, N), one transformation per sample), and, for one state of
// motion with one presented sample, the neurons' kinematics, the energy flow (density,
// decay, currents, continuity residual) and the Lagrangian's bulk/boundary split.
#include <cmath>
#include <optional>

#include "bindings.hpp"
#include "nnfield/bbd/bbd_energy.hpp"
#include "nnfield/bbd/bbd_kinematics.hpp"
#include "nnfield/bbd/bbd_lagrangian.hpp"
#include "nnfield/bbd/bbd_variables.hpp"
#include "nnfield/core/network.hpp"

namespace nnfield::python {

namespace {

struct Samples {
  DoubleArray X;
  int B = 1;
  bool batched = false;
};

Samples samples_argument(const py::object& X, const std::string& name, int N) {
  Samples s;
  s.X = to_double_array(X, name);
  s.B = require_samples(s.X, name, N, s.batched);
  return s;
}

// A per-sample (M, N) array: (M, N) for one sample, (B, M, N) for a batch.
DoubleArray layers_argument(const py::object& value, const std::string& name, const NetworkShape& shape,
                            const Samples& s) {
  DoubleArray a = to_double_array(value, name);
  if (s.batched)
    require_shape(a, name, {s.B, shape.M, shape.N}, "(B, M, N) for X of shape (B, N)");
  else
    require_shape(a, name, {shape.M, shape.N}, "(M, N)");
  return a;
}

// Xdot: None (zero) or shaped as X (samples of width N).
class SampleRates {
 public:
  SampleRates(const py::object& value, const std::string& name, const Samples& s, int N)
      : m_zero(std::size_t(N), 0.0) {
    if (value.is_none()) return;
    m_rates = to_double_array(value, name);
    require_shape(*m_rates, name, std::vector<py::ssize_t>(s.X.shape(), s.X.shape() + s.X.ndim()),
                  s.batched ? "(B, N) as X" : "(N,) as X");
  }
  // The rates of the sample whose X starts at offset x (zero when none were given).
  const double* at(std::size_t x) const { return m_rates ? m_rates->data() + x : m_zero.data(); }

 private:
  std::optional<DoubleArray> m_rates;
  std::vector<double> m_zero;
};

// W and its velocity Wdot (shaped as W).
struct WeightsWithRate {
  DoubleArray W;
  NetworkShape shape;
  DoubleArray Wdot;
};

WeightsWithRate weights_with_rate(const py::object& W_, const py::object& Wdot_) {
  WeightsWithRate w;
  w.W = to_double_array(W_, "W");
  w.shape = shape_from_weights(w.W);
  w.Wdot = to_double_array(Wdot_, "Wdot");
  require_shape(w.Wdot, "Wdot", {w.shape.M, w.shape.N, w.shape.K()}, "(M, N, K) as W");
  return w;
}

std::vector<std::size_t> layers_shape(const NetworkShape& shape, const Samples& s) {
  std::vector<std::size_t> out{std::size_t(shape.M), std::size_t(shape.N)};
  if (s.batched) out.insert(out.begin(), std::size_t(s.B));
  return out;
}

// For each sample: fn(sample index, X of that sample, offset of its (M, N) block).
template <class Fn>
std::vector<double> per_sample(const NetworkShape& shape, const Samples& s, Fn&& fn) {
  const std::size_t block = shape.num_biases();
  std::vector<double> out(block * std::size_t(s.B));
  py::gil_scoped_release release;
  for (int j = 0; j < s.B; ++j) fn(j, std::size_t(j) * std::size_t(shape.N), out.data() + std::size_t(j) * block);
  return out;
}

py::array_t<double> to_bbd(const py::object& W_, const py::object& b_, const py::object& X_,
                           const std::string& activation) {
  const DoubleArray W = to_double_array(W_, "W");
  const NetworkShape shape = shape_from_weights(W);
  const DoubleArray b = to_double_array(b_, "b");
  require_shape(b, "b", {shape.M, shape.N}, "(M, N)");
  const Samples s = samples_argument(X_, "X", shape.N);
  const Activation act = activation_argument(activation);
  std::vector<double> z = per_sample(shape, s, [&](int, std::size_t x, double* out) {
    nnfield::to_bbd(shape, act, W.data(), b.data(), s.X.data() + x, out);
  });
  return adopt(std::move(z), layers_shape(shape, s));
}

py::array_t<double> from_bbd(const py::object& W_, const py::object& z_, const py::object& X_,
                             const std::string& activation) {
  const DoubleArray W = to_double_array(W_, "W");
  const NetworkShape shape = shape_from_weights(W);
  const Samples s = samples_argument(X_, "X", shape.N);
  const DoubleArray z = layers_argument(z_, "z", shape, s);
  const Activation act = activation_argument(activation);
  const std::size_t block = shape.num_biases();
  std::vector<double> b = per_sample(shape, s, [&](int j, std::size_t x, double* out) {
    nnfield::from_bbd(shape, act, W.data(), z.data() + std::size_t(j) * block, s.X.data() + x, out);
  });
  return adopt(std::move(b), layers_shape(shape, s));
}

py::array_t<double> to_bbd_velocity(const py::object& W_, const py::object& Wdot_, const py::object& b_,
                                    const py::object& bdot_, const py::object& X_, const py::object& Xdot_,
                                    const std::string& activation) {
  const WeightsWithRate w = weights_with_rate(W_, Wdot_);
  const NetworkShape& shape = w.shape;
  const DoubleArray b = to_double_array(b_, "b");
  require_shape(b, "b", {shape.M, shape.N}, "(M, N)");
  const DoubleArray bdot = to_double_array(bdot_, "bdot");
  require_shape(bdot, "bdot", {shape.M, shape.N}, "(M, N)");
  const Samples s = samples_argument(X_, "X", shape.N);
  const SampleRates Xdot(Xdot_, "Xdot", s, shape.N);
  const Activation act = activation_argument(activation);
  std::vector<double> zdot = per_sample(shape, s, [&](int, std::size_t x, double* out) {
    nnfield::to_bbd_velocity(shape, act, w.W.data(), w.Wdot.data(), b.data(), bdot.data(), s.X.data() + x, Xdot.at(x),
                             out);
  });
  return adopt(std::move(zdot), layers_shape(shape, s));
}

py::array_t<double> from_bbd_velocity(const py::object& W_, const py::object& Wdot_, const py::object& z_,
                                      const py::object& zdot_, const py::object& X_, const py::object& Xdot_,
                                      const std::string& activation) {
  const WeightsWithRate w = weights_with_rate(W_, Wdot_);
  const NetworkShape& shape = w.shape;
  const Samples s = samples_argument(X_, "X", shape.N);
  const DoubleArray z = layers_argument(z_, "z", shape, s);
  const DoubleArray zdot = layers_argument(zdot_, "zdot", shape, s);
  const SampleRates Xdot(Xdot_, "Xdot", s, shape.N);
  const Activation act = activation_argument(activation);
  const std::size_t block = shape.num_biases();
  std::vector<double> bdot = per_sample(shape, s, [&](int j, std::size_t x, double* out) {
    const std::size_t at = std::size_t(j) * block;
    nnfield::from_bbd_velocity(shape, act, w.W.data(), w.Wdot.data(), z.data() + at, zdot.data() + at,
                               s.X.data() + x, Xdot.at(x), out);
  });
  return adopt(std::move(bdot), layers_shape(shape, s));
}

// ---- one state of motion -----------------------------------------------------------

// (W, b) with optional velocities and accelerations, one sample X with optional X', X''.
struct MotionArguments {
  NetworkShape shape;
  Activation activation = Activation::tanh;
  DoubleArray W, b, X;
  std::optional<DoubleArray> Wd, bd, Wdd, bdd, Xd, Xdd;

  Motion motion() const {
    auto ptr = [](const std::optional<DoubleArray>& a) -> const double* { return a ? a->data() : nullptr; };
    return Motion{W.data(), ptr(Wd), ptr(Wdd), b.data(), ptr(bd), ptr(bdd), X.data(), ptr(Xd), ptr(Xdd)};
  }
};

std::optional<DoubleArray> optional_array(const py::object& value, const std::string& name,
                                          const std::vector<py::ssize_t>& shape, const std::string& text) {
  if (value.is_none()) return std::nullopt;
  DoubleArray a = to_double_array(value, name);
  require_shape(a, name, shape, text);
  return a;
}

MotionArguments motion_arguments(const py::object& W, const py::object& b, const py::object& X,
                                 const py::object& Wd, const py::object& bd, const py::object& Wdd,
                                 const py::object& bdd, const py::object& Xd, const py::object& Xdd,
                                 const std::string& activation) {
  MotionArguments a;
  a.W = to_double_array(W, "W");
  a.shape = shape_from_weights(a.W);
  const NetworkShape& s = a.shape;
  const std::vector<py::ssize_t> w_shape{s.M, s.N, s.K()}, b_shape{s.M, s.N}, x_shape{s.N};
  a.b = to_double_array(b, "b");
  require_shape(a.b, "b", b_shape, "(M, N)");
  a.X = to_double_array(X, "X");
  require_shape(a.X, "X", x_shape, "(N,) (one sample)");
  a.Wd = optional_array(Wd, "Wdot", w_shape, "(M, N, K) as W");
  a.bd = optional_array(bd, "bdot", b_shape, "(M, N) as b");
  a.Wdd = optional_array(Wdd, "Wddot", w_shape, "(M, N, K) as W");
  a.bdd = optional_array(bdd, "bddot", b_shape, "(M, N) as b");
  a.Xd = optional_array(Xd, "Xdot", x_shape, "(N,) as X");
  a.Xdd = optional_array(Xdd, "Xddot", x_shape, "(N,) as X");
  a.activation = activation_argument(activation);
  return a;
}

py::dict kinematics_dict(BbdKinematics&& k) {
  const NetworkShape& s = k.shape;
  const std::size_t M = std::size_t(s.M), N = std::size_t(s.N), K = std::size_t(s.K());
  const std::vector<std::size_t> layers{M + 1, N}, links{M, N, K}, sites{M, N};
  py::dict out;
  out["z"] = adopt(std::move(k.z), layers);
  out["zdot"] = adopt(std::move(k.zd), layers);
  out["zddot"] = adopt(std::move(k.zdd), layers);
  out["h"] = adopt(std::move(k.h), layers);
  out["hdot"] = adopt(std::move(k.hd), layers);
  out["hddot"] = adopt(std::move(k.hdd), layers);
  out["dsigma"] = adopt(std::move(k.dsigma), layers);
  out["u"] = adopt(std::move(k.u), links);
  out["udot"] = adopt(std::move(k.ud), links);
  out["Udot"] = adopt(std::move(k.Ud), sites);
  out["Uddot"] = adopt(std::move(k.Udd), sites);
  out["bdot"] = adopt(std::move(k.bd), sites);
  return out;
}

py::dict kinematics(const py::object& W, const py::object& b, const py::object& X, const py::object& Wd,
                    const py::object& bd, const py::object& Wdd, const py::object& bdd, const py::object& Xd,
                    const py::object& Xdd, const std::string& activation) {
  const MotionArguments a = motion_arguments(W, b, X, Wd, bd, Wdd, bdd, Xd, Xdd, activation);
  BbdKinematics k;
  {
    py::gil_scoped_release release;
    bbd_forward_sweep(a.shape, a.activation, a.motion(), k);
  }
  return kinematics_dict(std::move(k));
}

double loss_of(Loss kind, const BbdKinematics& k, const double* Y) {
  const int M = k.shape.M, N = k.shape.N;
  double l = 0.0;
  for (int i = 0; i < N; ++i) l += loss_value(kind, k.layer(k.z, M, i), Y[i]);
  return l;
}

py::dict energy_flow(const py::object& W, const py::object& b, const py::object& X, const py::object& Y_,
                     const py::object& Wd_, const py::object& bd_, const py::object& Wdd, const py::object& bdd,
                     const py::object& Xd, const py::object& Xdd, const py::object& Yd_, const py::object& I_,
                     double gamma, const std::string& activation, const std::string& loss) {
  if (Wd_.is_none() || bd_.is_none())
    throw py::type_error("energy_flow: the velocities Wdot and bdot are required");
  if (Wdd.is_none() != bdd.is_none())
    throw py::type_error("energy_flow: give both accelerations Wddot and bddot, or neither (damped equations of "
                         "motion)");
  MotionArguments a = motion_arguments(W, b, X, Wd_, bd_, Wdd, bdd, Xd, Xdd, activation);
  const NetworkShape& s = a.shape;
  const std::vector<py::ssize_t> x_shape{s.N};
  const DoubleArray Y = to_double_array(Y_, "Y");
  require_shape(Y, "Y", x_shape, "(N,) as X");
  const std::optional<DoubleArray> Yd = optional_array(Yd_, "Ydot", x_shape, "(N,) as Y");
  const std::optional<DoubleArray> I = optional_array(I_, "I", {s.M - 1, s.N}, "(M-1, N)");
  const Loss kind = loss_argument(loss);
  if (!std::isfinite(gamma)) throw py::value_error("gamma: expected a finite number");

  const std::size_t nw = s.num_weights(), P = s.num_params();
  std::vector<double> acc;  // (W'', b'') from q'' = -gamma q' - dl/dq when not given
  const std::vector<double> zero_n(std::size_t(s.N), 0.0);
  EnergyFlow flow(s, kind);
  BbdKinematics k;
  std::vector<double> integral_rate(std::size_t(s.M - 1) * std::size_t(s.N));
  double C0 = 0.0, l = 0.0, kinetic = 0.0;
  {
    py::gil_scoped_release release;
    if (!a.Wdd) {
      acc.resize(P);
      Network network(s, a.activation, kind);
      network.value_and_gradient(a.W.data(), a.b.data(), a.X.data(), Y.data(), 1, acc.data(), acc.data() + nw);
      for (std::size_t j = 0; j < nw; ++j) acc[j] = -gamma * a.Wd->data()[j] - acc[j];
      for (std::size_t j = 0; j < P - nw; ++j) acc[nw + j] = -gamma * a.bd->data()[j] - acc[nw + j];
    }
    Motion motion = a.motion();
    if (!a.Wdd) {
      motion.Wdd = acc.data();
      motion.bdd = acc.data() + nw;
    }
    bbd_forward_sweep(s, a.activation, motion, k);
    flow.evaluate(k, a.W.data(), a.Wd->data(), motion.Wdd, Y.data(), Yd ? Yd->data() : zero_n.data(),
                  I ? I->data() : nullptr, gamma);
    flow.integral_rate(k, integral_rate.data());
    C0 = flow.time_integral_constant(k);
    l = loss_of(kind, k, Y.data());
    for (std::size_t j = 0; j < nw; ++j) kinetic += 0.5 * a.Wd->data()[j] * a.Wd->data()[j];
    for (std::size_t j = 0; j < P - nw; ++j) kinetic += 0.5 * a.bd->data()[j] * a.bd->data()[j];
  }
  const std::size_t M = std::size_t(s.M), N = std::size_t(s.N), K = std::size_t(s.K());
  py::dict out;
  out["density"] = copy_array(flow.density(), {M, N});
  out["decay"] = copy_array(flow.decay(), {M, N});
  out["current"] = copy_array(flow.current(), {M, N, K});
  out["boundary_in"] =
      adopt(std::vector<double>(flow.current().begin(), flow.current().begin() + std::ptrdiff_t(N * K)), {N, K});
  out["boundary_out"] = copy_array(flow.boundary_out(), {N});
  out["rate"] = copy_array(flow.rate(), {M, N});
  out["residual"] = copy_array(flow.residual(), {M, N});
  out["layer"] = copy_array(flow.layer(), {M});
  out["scale"] = copy_array(flow.scale(), {M, N});
  out["integral_rate"] = adopt(std::move(integral_rate), {M - 1, N});
  out["C0"] = C0;
  out["kinetic"] = kinetic;
  out["potential"] = l;
  out["total"] = kinetic + l;
  if (!acc.empty()) {
    out["Wddot"] = adopt(std::vector<double>(acc.begin(), acc.begin() + std::ptrdiff_t(nw)), {M, N, K});
    out["bddot"] = adopt(std::vector<double>(acc.begin() + std::ptrdiff_t(nw), acc.end()), {M, N});
  }
  return out;
}

py::dict lagrangian(const py::object& W, const py::object& b, const py::object& X, const py::object& Y_,
                    const py::object& Wd_, const py::object& bd_, const py::object& Xd, const std::string& activation,
                    const std::string& loss) {
  if (Wd_.is_none() || bd_.is_none()) throw py::type_error("lagrangian: the velocities Wdot and bdot are required");
  const py::object none = py::none();
  const MotionArguments a = motion_arguments(W, b, X, Wd_, bd_, none, none, Xd, none, activation);
  const DoubleArray Y = to_double_array(Y_, "Y");
  require_shape(Y, "Y", {a.shape.N}, "(N,) as X");
  const Loss kind = loss_argument(loss);
  LagrangianParts L;
  {
    py::gil_scoped_release release;
    BbdKinematics k;
    bbd_forward_sweep(a.shape, a.activation, a.motion(), k);
    L = bbd_lagrangian(k, a.Wd->data(), a.bd->data(), loss_of(kind, k, Y.data()));
  }
  py::dict out;
  out["bulk"] = L.bulk;
  out["boundary"] = L.boundary;
  out["total"] = L.total;
  return out;
}

}  // namespace

void add_bbd(py::module_& m) {
  m.def("to_bbd", &to_bbd, py::arg("W"), py::arg("b"), py::arg("X"), py::arg("activation") = "tanh",
        R"doc(BBD variables: the neurons z of the network (W, b) on input X (docs/theory.md section 3, Eq. 6).
X (N,) -> z (M, N), row m-1 holding z^(m); X (B, N) -> z (B, M, N).)doc");
  m.def("from_bbd", &from_bbd, py::arg("W"), py::arg("z"), py::arg("X"), py::arg("activation") = "tanh",
        R"doc(The biases from BBD variables (Eq. 6):
b[m,i] = z^(m+1)_i - sum_k W[m,i,k] h^(m)_{i+k-r}, h^(0) = X, h^(m) = sigma(z^(m)).
z (M, N) with X (N,) -> b (M, N); z (B, M, N) with X (B, N) -> b (B, M, N).)doc");
  m.def("to_bbd_velocity", &to_bbd_velocity, py::arg("W"), py::arg("Wdot"), py::arg("b"), py::arg("bdot"),
        py::arg("X"), py::arg("Xdot") = py::none(), py::arg("activation") = "tanh",
        "z' along the motion (W', b') and X' (None: zero): the forward tangent sweep. Shapes as to_bbd.");
  m.def("from_bbd_velocity", &from_bbd_velocity, py::arg("W"), py::arg("Wdot"), py::arg("z"), py::arg("zdot"),
        py::arg("X"), py::arg("Xdot") = py::none(), py::arg("activation") = "tanh",
        "b' = z'^(m+1) - sum_k (W' h + W h'), h' = sigma'(z) z', h'^(0) = X' (None: zero). Shapes as from_bbd.");
  m.def("kinematics", &kinematics, py::arg("W"), py::arg("b"), py::arg("X"), py::arg("Wdot") = py::none(),
        py::arg("bdot") = py::none(), py::arg("Wddot") = py::none(), py::arg("bddot") = py::none(),
        py::arg("Xdot") = py::none(), py::arg("Xddot") = py::none(), py::arg("activation") = "tanh",
        R"doc(The neurons as degrees of freedom: one forward sweep over a state of motion (one sample).
Derivatives left None are zero. Returns a dict of arrays:
  z, zdot, zddot, h, hdot, hddot, dsigma   (M+1, N): neuron layers m = 0..M, layer 0 = X
                                            (h = sigma(z) for 1 <= m <= M-1; dsigma = sigma'(z))
  u (M, N, K) = d/dt(W[m,i,k] h^(m)_j),  udot = u',  j = i+k-r
  Udot (M, N) = sum_k u = U',  Uddot = U'',  bdot (M, N) = z'^(m+1) - U'^(m).)doc");
  m.def("energy_flow", &energy_flow, py::arg("W"), py::arg("b"), py::arg("X"), py::arg("Y"), py::arg("Wdot"),
        py::arg("bdot"), py::arg("Wddot") = py::none(), py::arg("bddot") = py::none(), py::arg("Xdot") = py::none(),
        py::arg("Xddot") = py::none(), py::arg("Ydot") = py::none(), py::arg("I") = py::none(),
        py::arg("gamma") = 0.0, py::arg("activation") = "tanh", py::arg("loss") = "mse",
        R"doc(Energy flow of one state of damped motion in BBD variables (docs/theory.md section 3; docs/bbd.md):
per-site energy density, decay and link currents, and the continuity equation
  e' = -gamma D + sum J_in - sum J_out - K_out.
W, b with velocities Wdot, bdot; one presented sample X, Y (N,) with optional rates
Xdot, Xddot, Ydot (None: zero). Accelerations Wddot, bddot default to the damped
equations of motion q'' = -gamma q' - dl/dq (then the residual vanishes to rounding).
I ((M-1), N): the density's time integrals (None: zero, as at the start of a run).
Returns a dict: density, decay, rate, residual, scale (M, N); current (M, N, K), into
site (m, i) from in-link k, row 0 being the input boundary current K_in = boundary_in
(N, K); boundary_out (N,) = K_out; layer (M,) = sum_i density; integral_rate ((M-1), N)
= dI/dt; C0 (sum density = total + C0 while I starts at zero); kinetic, potential,
total (floats); Wddot, bddot when computed.)doc");
  m.def("lagrangian", &lagrangian, py::arg("W"), py::arg("b"), py::arg("X"), py::arg("Y"), py::arg("Wdot"),
        py::arg("bdot"), py::arg("Xdot") = py::none(), py::arg("activation") = "tanh", py::arg("loss") = "mse",
        "The Lagrangian of Eq. 5 and its bulk/boundary split (Eq. 7 corrected): dict(bulk, boundary, total), "
        "bulk + boundary = total.");
}

}  // namespace nnfield::python
