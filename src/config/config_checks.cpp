// The rules a value must satisfy after its type is right: a key's own rules (range,
// choices; declared in the schema table) and rules across keys, which need the whole
// resolved configuration.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <vector>

#include "config/config_schema.hpp"
#include "nnfield/config/model_limits.hpp"
#include "nnfield/config/continuum_spec.hpp"
#include "nnfield/config/name_suggestion.hpp"

namespace nnfield::detail {
namespace {

// --- a key's own rules -------------------------------------------------------------

template <class Root>
std::optional<ValueProblem> bounds_problem(const KeySpec<Root>& k, const std::string& name,
                                           double x, const std::string& shown) {
  if (k.lower && (k.lower->open ? !(x > k.lower->value) : !(x >= k.lower->value))) {
    return ValueProblem{-1, name + " = " + shown + " must be " + (k.lower->open ? "> " : ">= ") +
                                number_text(k.lower->value)};
  }
  if (k.upper && (k.upper->open ? !(x < k.upper->value) : !(x <= k.upper->value))) {
    return ValueProblem{-1, name + " = " + shown + " must be " + (k.upper->open ? "< " : "<= ") +
                                number_text(k.upper->value)};
  }
  return std::nullopt;
}

template <class Root>
std::optional<ValueProblem> choice_problem(const KeySpec<Root>& k, const std::string& name,
                                           const std::string& s) {
  if (k.choices.empty() || std::find(k.choices.begin(), k.choices.end(), s) != k.choices.end()) {
    return std::nullopt;
  }
  const std::optional<std::string> near = closest_name(s, k.choices);
  return ValueProblem{-1, name + " = " + toml_quote(s) + " is not a valid choice; expected one of " +
                              quoted_list(k.choices) + (near ? "; did you mean " + toml_quote(*near) + "?" : "")};
}

template <class Root>
std::optional<ValueProblem> value_problem_impl(const KeySpec<Root>& k, const std::string& name, const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) {
    const std::string shown = std::to_string(*i);
    if (auto p = bounds_problem(k, name, double(*i), shown)) return p;
    if (*i < k.int_lo || *i > k.int_hi) {
      return ValueProblem{-1, name + " = " + shown + " is out of range [" + std::to_string(k.int_lo) +
                                  ", " + std::to_string(k.int_hi) + "]"};
    }
  } else if (const auto* d = std::get_if<double>(&v)) {
    const std::string shown = toml_literal(v);
    if (!std::isfinite(*d)) return ValueProblem{-1, name + " = " + shown + " must be a finite number"};
    return bounds_problem(k, name, *d, shown);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    return choice_problem(k, name, *s);
  } else if (const auto* a = std::get_if<std::vector<std::string>>(&v)) {
    for (std::size_t j = 0; j < a->size(); ++j) {
      if (auto p = choice_problem(k, name + "[" + std::to_string(j) + "]", (*a)[j])) {
        p->index = int(j);
        return p;
      }
    }
  } else if (const auto* f = std::get_if<std::vector<double>>(&v)) {
    for (std::size_t j = 0; j < f->size(); ++j) {
      if (!std::isfinite((*f)[j])) {
        return ValueProblem{int(j), name + "[" + std::to_string(j) + "] = " +
                                        toml_literal(Value{(*f)[j]}) + " must be a finite number"};
      }
    }
  }
  return std::nullopt;
}

// --- rules across keys -----------------------------------------------------------

std::string str(double v) { return toml_literal(Value{v}); }
template <class E, class = std::enable_if_t<std::is_enum_v<E>>>
std::string str(E e) {
  return toml_quote(name(e));
}

// The width is periodic: a window of K = 2r+1 > N neighbours would wrap round and
// take some neuron twice, so r < N/2 (K <= N) is the largest radius that makes sense.
void check_radius(std::vector<Violation>& out, const std::string& key, int r, int N) {
  if (2 * r >= N) {
    out.push_back({key, {"network.N"},
                   key + " = " + std::to_string(r) + " must satisfy r < N/2 (N = " +
                       std::to_string(N) + ")"});
  }
}

void check_smooth(std::vector<Violation>& out, const std::string& prefix,
                  const SmoothFieldConfig& s, int r) {
  const std::size_t K = std::size_t(2 * r + 1);
  if (!s.w_mean.empty() && s.w_mean.size() != K) {
    out.push_back({prefix + ".w_mean", {"network.r"},
                   prefix + ".w_mean has " + std::to_string(s.w_mean.size()) +
                       " entries, expected K = 2r+1 = " + std::to_string(K) + " (r = " +
                       std::to_string(r) + ") or none"});
  }
  if (s.modes.size() > kMaxModes)
    out.push_back({prefix + ".modes", {},
                   prefix + ".modes has " + std::to_string(s.modes.size()) + " entries (at most " +
                       std::to_string(kMaxModes) + ")"});
  for (std::size_t i = 0; i < s.modes.size(); ++i) {
    const std::string key = prefix + ".modes[" + std::to_string(i) + "].offset";
    if (std::abs(s.modes[i].offset) > r) {
      out.push_back({key, {"network.r"},
                     key + " = " + std::to_string(s.modes[i].offset) +
                         " must satisfy |offset| <= r (r = " + std::to_string(r) + ")"});
    }
  }
}

void check_length(std::vector<Violation>& out, const std::string& key,
                  const std::vector<double>& v, int N) {
  if (!v.empty() && v.size() != std::size_t(N)) {
    out.push_back({key, {"network.N"},
                   key + " has " + std::to_string(v.size()) + " entries, expected N = " +
                       std::to_string(N) + " or none"});
  }
}

void check_symplectic(std::vector<Violation>& out, const ModelConfig& c) {
  // A symplectic scheme needs a time-independent Hamiltonian: no friction and no
  // data that changes along the run.
  if (c.integrator.stepper != StepperKind::symplectic) return;
  const std::string sym = "integrator.stepper = \"symplectic\" requires ";
  if (c.dynamics.kind != DynamicsKind::damped) {
    out.push_back({"dynamics.kind", {"integrator.stepper"},
                   sym + "dynamics.kind = \"damped\", got " + str(c.dynamics.kind)});
  }
  if (c.dynamics.gamma != 0.0) {
    out.push_back({"dynamics.gamma", {"integrator.stepper"},
                   sym + "dynamics.gamma = 0, got " + str(c.dynamics.gamma)});
  }
  if (c.dynamics.variables != DynamicsVariables::wb) {
    out.push_back({"dynamics.variables", {"integrator.stepper"},
                   sym + "dynamics.variables = \"wb\" (the kinetic energy in (W, z) is not separable), got " +
                       str(c.dynamics.variables)});
  }
  if (varies_in_time(c.data.presentation)) {
    out.push_back({"data.presentation", {"integrator.stepper"},
                   sym + "data.presentation = \"fixed\" or \"full_batch\", got " +
                       str(c.data.presentation)});
  }
}

void check_bbd_observers(std::vector<Violation>& out, const ModelConfig& c) {
  // The BBD picture is of one sample flowing through the network, and the energy
  // densities need accelerations: second-order (damped) dynamics.
  if (c.observe.energy_flow && c.dynamics.kind != DynamicsKind::damped) {
    out.push_back({"observe.energy_flow", {"dynamics.kind"},
                   "observe.energy_flow = true requires dynamics.kind = \"damped\", got " + str(c.dynamics.kind)});
  }
  for (const char* key : {"observe.energy_flow", "observe.lagrangian"}) {
    const bool on = std::string(key) == "observe.energy_flow" ? c.observe.energy_flow : c.observe.lagrangian;
    if (on && c.data.presentation == Presentation::full_batch)
      out.push_back({key, {"data.presentation"},
                     std::string(key) + " = true needs one presented sample at a time, not data.presentation = "
                                        "\"full_batch\""});
  }
  // The BBD Lagrangian split is the network's (its neurons are degrees of freedom); a field
  // run measures its energy balance, energy flow and correlators on its own grid.
  if (c.field.present && c.observe.lagrangian) {
    out.push_back({"observe.lagrangian", {"field"},
                   "observe: lagrangian is measured on network runs; a field run writes its energy balance, "
                   "with observe.energy_flow the per-site energy flow, and with observe.correlators its correlators"});
  }
  if (c.dynamics.variables == DynamicsVariables::bbd && c.dynamics.kind == DynamicsKind::sgd) {
    out.push_back({"dynamics.variables", {"dynamics.kind"},
                   "dynamics.variables = \"bbd\" requires continuous dynamics (damped or gradient_flow)"});
  }
  if (c.dynamics.variables == DynamicsVariables::bbd && c.data.presentation == Presentation::full_batch) {
    out.push_back({"dynamics.variables", {"data.presentation"},
                   "dynamics.variables = \"bbd\" needs one presented sample at a time, not data.presentation = "
                   "\"full_batch\""});
  }
  if (c.observe.lagrangian && c.dynamics.kind == DynamicsKind::sgd) {
    out.push_back({"observe.lagrangian", {"dynamics.kind"},
                   "observe.lagrangian = true requires continuous dynamics (damped or gradient_flow)"});
  }
}

// The same quantity under the other run kind's name (W and w, z and phi, ...), for messages.
const char* counterpart(TrajectoryDataset d) {
  using T = TrajectoryDataset;
  switch (d) {
    case T::W: return "w"; case T::b: return "beta"; case T::z: return "phi";
    case T::Wdot: return "w_dot"; case T::bdot: return "beta_dot";
    case T::w: return "W"; case T::beta: return "b"; case T::phi: return "z";
    case T::w_dot: return "Wdot"; case T::beta_dot: return "bdot";
    default: return nullptr;
  }
}

// Each run kind writes its own datasets; parameter velocities are state only of
// second-order dynamics.
void check_trajectory_outputs(std::vector<Violation>& out, const ModelConfig& c) {
  for (const TrajectoryDataset d : c.output.trajectory) {
    const bool field = c.field.present;
    if (field ? !field_dataset(d) : !network_dataset(d)) {
      const char* other = counterpart(d);
      out.push_back({"output.trajectory", {},
                     "output.trajectory " + str(d) + " is a " + (field ? "network" : "field run") +
                         " dataset; " + (field ? "this field run" : "a network run without [field]") +
                         (other ? " writes it as \"" + std::string(other) + "\"" : " has no such dataset")});
      return;
    }
    if (c.dynamics.kind != DynamicsKind::damped && velocity_dataset(d)) {
      out.push_back({"output.trajectory", {"dynamics.kind"},
                     "output.trajectory " + str(d) + " (a velocity) requires dynamics.kind = \"damped\", got " +
                         str(c.dynamics.kind)});
      return;
    }
  }
}

void check_input_correlator(std::vector<Violation>& out, const ModelConfig& c) {
  // The input cross-correlator pairs the recorded neurons with the input they came
  // from: that input must be one known sample for the whole run.
  const auto& list = c.observe.correlators;
  if (std::find(list.begin(), list.end(), Correlator::input) == list.end()) return;
  const DataSource source = c.data.source;
  const bool one_sample = source == DataSource::pair || source == DataSource::continuum ||
                          (source != DataSource::file && c.data.samples == 1);
  if (one_sample) return;
  if (c.dynamics.kind == DynamicsKind::sgd) {
    out.push_back({"observe.correlators", {"dynamics.kind"},
                   "observe.correlators \"input\" needs a fixed presented sample; SGD changes it every step"});
  } else if (varies_in_time(c.data.presentation)) {
    out.push_back({"observe.correlators", {"data.presentation"},
                   "observe.correlators \"input\" needs data.presentation = \"fixed\" or \"full_batch\", got " +
                       str(c.data.presentation)});
  }
}

// Every [continuum] string must parse: a typo in a function name is reported at load
// time with its column, not when the run first samples the field.
void check_continuum(std::vector<Violation>& out, const ModelConfig& c) {
  if (auto p = continuum_problem(c.continuum, c.network.shape.r)) out.push_back({p->key, {"network.r"}, p->what});
}

// A source that moves in time (continuum.X, Y or misfit an expression of t,
// data/source_motion.hpp) is read by continuous dynamics only, and changes the presented
// data all along the run as blended data do.
void check_moving_source(std::vector<Violation>& out, const ModelConfig& c) {
  const ContinuumConfig& cc = c.continuum;
  if (!continuum_source_moves(cc)) return;
  ContinuumConfig x_only = cc;
  x_only.Y.clear();
  x_only.misfit = "0";
  const std::string key = continuum_source_moves(x_only) ? "continuum.X" : is_blank(cc.Y) ? "continuum.misfit" : "continuum.Y";
  const std::string moving = key + " moves in time (an expression of t): ";
  if (c.dynamics.kind == DynamicsKind::sgd)
    out.push_back({key, {"dynamics.kind"}, moving + "it needs continuous dynamics (damped or gradient_flow), not "
                                                    "dynamics.kind = \"sgd\""});
  if (c.integrator.stepper == StepperKind::symplectic)
    out.push_back({key, {"integrator.stepper"},
                   moving + "integrator.stepper = \"symplectic\" needs data fixed in time"});
  const auto& list = c.observe.correlators;
  if (std::find(list.begin(), list.end(), Correlator::input) != list.end())
    out.push_back({"observe.correlators", {key}, moving + "observe.correlators \"input\" needs a fixed input"});
  if (c.field.present && c.observe.energy_flow)
    out.push_back({"observe.energy_flow", {key},
                   moving + "the field's per-site energy book has no data-power term"});
}

// The field solver's grid (docs/theory.md 4.4): N/ry width points, each link reaching 2r+1 of them.
void check_field(std::vector<Violation>& out, const ModelConfig& c) {
  const FieldConfig& f = c.field;
  const int N = c.network.shape.N, r = c.network.shape.r;
  if (f.form == DepthForm::exact && (f.rx != 1 || f.ry != 1)) {
    out.push_back({f.rx != 1 ? "field.rx" : "field.ry", {"field.form"},
                   "field.form = \"exact\" (the lattice shift) requires rx = ry = 1, got rx = " +
                       std::to_string(f.rx) + ", ry = " + std::to_string(f.ry)});
  }
  if (N % f.ry != 0) {
    out.push_back({"field.ry", {"network.N"},
                   "field.ry = " + std::to_string(f.ry) + " must divide network.N = " + std::to_string(N)});
  } else if (N / f.ry < 2 * r + 1) {
    out.push_back({"field.ry", {"network.N", "network.r"},
                   "field.ry = " + std::to_string(f.ry) + " leaves N/ry = " + std::to_string(N / f.ry) +
                       " width points, fewer than K = 2r+1 = " + std::to_string(2 * r + 1)});
  }
}

// A count implied by two keys, in words: "1e+19".
std::string count_text(double n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", n);
  return buf;
}

// Steps, rows and switches a run implies: each must make progress in double-precision
// time and stay a count a run can hold (model_limits.hpp), or the run would "complete"
// without moving, loop for ever, or allocate without bound.
void check_time_counts(std::vector<Violation>& out, const ModelConfig& c) {
  const IntegratorConfig& in = c.integrator;
  if (c.dynamics.kind == DynamicsKind::sgd) {
    const double rows = double(c.dynamics.steps) / double(c.output.every_steps);
    if (rows > kMaxOutputRows)
      out.push_back({"output.every_steps", {"dynamics.steps"},
                     "output.every_steps = " + std::to_string(c.output.every_steps) + " gives " + count_text(rows) +
                         " output rows over dynamics.steps = " + std::to_string(c.dynamics.steps) + " (at most " +
                         count_text(kMaxOutputRows) + ")"});
    return;
  }
  const double t_end = c.dynamics.t_end;
  const bool adaptive = in.adaptive && (in.stepper == StepperKind::dopri5 || in.stepper == StepperKind::rkf78);
  if (adaptive && in.dt_min > in.dt)
    out.push_back({"integrator.dt_min", {"integrator.dt"},
                   "integrator.dt_min = " + str(in.dt_min) + " must be <= integrator.dt = " + str(in.dt)});
  const double resolution = t_end * kTimeResolution;
  if (!adaptive && in.dt < resolution)
    out.push_back({"integrator.dt", {"dynamics.t_end"},
                   "integrator.dt = " + str(in.dt) + " is too small for dynamics.t_end = " + str(t_end) + ": " +
                       count_text(t_end / in.dt) + " fixed steps; dt must be >= t_end * " +
                       count_text(kTimeResolution) + " = " + str(resolution)});
  const std::pair<const char*, double> cadences[] = {{"output.every", c.output.every},
                                                     {"observe.every", c.observe.every}};
  for (const auto& [key, every] : cadences) {
    if (every <= 0) continue;  // observe.every = 0: output.every's
    const double rows = t_end / every;
    if (rows > kMaxOutputRows || every < resolution)
      out.push_back({key, {"dynamics.t_end"},
                     std::string(key) + " = " + str(every) + " gives " + count_text(rows) +
                         " output rows over dynamics.t_end = " + str(t_end) + " (at most " +
                         count_text(kMaxOutputRows) + ")"});
  }
  // The integrators pull switch times one at a time (O(1) memory however many); what bounds
  // them is time itself: the switches j tau must stay distinct, increasing doubles, as fixed
  // steps must.
  if (varies_in_time(c.data.presentation) && c.data.tau < resolution)
    out.push_back({"data.tau", {"dynamics.t_end", "data.presentation"},
                   "data.tau = " + str(c.data.tau) + " is too small for dynamics.t_end = " + str(t_end) + ": " +
                       count_text(t_end / c.data.tau) + " sample switches; tau must be >= t_end * " +
                       count_text(kTimeResolution) + " = " + str(resolution)});
}

}  // namespace

std::optional<ValueProblem> value_problem(const ModelKey& key, const std::string& name, const Value& v) {
  return value_problem_impl(key, name, v);
}

std::optional<ValueProblem> value_problem(const ModeKey& key, const std::string& name, const Value& v) {
  return value_problem_impl(key, name, v);
}

std::vector<Violation> cross_field_violations(const ModelConfig& c) {
  std::vector<Violation> out;
  const int N = c.network.shape.N;
  const int r = c.network.shape.r;

  check_radius(out, "network.r", r, N);
  if (c.data.teacher.r >= 0) check_radius(out, "data.teacher.r", c.data.teacher.r, N);
  check_smooth(out, "init.smooth", c.init.smooth, r);
  check_smooth(out, "init.smooth_velocity", c.init.smooth_velocity, r);

  if (c.init.kind == InitKind::file && c.init.file.empty()) {
    out.push_back({"init.file", {"init.kind"}, "init.kind = \"file\" requires init.file"});
  }
  if (c.init.velocity == InitVelocity::file && c.init.file.empty()) {
    out.push_back({"init.file", {"init.velocity"}, "init.velocity = \"file\" requires init.file"});
  }
  if (c.data.source == DataSource::file && c.data.file.empty()) {
    out.push_back({"data.file", {"data.source"}, "data.source = \"file\" requires data.file"});
  }
  check_length(out, "data.x", c.data.x, N);
  check_length(out, "data.y", c.data.y, N);

  // A field run's samples, and data.source = "continuum"'s, are the continuum data set's.
  const bool continuum_set = c.field.present || c.data.source == DataSource::continuum;
  const int samples = continuum_set ? c.continuum.samples : c.data.samples;
  const char* samples_key = continuum_set ? "continuum.samples" : "data.samples";
  if (c.dynamics.kind == DynamicsKind::sgd && c.data.source != DataSource::file && c.dynamics.batch > samples) {
    out.push_back({"dynamics.batch", {samples_key, "dynamics.kind"},
                   "dynamics.batch = " + std::to_string(c.dynamics.batch) + " must be <= " + samples_key + " = " +
                       std::to_string(samples) + " for sgd"});
  }
  check_symplectic(out, c);
  check_bbd_observers(out, c);
  check_input_correlator(out, c);
  check_trajectory_outputs(out, c);
  check_continuum(out, c);
  check_field(out, c);
  check_moving_source(out, c);
  check_time_counts(out, c);
  return out;
}

}  // namespace nnfield::detail
