// Which keys a run reads, and which the command a model is loaded for reads (ModelUse): a
// key the user gave that would not be read is refused with the reason, never accepted and
// ignored (tests/config/test_key_coverage.cpp walks every key of the schema over every run
// kind, on a run file and in memory; tests/config/test_command_keys.cpp over ensemble,
// propagate and compare). Defaults are never refused: only given keys.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config_schema.hpp"
#include "nnfield/config/continuum_spec.hpp"

namespace nnfield::detail {
namespace {

// A rule: keys named in `keys` (or, for a name ending in '.', every key of that section)
// are read only when `applies` holds; otherwise `why` says what would make them count.
struct Applicability {
  using Why = std::function<std::string(const ModelConfig&)>;
  Applicability(std::vector<std::string> keys_, std::function<bool(const ModelConfig&)> applies_, Why why_,
                std::string except_ = "")
      : keys(std::move(keys_)), applies(std::move(applies_)), why(std::move(why_)), except(std::move(except_)) {}
  // Most reasons do not depend on the configuration.
  Applicability(std::vector<std::string> keys_, std::function<bool(const ModelConfig&)> applies_,
                const char* reason, std::string except_ = "")
      : Applicability(std::move(keys_), std::move(applies_),
                      [text = std::string(reason)](const ModelConfig&) { return text; }, std::move(except_)) {}
  std::vector<std::string> keys;
  std::function<bool(const ModelConfig&)> applies;
  Why why;
  std::string except;  // a key of the section the rule does not cover (it has a rule of its own)
};

bool sgd(const ModelConfig& c) { return c.dynamics.kind == DynamicsKind::sgd; }
bool damped(const ModelConfig& c) { return c.dynamics.kind == DynamicsKind::damped; }
bool field(const ModelConfig& c) { return c.field.present; }
bool not_sgd(const ModelConfig& c) { return !sgd(c); }
bool not_field(const ModelConfig& c) { return !field(c); }
// Damped dynamics with masses 1/(eta ax) (dynamics.eta_scaling = "depth").
bool scaled_damped(const ModelConfig& c) { return damped(c) && c.dynamics.eta_scaling == EtaScaling::depth; }
bool adaptive(const ModelConfig& c) {
  const StepperKind s = c.integrator.stepper;
  return (s == StepperKind::dopri5 || s == StepperKind::rkf78) && c.integrator.adaptive;
}
bool generated_inputs(const ModelConfig& c) {
  const DataSource s = c.data.source;
  return s == DataSource::teacher || s == DataSource::random || (s == DataSource::pair && c.data.x.empty());
}
bool continuum_initial_state(const ModelConfig& c) {
  return field(c) || c.init.kind == InitKind::continuum || c.init.kind == InitKind::critical ||
         c.data.source == DataSource::continuum;
}
bool continuum_boundary(const ModelConfig& c) { return field(c) || c.data.source == DataSource::continuum; }
bool continuum_velocity(const ModelConfig& c) { return damped(c) && c.init.velocity == InitVelocity::continuum; }

// What a field run draws from run.seed: the random(...) specs of [continuum] it reads
// (continuum_spec.hpp: each from its sub-stream of the seed) and the order of a data set's
// samples when it presents them in shuffled or random order.
bool field_draws_at_random(const ModelConfig& c) {
  const ContinuumConfig& k = c.continuum;
  const int r = c.network.shape.r, K = 2 * r + 1;
  std::vector<std::string> read = {k.phi, k.c, k.X, is_blank(k.Y) ? k.misfit : k.Y};
  for (int j = 0; j < K; ++j) {
    if (j != r) read.push_back(continuum_entry(k.w, j, continuum_default_w(j, r)));
    read.push_back(continuum_entry(k.w_in, j, continuum_default_w_in(K)));
    if (continuum_velocity(c)) read.push_back(continuum_entry(k.w_dot, j, "0"));
  }
  if (continuum_velocity(c)) read.push_back(k.phi_dot);
  if (k.samples > 1) read.push_back(k.dX);
  for (const std::string& text : read) {
    try {
      if (!is_blank(text) && parse_continuum_spec(text).random) return true;
    } catch (const std::exception&) {
      return true;  // the load-time checks name the bad spec; nothing to say about the seed
    }
  }
  const Presentation shown = c.data.presentation;
  return k.samples > 1 && (shown == Presentation::switched || shown == Presentation::blend) &&
         c.data.order != DataOrder::sequential;
}

std::string is(const char* key, const std::string& value) { return std::string(key) + " is " + toml_quote(value); }

// Field runs: the initial state and the data come from [continuum] (docs/field-limit.md).
void field_run_rules(std::vector<Applicability>& t) {
  t.insert(t.end(),
           {
               {{"init.velocity"},
                [](const ModelConfig& c) {
                  return !field(c) || c.init.velocity == InitVelocity::continuum ||
                         c.init.velocity == InitVelocity::zero;
                },
                "a field run starts at rest (\"zero\") or from [continuum] (\"continuum\")"},
               {{"init."}, not_field, "a field run takes its initial state from [continuum]", "init.velocity"},
               {{"data.source", "data.file", "data.samples", "data.x", "data.y", "data.x_kind", "data.x_scale", "data.x_cutoff",
                 "data.y_scale", "data.teacher."},
                not_field,
                "a field run's samples always come from [continuum] (continuum.samples, continuum.dX): data files, "
                "teacher and random data are rough in width"},
               {{"observe.energy_flow"},
                [](const ModelConfig& c) { return !field(c) || c.data.presentation != Presentation::blend; },
                "the field's per-site energy book has no data-power term, and blended data move"},
               {{"run.seed"}, [](const ModelConfig& c) { return !field(c) || field_draws_at_random(c); },
                "every [continuum] field a field run reads is an expression and no sample order is drawn: "
                "nothing in it is random"},
               {{"dynamics.variables"}, [](const ModelConfig& c) { return !field(c) && !sgd(c); },
                [](const ModelConfig& c) {
                  return field(c) ? std::string("the field solver has no BBD coordinate option")
                                  : std::string("dynamics.kind is \"sgd\"");
                }},
           });
}

// A rule for keys read only when `key` holds `value`.
Applicability only_when(std::vector<std::string> keys, const char* key, InitKind value) {
  return {std::move(keys), [value](const ModelConfig& c) { return c.init.kind == value; },
          [key, value](const ModelConfig& c) {
            return is(key, name(c.init.kind)) + ", not " + toml_quote(name(value));
          }};
}
Applicability only_when(std::vector<std::string> keys, const char* key, DataSource value) {
  return {std::move(keys), [value](const ModelConfig& c) { return c.data.source == value; },
          [key, value](const ModelConfig& c) {
            return is(key, name(c.data.source)) + ", not " + toml_quote(name(value));
          }};
}

// The initial state.
void initial_state_rules(std::vector<Applicability>& t) {
  t.insert(t.end(),
           {
               only_when({"init.sigma_w", "init.sigma_b"}, "init.kind", InitKind::random),
               only_when({"init.smooth."}, "init.kind", InitKind::smooth),
               {{"init.velocity"}, damped, "only damped dynamics have velocities"},
               {{"init.velocity"},
                [](const ModelConfig& c) {
                  return c.init.velocity != InitVelocity::continuum || c.continuum.present;
                },
                "init.velocity = \"continuum\" needs a [continuum] section (phi_dot, w_dot)"},
               {{"init.sigma_v"},
                [](const ModelConfig& c) { return damped(c) && c.init.velocity == InitVelocity::random; },
                [](const ModelConfig& c) {
                  return is("init.velocity", name(c.init.velocity)) + ", not \"random\" with damped dynamics";
                }},
               {{"init.smooth_velocity."},
                [](const ModelConfig& c) { return damped(c) && c.init.velocity == InitVelocity::smooth; },
                [](const ModelConfig& c) {
                  return is("init.velocity", name(c.init.velocity)) + ", not \"smooth\" with damped dynamics";
                }},
           });
}

// The data.
void data_rules(std::vector<Applicability>& t) {
  t.insert(t.end(),
           {
               only_when({"data.x", "data.y"}, "data.source", DataSource::pair),
               only_when({"data.teacher."}, "data.source", DataSource::teacher),
               {{"data.samples"},
                [](const ModelConfig& c) {
                  return c.data.source == DataSource::teacher || c.data.source == DataSource::random;
                },
                [](const ModelConfig& c) {
                  return is("data.source", name(c.data.source)) +
                         (c.data.source == DataSource::continuum ? ": continuum.samples gives their number"
                                                                 : ": the samples are given");
                }},
               {{"data.x_kind", "data.x_scale"}, generated_inputs,
                "no inputs are generated (data.source and data.x give them)"},
               {{"data.x_cutoff"},
                [](const ModelConfig& c) { return generated_inputs(c) && c.data.x_kind == InputKind::smooth; },
                "it applies to generated inputs with data.x_kind = \"smooth\""},
               {{"data.y_scale"},
                [](const ModelConfig& c) {
                  return c.data.source == DataSource::random || (c.data.source == DataSource::pair && c.data.y.empty());
                },
                "no targets are drawn at random (data.source and data.y give them)"},
               {{"data.presentation"}, not_sgd, "sgd presents mini-batches of dynamics.batch samples"},
               {{"data.tau"},
                [](const ModelConfig& c) {
                  return !sgd(c) &&
                         (c.data.presentation == Presentation::switched || c.data.presentation == Presentation::blend);
                },
                "it applies to data.presentation = \"switch\" or \"blend\""},
               {{"data.order"},
                [](const ModelConfig& c) {
                  return sgd(c) || c.data.presentation == Presentation::switched ||
                         c.data.presentation == Presentation::blend;
                },
                [](const ModelConfig& c) {
                  return is("data.presentation", name(c.data.presentation)) + ": one fixed order";
                }},
           });
}

// The dynamics and its integrator.
void dynamics_rules(std::vector<Applicability>& t) {
  t.insert(t.end(),
           {
               {{"dynamics.gamma"}, damped, "it is the friction of damped dynamics"},
               {{"dynamics.eta"}, [](const ModelConfig& c) { return !damped(c) || scaled_damped(c); },
                "damped dynamics read a rate only with dynamics.eta_scaling = \"depth\" (masses 1/(eta ax))"},
               {{"dynamics.batch"}, sgd, "it is the mini-batch of sgd"},
               {{"dynamics.steps"}, sgd, "continuous dynamics run to dynamics.t_end"},
               {{"dynamics.t_end"}, not_sgd, "sgd runs dynamics.steps steps"},
               {{"integrator."}, not_sgd, "sgd is a discrete map, not integrated"},
               {{"integrator.adaptive"},
                [](const ModelConfig& c) {
                  return c.integrator.stepper == StepperKind::dopri5 || c.integrator.stepper == StepperKind::rkf78;
                },
                [](const ModelConfig& c) {
                  return is("integrator.stepper", name(c.integrator.stepper)) + ", which has no error control";
                }},
               {{"integrator.rtol", "integrator.atol", "integrator.dt_min"}, adaptive, "the stepper takes fixed steps"},
           });
}

// Output and observers.
void output_rules(std::vector<Applicability>& t) {
  t.insert(t.end(),
           {
               {{"output.every"}, not_sgd, "sgd writes every output.every_steps steps"},
               {{"output.every_steps"}, sgd, "continuous runs write every output.every"},
               {{"observe.energy_flow", "observe.lagrangian", "dynamics.variables"},
                [](const ModelConfig& c) { return !scaled_damped(c); },
                "the BBD energy books assume unit masses, and dynamics.eta_scaling = \"depth\" gives damped runs "
                "masses 1/(eta ax)"},
               {{"observe.field", "observe.every"},
                [](const ModelConfig& c) { return !c.observe.correlators.empty() || c.observe.autocorrelation; },
                "observe.correlators is empty and observe.autocorrelation is false"},
           });
}

// The continuum data.
void continuum_rules(std::vector<Applicability>& t) {
  t.insert(t.end(),
           {
               {{"continuum.phi_dot", "continuum.w_dot"}, continuum_velocity,
                "it gives damped runs' initial velocities (init.velocity = \"continuum\")"},
               {{"continuum.X", "continuum.Y", "continuum.misfit", "continuum.misfit_scaling", "continuum.samples",
                 "continuum.dX"},
                continuum_boundary, "the data come from [data] (use data.source = \"continuum\")"},
               {{"continuum.dX"}, [](const ModelConfig& c) { return c.continuum.samples > 1; },
                "continuum.samples is 1: the one sample's input is continuum.X itself"},
               {{"continuum."}, continuum_initial_state,
                "nothing reads [continuum]: use init.kind = \"continuum\" or \"critical\", data.source = "
                "\"continuum\", or a [field] section"},
           });
}

const std::vector<Applicability>& rules() {
  static const std::vector<Applicability> table = [] {
    std::vector<Applicability> t;
    field_run_rules(t);
    initial_state_rules(t);
    data_rules(t);
    dynamics_rules(t);
    output_rules(t);
    continuum_rules(t);
    return t;
  }();
  return table;
}

// ---- What the command reads (ModelUse) ----

// A rule of the command a model is loaded for: `keys` (as Applicability's; "*" every key
// but `except`) are not read when `refuses` holds for the use. `overrides_only`: refused
// only when an override gives them; in the model file they describe what else the file is
// for (`nnfield run` of it). Without `command`, the rule is for every command.
struct CommandRule {
  std::optional<ModelCommand> command;
  std::vector<std::string> keys;
  std::function<bool(const ModelUse&)> refuses;
  std::string why;
  bool overrides_only = false;
  std::vector<std::string> except = {};
  std::function<bool(const ModelConfig&)> when = {};  // and only for such models (none: every model)
};

bool always(const ModelUse&) { return true; }

// Keys no run kept in memory reads, whatever its configuration: checkpoints go beside a
// run file (docs/output-schema.md, "Checkpoint and restart"), and there is no file to flush.
void storage_rules(std::vector<CommandRule>& t) {
  const auto in_memory = [](const ModelUse& u) { return u.storage == RunStorage::memory; };
  t.insert(t.end(),
           {{std::nullopt, {"output.checkpoint_every", "output.checkpoint_seconds"}, in_memory,
             "runs kept in memory (nnfield ensemble and compare, the Python module without an output file) take "
             "no checkpoints"},
            {std::nullopt, {"output.flush_every"}, in_memory,
             "runs kept in memory (nnfield ensemble and compare, the Python module without an output file) have no "
             "file to flush"}});
}

// nnfield propagate: random networks of the model's shape at initialisation; the keys it
// reads are propagate_model_keys() (below).
void propagate_rules(std::vector<CommandRule>& t) {
  const ModelCommand p = ModelCommand::propagate;
  std::vector<std::string> copied = propagate_model_keys();
  copied.push_back("run.title");
  t.insert(t.end(),
           {{p, {"init.sigma_w"}, [](const ModelUse& u) { return u.sigma_w_given; }, "--sigma-w gives sigma_w", true},
            {p, {"init.sigma_b"}, [](const ModelUse& u) { return u.sigma_b_given; }, "--sigma-b gives sigma_b", true},
            {p, {"run.seed"}, [](const ModelUse& u) { return u.seed_given; }, "--seed gives the seed", true},
            {p, {"*"}, always, "it reads only " + propagate_model_keys_text() + " (run.title is copied into the output)",
             true, copied}});
}

// nnfield ensemble: the model once per seed of --seeds.
void ensemble_rules(std::vector<CommandRule>& t) {
  const ModelCommand e = ModelCommand::ensemble;
  t.insert(t.end(),
           {{e, {"output.trajectory"}, always, "ensemble keeps only loss and z of each seed's run"},
            {e, {"observe.lagrangian", "observe.autocorrelation"}, always,
             "ensemble averages the /trajectory and /energy series and the correlators, not /lagrangian or "
             "/autocorrelation"},
            // ensemble_teacher.toml, made for ensemble, sets run.seed: in the file it is the
            // seed of `nnfield run` of the model.
            {e, {"run.seed"}, [](const ModelUse& u) { return !u.bootstrap_errors; },
             "--seeds gives each run's seed; run.seed seeds only the resamples of --error bootstrap", true}});
}

// nnfield compare: networks at refined levels and field runs, all from [continuum]. The data
// keys are judged as for a field run (as_run): its samples come from [continuum], presented
// by data.presentation, tau and order, which compare's networks follow too.
void compare_rules(std::vector<CommandRule>& t) {
  const ModelCommand c = ModelCommand::compare;
  t.insert(t.end(),
           {{c, {"init."}, always, "compare's networks and field runs start from [continuum]", false, {"init.velocity"}},
            {c, {"output.trajectory"}, always, "compare records what it compares (its networks' W, b, z, loss, gain)"},
            {c, {"observe."}, always, "compare's runs measure no observers, only what it compares"},
            {c, {"field.form"}, always,
             "compare runs the midpoint form at each order of --orders and the lattice-exact form at the base level"},
            // compare_small.toml, made for compare, sets field.p for `nnfield run` of it.
            {c, {"field.p"}, always, "compare runs each order of --orders", true},
            {c, {"field.rx", "field.ry"}, [](const ModelUse& u) { return u.coarsen_given; },
             "--coarsen gives the coarse-graining factors", true},

            // SGD's steps do not depend on where rows are written, and compare writes its own.
            {c, {"output.every_steps"}, always,
             "compare's SGD runs write a row at each compared time; the steps do not depend on the cadence", false,
             {}, sgd}});
}

// compare starts its networks from [continuum] and takes their data from it: a model file
// that says so (a network model built from [continuum] data, as `nnfield run` of it needs)
// says what compare does, and is taken. An override of these keys asks for nothing compare
// would not do anyway: refused.
bool says_what_compare_does(const ModelConfig& c, const std::string& key) {
  return (key == "init.kind" && c.init.kind == InitKind::continuum) ||
         (key == "data.source" && c.data.source == DataSource::continuum);
}

const std::vector<CommandRule>& command_rules() {
  static const std::vector<CommandRule> table = [] {
    std::vector<CommandRule> t;
    storage_rules(t);
    propagate_rules(t);
    ensemble_rules(t);
    compare_rules(t);
    return t;
  }();
  return table;
}

bool matches(const std::vector<std::string>& keys, const std::string& key) {
  for (const std::string& k : keys)
    if (k == "*" || (k.back() == '.' ? key.compare(0, k.size(), k) == 0 : key == k)) return true;
  return false;
}

bool matches(const Applicability& rule, const std::string& key) {
  return key != rule.except && matches(rule.keys, key);
}

// A key that holds its default changes nothing whether read or not: a resolved
// configuration (every key written out) loads back.
bool holds_default(const ModelConfig& c, const std::string& key) {
  const ModelKey* k = find_model_key(key);
  static const ModelConfig defaults;
  return k && toml_literal(k->get(c)) == toml_literal(k->get(defaults));
}

// The first rule of `table` that says `key` is not read, if any.
const Applicability* refusing_rule(const std::vector<Applicability>& table, const ModelConfig& c,
                                   const std::string& key) {
  for (const Applicability& rule : table)
    if (matches(rule, key) && !rule.applies(c)) return &rule;
  return nullptr;
}

// The first command rule that says `key`, given in the file or by an override, is not read.
const CommandRule* refusing_command_rule(const ModelUse& use, const ModelConfig& c, const std::string& key,
                                         bool overridden) {
  for (const CommandRule& rule : command_rules())
    if ((!rule.command || *rule.command == use.command) && (overridden || !rule.overrides_only) &&
        matches(rule.keys, key) && !matches(rule.except, key) && rule.refuses(use) && (!rule.when || rule.when(c)))
      return &rule;
  return nullptr;
}

std::string command_name(ModelCommand c) {
  switch (c) {
    case ModelCommand::run: return "run";
    case ModelCommand::ensemble: return "ensemble";
    case ModelCommand::propagate: return "propagate";
    case ModelCommand::compare: return "compare";
  }
  return "?";
}

Violation refusal(const CommandRule& rule, const std::string& key) {
  const std::string who = rule.command ? "nnfield " + command_name(*rule.command) : "this run";
  return {key, {}, key + " is not read by " + who + ": " + rule.why};
}

// The configuration the run rules judge. compare runs the field solver on the model at every
// level (and networks from [continuum]), whether or not the file has a [field] section.
ModelConfig as_run(const ModelConfig& c, const ModelUse& use) {
  ModelConfig view = c;
  if (use.command == ModelCommand::compare) view.field.present = true;
  return view;
}

// compare's networks integrate in dynamics.variables (make_training_dynamics), its field runs
// in (w, beta), which has no such option: the key is judged as for a network run.
bool read_by_compare_networks(const ModelUse& use, const std::string& key) {
  return use.command == ModelCommand::compare && key == "dynamics.variables";
}

}  // namespace

std::vector<Violation> unread_keys(const ModelConfig& c, const std::vector<GivenKey>& given, const ModelUse& use) {
  std::vector<Violation> out;
  const ModelConfig run = as_run(c, use);
  ModelConfig networks = c;  // compare's networks: no [field]
  networks.field.present = false;
  for (const GivenKey& key : given) {
    if (use.command == ModelCommand::compare && !key.overridden && says_what_compare_does(c, key.name)) continue;
    // An override asks for a value, even the default one: the command refuses it if it does
    // not read the key. In the file a default changes nothing (resolved configurations load back).
    const bool at_default = holds_default(c, key.name);
    if (key.overridden || !at_default)
      if (const CommandRule* rule = refusing_command_rule(use, c, key.name, key.overridden)) {
        out.push_back(refusal(*rule, key.name));
        continue;
      }
    if (at_default) continue;
    // propagate runs nothing: the keys it reads are its own, whatever a run would make of them.
    if (use.command == ModelCommand::propagate && !refusing_command_rule(use, c, key.name, true)) continue;
    // ensemble's bootstrap resamples draw from run.seed, whatever its runs draw.
    if (use.command == ModelCommand::ensemble && use.bootstrap_errors && key.name == "run.seed") continue;
    const ModelConfig& view = read_by_compare_networks(use, key.name) ? networks : run;
    if (const Applicability* rule = refusing_rule(rules(), view, key.name))
      out.push_back({key.name, {}, key.name + " is not read by this run: " + rule->why(view)});
  }
  return out;
}

std::vector<Violation> keys_unread_in_memory(const ModelConfig& c) {
  const ModelUse memory(RunStorage::memory);
  std::vector<Violation> out;
  for (const ModelKey& k : model_keys())
    if (!holds_default(c, k.name))
      if (const CommandRule* rule = refusing_command_rule(memory, c, k.name, false)) out.push_back(refusal(*rule, k.name));
  return out;
}

}  // namespace nnfield::detail

namespace nnfield {

ModelUse ModelUse::ensemble(bool bootstrap_errors) {
  ModelUse use(RunStorage::memory);
  use.command = ModelCommand::ensemble;
  use.bootstrap_errors = bootstrap_errors;
  return use;
}

ModelUse ModelUse::compare(bool coarsen_given) {
  ModelUse use(RunStorage::memory);
  use.command = ModelCommand::compare;
  use.coarsen_given = coarsen_given;
  return use;
}

const std::vector<std::string>& propagate_model_keys() {
  static const std::vector<std::string> keys = {"network.M",    "network.N",    "network.r", "network.activation",
                                                "init.sigma_w", "init.sigma_b", "run.seed"};
  return keys;
}

std::string propagate_model_keys_text() {
  const std::vector<std::string>& keys = propagate_model_keys();
  std::string out;
  for (std::size_t i = 0; i < keys.size(); ++i)
    out += (i == 0 ? "" : i + 1 == keys.size() ? " and " : ", ") + keys[i];
  return out;
}

// propagate runs nothing: its model file is checked as for `nnfield run` of the file.
ModelUse ModelUse::propagate(bool sigma_w_given, bool sigma_b_given, bool seed_given) {
  ModelUse use(RunStorage::file);
  use.command = ModelCommand::propagate;
  use.sigma_w_given = sigma_w_given;
  use.sigma_b_given = sigma_b_given;
  use.seed_given = seed_given;
  return use;
}

}  // namespace nnfield
