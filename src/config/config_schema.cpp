// The model-file schema table: every key of every section, in documentation order.
// To add a key: add a field (with its default) to config.hpp, one line here, and,
// if it interacts with other keys, a rule in config_checks.cpp. Parsing, the
// resolved TOML and docs/model-files.md follow automatically. A key with a fixed set
// of choices is an enum field (a std::vector of the enum for a list of choices): its enum
// and name table go in config_choices.hpp, and key() below takes the choices from the table.
#include "config/config_schema.hpp"
#include "nnfield/config/model_limits.hpp"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <utility>

namespace nnfield::detail {
namespace {

// The kind of a field stored as the value itself (no conversion).
template <class T>
constexpr ValueKind kind_of() {
  if constexpr (std::is_same_v<T, bool>) return ValueKind::boolean;
  else if constexpr (std::is_same_v<T, double>) return ValueKind::floating;
  else if constexpr (std::is_same_v<T, std::string>) return ValueKind::string;
  else if constexpr (std::is_same_v<T, std::vector<double>>) return ValueKind::float_array;
  else if constexpr (std::is_same_v<T, std::vector<std::string>>) return ValueKind::string_array;
  else {
    static_assert(std::is_same_v<T, std::vector<FieldMode>>, "no ValueKind for this field type");
    return ValueKind::mode_array;
  }
}

// std::optional of a choice enum (data.teacher.activation: "" is none).
template <class T>
struct OptionalChoice : std::false_type {};
template <class E>
struct OptionalChoice<std::optional<E>> : std::is_enum<E> {};

// std::vector of a choice enum (output.trajectory: a list of choices).
template <class T>
struct ChoiceList : std::false_type {};
template <class E>
struct ChoiceList<std::vector<E>> : std::is_enum<E> {};

// Binds a key to the struct field `acc` returns; `acc` is a generic lambda
// `[](auto& c) -> auto& { return c.x.y; }` so one accessor serves both get and set.
// The value kind and the representable integer range follow from the field's type.
// An enum field (config_choices.hpp) is a string key whose choices are the enum's
// names, converted once here; an optional enum also accepts "" (none); a vector of an
// enum is an array of strings, each entry one of the names.
template <class Root, class Acc>
KeySpec<Root> key(std::string name, Acc acc, std::string doc) {
  using T = std::decay_t<decltype(acc(std::declval<Root&>()))>;
  KeySpec<Root> k;
  k.name = std::move(name);
  k.doc = std::move(doc);
  if constexpr (std::is_enum_v<T>) {
    k.kind = ValueKind::string;
    k.choices = choice_names<T>();
    k.get = [acc](const Root& r) { return Value{nnfield::name(acc(r))}; };
    k.set = [acc](Root& r, const Value& v) { acc(r) = choice_from_name<T>(std::get<std::string>(v)); };
  } else if constexpr (OptionalChoice<T>::value) {
    using E = typename T::value_type;
    k.kind = ValueKind::string;
    k.choices = {""};
    for (const auto& c : choice_names<E>()) k.choices.push_back(c);
    k.get = [acc](const Root& r) { return Value{acc(r) ? nnfield::name(*acc(r)) : std::string()}; };
    k.set = [acc](Root& r, const Value& v) {
      const auto& s = std::get<std::string>(v);
      acc(r) = s.empty() ? T() : T(choice_from_name<E>(s));
    };
  } else if constexpr (ChoiceList<T>::value) {
    using E = typename T::value_type;
    k.kind = ValueKind::string_array;
    k.choices = choice_names<E>();
    k.get = [acc](const Root& r) {
      std::vector<std::string> names;
      for (E e : acc(r)) names.push_back(nnfield::name(e));
      return Value{std::move(names)};
    };
    k.set = [acc](Root& r, const Value& v) {
      T values;
      for (const auto& s : std::get<std::vector<std::string>>(v)) values.push_back(choice_from_name<E>(s));
      acc(r) = std::move(values);
    };
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // Values arrive as int64 (TOML's integers); the parser range-checks against
    // [int_lo, int_hi] before set() narrows.
    k.kind = ValueKind::integer;
    using Lim = std::numeric_limits<T>;
    constexpr auto i64_max = std::numeric_limits<std::int64_t>::max();
    k.int_lo = Lim::is_signed ? std::int64_t(Lim::min()) : 0;
    k.int_hi = sizeof(T) >= sizeof(std::int64_t) ? i64_max : std::int64_t(Lim::max());
    k.get = [acc](const Root& r) { return Value{std::int64_t(acc(r))}; };
    k.set = [acc](Root& r, const Value& v) { acc(r) = T(std::get<std::int64_t>(v)); };
  } else {
    k.kind = kind_of<T>();
    k.get = [acc](const Root& r) { return Value{acc(r)}; };
    k.set = [acc](Root& r, const Value& v) { acc(r) = std::get<T>(v); };
  }
  return k;
}

// The part of a root that holds the members of type `Part`, found by that type: the
// root itself, or the one ModelConfig section of that type.
template <class Part, class Root>
auto& part_of(Root& root) {
  using R = std::remove_const_t<Root>;
  if constexpr (std::is_same_v<Part, R>) return root;
  else if constexpr (std::is_same_v<Part, NetworkConfig>) return root.network;
  else if constexpr (std::is_same_v<Part, NetworkShape>) return root.network.shape;
  else if constexpr (std::is_same_v<Part, InitConfig>) return root.init;
  else if constexpr (std::is_same_v<Part, DataConfig>) return root.data;
  else if constexpr (std::is_same_v<Part, TeacherConfig>) return root.data.teacher;
  else if constexpr (std::is_same_v<Part, DynamicsConfig>) return root.dynamics;
  else if constexpr (std::is_same_v<Part, IntegratorConfig>) return root.integrator;
  else if constexpr (std::is_same_v<Part, OutputConfig>) return root.output;
  else if constexpr (std::is_same_v<Part, ObserveConfig>) return root.observe;
  else if constexpr (std::is_same_v<Part, ContinuumConfig>) return root.continuum;
  else if constexpr (std::is_same_v<Part, FieldConfig>) return root.field;
  else static_assert(sizeof(Part) == 0, "not a part of the root found by its type");
}

// The accessor (for key()) of a member of one part of the root.
template <class T, class Part>
auto member_accessor(T Part::*member) {
  return [member](auto& root) -> auto& { return part_of<Part>(root).*member; };
}

// add(name, field, doc): appends key<Root>(name, ..., doc) to `keys` and returns it for
// its bounds and notes, so each key of the tables below is one entry. `field` is a
// pointer to the member (&DataConfig::tau: part_of() finds c.data) or an accessor.
template <class Root>
auto key_adder(std::vector<KeySpec<Root>>& keys) {
  return [&keys](std::string name, auto field, std::string doc) -> KeySpec<Root>& {
    if constexpr (std::is_member_object_pointer_v<decltype(field)>) {
      return keys.emplace_back(key<Root>(std::move(name), member_accessor(field), std::move(doc)));
    } else {
      return keys.emplace_back(key<Root>(std::move(name), field, std::move(doc)));
    }
  };
}

// [init.smooth] and [init.smooth_velocity] share their keys.
template <class Acc>
void add_smooth_keys(std::vector<ModelKey>& k, const std::string& prefix, Acc smooth) {
  auto add = key_adder(k);
  auto field = [smooth](auto member) {
    return [smooth, member](auto& c) -> auto& { return smooth(c).*member; };
  };
  using S = SmoothFieldConfig;
  // clang-format off
  add(prefix + ".cutoff_x", field(&S::cutoff_x), "largest depth mode number in the random part").at_least(0).at_most(kMaxCutoff);
  add(prefix + ".cutoff_y", field(&S::cutoff_y), "largest |width mode number| in the random part").at_least(0).at_most(kMaxCutoff);
  add(prefix + ".w_amplitude", field(&S::w_amplitude), "RMS of the random part of each weight field w_k").at_least(0);
  add(prefix + ".w_mean", field(&S::w_mean), "mean of w_k for k = 0..2r; empty: 1/K each")
      .note("K = 2r+1 entries, or empty");
  add(prefix + ".phi_amplitude", field(&S::phi_amplitude), "RMS of the random neuron field phi").at_least(0);
  add(prefix + ".c_amplitude", field(&S::c_amplitude),
      "init.kind = \"critical\": RMS of the gain deviation c (g = 1 + ax c)").at_least(0);
  add(prefix + ".modes", field(&S::modes), "explicit modes added to the field (see the table below)")
      .note("at most " + std::to_string(kMaxModes) + " entries");
  // clang-format on
}

// [continuum]: every field is a string, an expression of (x, y) or "random(RMS[, MEAN])"
// (parsed and checked at load time by config_checks.cpp through continuum_config.hpp).
void add_continuum_keys(std::vector<ModelKey>& k) {
  auto add = key_adder(k);
  const std::string field = "expression of x, y or \"random(RMS[, MEAN])\"";
  // clang-format off
  add("continuum.phi", &ContinuumConfig::phi,
      "neurons phi(x, y) in BBD variables (docs/theory.md 4.1): z^(m)_i = phi(m ax, i ay)").note(field);
  add("continuum.c", &ContinuumConfig::c,
      "gain deviation c(x, y): every bulk link has gain g = 1 + ax c, which fixes w_0").note(field);
  add("continuum.w", &ContinuumConfig::w,
      "weight fields w_k(x, y), offsets k = -r..r; the offset-0 entry is \"\" (derived from the gain); "
      "empty: \"random(0.05, 0.3)\" for k != 0").note("K = 2r+1 entries (offset 0: \"\"), or empty");
  add("continuum.w_in", &ContinuumConfig::w_in,
      "the input link's weights v_k(y) on x = 0, offsets -r..r; empty: \"random(0.05, 1/K)\" each")
      .note("K = 2r+1 entries, or empty");
  add("continuum.X", &ContinuumConfig::X,
      "input X(y), evaluated on x = 0; an expression of t too moves it: X(y, 0) + scale * (X(y, t) - X(y, 0)), "
      "scale as the misfit's (docs/field-limit.md section 11)").note(field);
  add("continuum.Y", &ContinuumConfig::Y,
      "target Y(y), evaluated on x = Lx (an expression of t too: a moving target); empty: Z0(y) + scale * "
      "misfit(y), Z0 the initial output")
      .note(field + ", or empty");
  add("continuum.misfit", &ContinuumConfig::misfit,
      "Y empty: the misfit field, evaluated on x = Lx (an expression of t too: a moving target)").note(field);
  add("continuum.misfit_scaling", &ContinuumConfig::misfit_scaling,
      "depth: scale = ax (weakly nonlinear scaling, docs/theory.md 4.2: a limit exists); none: scale = 1 "
      "(O(1) misfit: no limit)");
  add("continuum.phi_dot", &ContinuumConfig::phi_dot, "init.velocity = \"continuum\": neuron velocities z'")
      .note(field);
  add("continuum.w_dot", &ContinuumConfig::w_dot,
      "init.velocity = \"continuum\": weight velocities W', offsets -r..r (offset 0 too); empty: \"0\" each")
      .note("K = 2r+1 entries, or empty");
  add("continuum.cutoff_x", &ContinuumConfig::cutoff_x, "largest depth mode number of the random fields").at_least(0).at_most(kMaxCutoff);
  add("continuum.cutoff_y", &ContinuumConfig::cutoff_y, "largest |width mode number| of the random fields").at_least(0).at_most(kMaxCutoff);
  add("continuum.samples", &ContinuumConfig::samples,
      "P samples of the continuum data set (docs/field-limit.md section 10): sample 0 is X and the target; "
      "sample s >= 1 has input X + scale * dX_s and its own draw of a random misfit or Y")
      .at_least(1).at_most(kMaxContinuumSamples);
  add("continuum.dX", &ContinuumConfig::dX,
      "samples s >= 1: the input's deviation dX_s(y) from X, evaluated on x = 0 and scaled like the misfit "
      "(ax or 1); random(...) draws a new field per sample, an expression is the same for every s >= 1")
      .note(field);
  // clang-format on
}

// [field]: the field solver (docs/theory.md 4.3, 4.4); its presence makes `nnfield run` use it.
void add_field_keys(std::vector<ModelKey>& k) {
  auto add = key_adder(k);
  // clang-format off
  // DepthForm also names the stability check's two expansions; a model file takes only these.
  add("field.form", &FieldConfig::form,
      "midpoint: modified-equation midpoint scheme of order p (well posed, docs/theory.md 4.3 iii); exact: the "
      "lattice shift (the discrete network itself)").one_of(names_of({DepthForm::midpoint, DepthForm::exact})).note("exact: rx = ry = 1");
  add("field.p", &FieldConfig::p, "order in (ax, ay) of the truncated theory (1 = transport; 2, 3: the layer map's "
                                  "modified equation, docs/field-limit.md section 6); form = \"midpoint\"")
      .at_least(1).at_most(3);
  add("field.rx", &FieldConfig::rx, "depth coarse graining: depth steps hx ~ rx ax (docs/theory.md 4.4)").at_least(1).at_most(kMaxLayers);
  add("field.ry", &FieldConfig::ry, "width coarse graining: N/ry width points").at_least(1)
      .note("N % ry = 0, N/ry >= 2r+1");
  add("field.q", &FieldConfig::q,
      "degree of the depth interpolation of the link fields (Lagrange on q+1 nodes); the usable "
      "coarsening grows like M^(1-2/(q+1)) (docs/theory.md 4.4); 0: automatic, 5 or, where 5 leaves the "
      "initial error above its aim (max phi error 0.05 ax, output offset 0.5% of the misfit) and 7 cuts it, 7 "
      "(docs/field-limit.md section 6)")
      .at_least(0).at_most(8);
  add("field.depth_substeps", &FieldConfig::depth_substeps,
      "RK4 substeps per depth interval; 0: automatic (depth-integrator stability, then doubled on coarse "
      "grids, up to 16, while the initial error is above the aim of `field.q`)")
      .at_least(0).at_most(kMaxSubsteps);
  add("field.allow_unstable", &FieldConfig::allow_unstable,
      "integrate even when the stability check refuses the form (CLI --allow-unstable)");
  // clang-format on
}

std::vector<ModelKey> build_model_keys() {
  std::vector<ModelKey> k;
  auto add = key_adder(k);
  // clang-format off
  add("run.title", &ModelConfig::title, "free text, copied into outputs");
  add("run.seed", &ModelConfig::seed, "master seed; components draw independent sub-streams").at_least(0);

  add("network.M", &NetworkShape::M, "weight layers; neuron layers are m = 0..M (0 = input X, M = output Z)")
      .at_least(1).at_most(kMaxLayers);
  add("network.N", &NetworkShape::N, "width; neuron index i is periodic modulo N").at_least(3).at_most(kMaxWidth);
  add("network.r", &NetworkShape::r, "radius of the local connection; fan-in K = 2r+1").at_least(0).note("r < N/2");
  add("network.activation", &NetworkConfig::activation, "activation function sigma");
  add("network.loss", &NetworkConfig::loss, "per-site loss l_i(Z_i, Y_i)");
  add("network.Lx", &NetworkConfig::Lx, "physical depth; lattice spacing ax = Lx / M").above(0);
  add("network.Ly", &NetworkConfig::Ly, "physical width (periodic); lattice spacing ay = Ly / N").above(0);

  add("init.kind", &InitConfig::kind,
      "initial parameters: random (Gaussian), file (HDF5), smooth (smooth fields), critical "
      "(continuum data with gain 1 + ax c, docs/theory.md 4.1), continuum (the [continuum] fields, gain 1 + ax c)");
  add("init.sigma_w", &InitConfig::sigma_w, "kind = \"random\": weights ~ N(0, sigma_w^2 / K)").at_least(0);
  add("init.sigma_b", &InitConfig::sigma_b, "kind = \"random\": biases ~ N(0, sigma_b^2)").at_least(0);
  add("init.file", &InitConfig::file, "HDF5 file with /W (M,N,K), /b (M,N), optional /Wdot, /bdot")
      .path().note("required if kind or velocity is \"file\"");
  add("init.velocity", &InitConfig::velocity,
      "initial velocities (damped dynamics only); continuum: W' from continuum.w_dot, z' from "
      "continuum.phi_dot, b' from d/dt Eq. 6");
  add("init.sigma_v", &InitConfig::sigma_v, "velocity = \"random\": W', b' ~ N(0, sigma_v^2)").at_least(0);
  add_smooth_keys(k, "init.smooth", member_accessor(&InitConfig::smooth));
  add_smooth_keys(k, "init.smooth_velocity", member_accessor(&InitConfig::smooth_velocity));

  add("data.source", &DataConfig::source,
      "pair (one pair), file (HDF5 /X, /Y (S,N)), teacher (Y = teacher(X)), random (i.i.d.), "
      "continuum (continuum.samples samples smooth in width: continuum.X, X + scale dX_s, and their continuum "
      "targets)");
  add("data.file", &DataConfig::file, "source = \"file\": HDF5 file with /X (S,N), /Y (S,N)")
      .path().note("required if source is \"file\"");
  add("data.samples", &DataConfig::samples, "number S of generated samples").at_least(1).at_most(kMaxSamples);
  add("data.x", &DataConfig::x, "source = \"pair\": explicit input X; empty: random").note("N entries, or empty");
  add("data.y", &DataConfig::y, "source = \"pair\": explicit target Y; empty: random").note("N entries, or empty");
  add("data.x_kind", &DataConfig::x_kind, "generated X: random (i.i.d. N(0, x_scale^2)) or smooth");
  add("data.x_scale", &DataConfig::x_scale, "scale of generated X").at_least(0);
  add("data.x_cutoff", &DataConfig::x_cutoff, "x_kind = \"smooth\": largest width mode of X").at_least(0).at_most(kMaxCutoff);
  add("data.y_scale", &DataConfig::y_scale, "source = \"random\"/\"pair\": Y ~ N(0, y_scale^2)").at_least(0);
  add("data.presentation", &DataConfig::presentation,
      "fixed (sample 0), switch (next sample every tau), blend (C^2 blend over tau), "
      "full_batch (mean over all samples)");
  add("data.tau", &DataConfig::tau, "time each sample is presented (switch, blend)").above(0)
      .note(">= dynamics.t_end * " + number_text(kTimeResolution));
  add("data.order", &DataConfig::order, "sample order: sequential, shuffle (per epoch), random (with replacement)");
  add("data.teacher.M", &TeacherConfig::M, "teacher depth; 0: the student's M").at_least(0).at_most(kMaxLayers);
  add("data.teacher.r", &TeacherConfig::r, "teacher radius; -1: the student's r").at_least(-1).note("r < N/2");
  add("data.teacher.activation", &TeacherConfig::activation, "teacher activation; empty: the student's");
  add("data.teacher.sigma_w", &TeacherConfig::sigma_w, "teacher weights ~ N(0, sigma_w^2 / K)").at_least(0);
  add("data.teacher.sigma_b", &TeacherConfig::sigma_b, "teacher biases ~ N(0, sigma_b^2)").at_least(0);
  add("data.teacher.noise", &TeacherConfig::noise,
      "standard deviation of Gaussian noise added to the teacher's output").at_least(0);

  add("dynamics.kind", &DynamicsConfig::kind,
      "damped: q'' + gamma q' + dl/dq = 0; gradient_flow: q' = -eta dl/dq; sgd: discrete steps (field runs: "
      "q <- q - eta m^-1 dl/dq, docs/field-limit.md section 12)");
  add("dynamics.variables", &DynamicsConfig::variables,
      "continuous dynamics in (W, b) or in BBD variables (W, z) (Eq. 6; same trajectories)");
  add("dynamics.gamma", &DynamicsConfig::gamma, "damped: friction gamma").at_least(0);
  add("dynamics.eta", &DynamicsConfig::eta, "gradient_flow: rate eta; sgd: step size; damped with eta_scaling = depth: masses 1/(eta ax)").above(0);
  add("dynamics.batch", &DynamicsConfig::batch, "sgd: mini-batch size (mean loss over the batch)").at_least(1).at_most(kMaxSamples)
      .note("<= data.samples for sgd on generated data, <= continuum.samples on continuum data and field runs");
  add("dynamics.t_end", &DynamicsConfig::t_end, "damped, gradient_flow: final time").above(0);
  add("dynamics.steps", &DynamicsConfig::steps, "sgd: number of steps").at_least(1).at_most(kMaxSteps);
  add("dynamics.eta_scaling", &DynamicsConfig::eta_scaling,
      "none: eta as given; depth: the rate is eta * ax, and damped runs get masses 1/(eta ax) (a depth limit "
      "needs both, docs/field-limit.md section 8)");

  add("integrator.stepper", &IntegratorConfig::stepper,
      "rk4 (fixed step), dopri5 / rkf78 (embedded error control), symplectic")
      .note("symplectic: dynamics.kind = \"damped\", gamma = 0, presentation fixed or full_batch");
  add("integrator.adaptive", &IntegratorConfig::adaptive, "dopri5/rkf78: error control; false: fixed dt");
  add("integrator.dt", &IntegratorConfig::dt, "fixed step, or the first trial step when adaptive").above(0)
      .note(">= dynamics.t_end * " + number_text(kTimeResolution));
  add("integrator.rtol", &IntegratorConfig::rtol, "adaptive: relative tolerance").above(0);
  add("integrator.atol", &IntegratorConfig::atol, "adaptive: absolute tolerance").above(0);
  add("integrator.dt_min", &IntegratorConfig::dt_min, "adaptive: give up (with a message) below this step").above(0)
      .note("<= integrator.dt");

  add("output.every", &OutputConfig::every, "damped, gradient_flow: output cadence in time").above(0)
      .note(">= dynamics.t_end * " + number_text(kTimeResolution) + "; <= " + number_text(kMaxOutputRows) + " rows");
  add("output.every_steps", &OutputConfig::every_steps, "sgd: output cadence in steps").at_least(1).note("<= " + number_text(kMaxOutputRows) + " rows");
  add("output.trajectory", &OutputConfig::trajectory,
      "datasets written under /trajectory (gain: g - 1 per bulk link, docs/theory.md 4.1; Wdot, bdot: the "
      "velocities, damped runs). Field runs name the field's datasets: loss, gain, phi, w, beta, w_in, b_in, Z, "
      "response, adjoint and (damped) w_dot, beta_dot, w_in_dot, b_in_dot; their default is all of these "
      "(docs/output-schema.md, \"Field runs\")");
  add("output.flush_every", &OutputConfig::flush_every, 
      "flush the output file every this many rows; runs kept in memory refuse it").at_least(1);
  add("output.checkpoint_every", &OutputConfig::checkpoint_every,
      "checkpoint (RUN.h5.ckpt, for run --resume) at the first output row past every multiple of this model "
      "time (sgd: steps); 0: by checkpoint_seconds only; runs kept in memory (ensemble, compare) refuse it").at_least(0);
  add("output.checkpoint_seconds", &OutputConfig::checkpoint_seconds,
      "checkpoint at the first output row after this many seconds of wall clock since the last; 0: by "
      "checkpoint_every only (the last row is always checkpointed); runs kept in memory refuse it").at_least(0);

  add("observe.energy_flow", &ObserveConfig::energy_flow,
      "energy bookkeeping per site: density, decay, currents, continuity residuals (networks: BBD; field runs: "
      "neuron-line currents, docs/field-limit.md)");
  add("observe.lagrangian", &ObserveConfig::lagrangian,
      "the Lagrangian (Eq. 5) and its bulk and boundary parts (Eq. 7) along the run");
  add("observe.correlators", &ObserveConfig::correlators, "correlators measured during the run (docs/correlators.md)");
  add("observe.field", &ObserveConfig::field,
      "the field correlators measure: phi (neurons z), w (weights), b (biases)");
  add("observe.every", &ObserveConfig::every, "correlator cadence in time (0: output.every)").at_least(0);
  add("observe.autocorrelation", &ObserveConfig::autocorrelation,
      "time autocorrelations rho(tau) and tau_int of observe.field's layer means and of the loss over the rows "
      "every observe.every, written when the run completes (/autocorrelation/*, docs/correlators.md)");

  add_continuum_keys(k);
  add_field_keys(k);
  // clang-format on
  return k;
}

std::vector<ModeKey> build_mode_keys() {
  std::vector<ModeKey> k;
  auto add = key_adder(k);
  using F = FieldMode;
  // clang-format off
  add("field", &F::field, "w: weight field w_offset; phi: neuron field").require();
  add("offset", &F::offset, "weight offset k - r (field = \"w\")").note("|offset| <= r");
  add("kx", &F::kx, "depth mode number (cosine series on [0, Lx])").at_least(0);
  add("ky", &F::ky, "width mode number (periodic on [0, Ly))");
  add("amplitude", &F::amplitude, "coefficient of the cosine");
  add("phase", &F::phase, "phase in radians");
  // clang-format on
  return k;
}

}  // namespace

const std::vector<ModelKey>& model_keys() {
  // Built on first use, not at static initialisation: the activation and loss name
  // lists live in other translation units.
  static const std::vector<ModelKey> keys = build_model_keys();
  return keys;
}

const std::vector<ModeKey>& mode_keys() {
  static const std::vector<ModeKey> keys = build_mode_keys();
  return keys;
}

namespace {

// A section with a `present` flag (see SectionSpec).
template <class Acc>
SectionSpec presence_section(std::string name, std::string doc, Acc flag) {
  SectionSpec s(std::move(name), std::move(doc));
  s.is_present = [flag](const ModelConfig& c) { return flag(c); };
  s.mark_present = [flag](ModelConfig& c) { flag(c) = true; };
  return s;
}

}  // namespace

const std::vector<SectionSpec>& model_sections() {
  static const std::vector<SectionSpec> sections = {
      {"run", "Identification and the master random seed."},
      {"network", "The locally connected network, periodic in width, and its physical size."},
      {"init", "Initial parameters (W, b) and, for damped dynamics, initial velocities."},
      {"init.smooth", "Smooth initial fields for `init.kind = \"smooth\"`: random smooth "
                      "fields with a spectral cutoff plus explicit `modes`."},
      {"init.smooth_velocity", "Smooth initial velocities for `init.velocity = \"smooth\"` "
                               "(same keys as `[init.smooth]`)."},
      {"data", "Training samples and how they are presented to the dynamics. A field run reads only "
               "`presentation` (fixed, switch, blend, full_batch), `tau` and `order`: its samples are always the continuum "
               "data set of `[continuum]` (`samples`, `dX`; docs/field-limit.md section 10)."},
      {"data.teacher", "The teacher network for `data.source = \"teacher\"` (same width N)."},
      {"dynamics", "Training dynamics: damped (heavy ball), gradient flow or SGD."},
      {"integrator", "ODE integration of the continuous dynamics."},
      {"output", "What is written to the output file, and how often."},
      {"observe", "Measurements during the run beyond the trajectory and the total energy."},
      presence_section("continuum",
                       "Continuum fields (docs/theory.md 4.1), each an expression of `x`, `y` (`0.3*sin(2*pi*y) - "
                       "tanh(x)`; functions sin cos tan exp log sqrt tanh sinh cosh abs sigmoid, constants "
                       "pi, e) or a seeded smooth random field `random(RMS)` / `random(RMS, MEAN)`. The same "
                       "file gives the same fields at every (M, N). Used by `init.kind = \"continuum\"`, "
                       "`init.velocity = \"continuum\"`, `data.source = \"continuum\"` and the field solver. "
                       "`samples` and `dX` make a data set of smooth samples, the same on every lattice and grid. "
                       "The sources `X`, `Y` and `misfit` may also be expressions of the time `t` (a moving input "
                       "or target, `sin(2*pi*y)*cos(t)`: docs/field-limit.md section 11), for continuous "
                       "dynamics; the other fields may not.",
                       [](auto& c) -> auto& { return c.continuum.present; }),
      presence_section("field",
                       "The field solver (docs/theory.md 4.3, 4.4): with this section, even empty, `nnfield run` "
                       "integrates the field theory of the [continuum] data instead of the network.",
                       [](auto& c) -> auto& { return c.field.present; }),
  };
  return sections;
}

const std::vector<std::string>& reserved_names() {
  // RESERVED KEYS. Names listed here (a dotted key such as "observers.energy", or a
  // whole section such as "observers") are accepted with any value and stored nowhere,
  // so model files can carry settings for features still being written. When a
  // feature lands, move its names from here into build_model_keys(). Currently none:
  // everything else is an error, so typos never pass silently.
  static const std::vector<std::string> names = {};
  return names;
}

const ModelKey* find_model_key(std::string_view name) {
  const auto& keys = model_keys();
  auto it = std::find_if(keys.begin(), keys.end(), [&](const ModelKey& k) { return k.name == name; });
  return it == keys.end() ? nullptr : &*it;
}

bool is_model_section(std::string_view name) {
  const auto& s = model_sections();
  return std::any_of(s.begin(), s.end(), [&](const SectionSpec& x) { return x.name == name; });
}

std::string section_of(std::string_view key) {
  auto dot = key.rfind('.');
  return dot == std::string_view::npos ? std::string() : std::string(key.substr(0, dot));
}

std::string leaf_of(std::string_view key) {
  auto dot = key.rfind('.');
  return std::string(dot == std::string_view::npos ? key : key.substr(dot + 1));
}

const char* kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::boolean: return "boolean";
    case ValueKind::integer: return "integer";
    case ValueKind::floating: return "float";
    case ValueKind::string: return "string";
    case ValueKind::float_array: return "array of floats";
    case ValueKind::string_array: return "array of strings";
    case ValueKind::mode_array: return "array of tables";
  }
  return "?";
}

}  // namespace nnfield::detail
