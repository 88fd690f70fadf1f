// Which keys a run reads: a key the user gave that the run would not read is refused with
// the reason, never accepted and ignored (tests/config/test_key_coverage.cpp walks every
// key of the schema over every run kind). Defaults are never refused: only given keys.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "config/config_schema.hpp"

namespace nnfield::detail {
namespace {

// A rule: keys named `key` (or, ending in '.', every key of that section) are read only
// when `applies` holds; otherwise `why` says what would make them count.
struct Applicability {
  Applicability(std::string key_, std::function<bool(const ModelConfig&)> applies_,
                std::function<std::string(const ModelConfig&)> why_, std::string except_ = "")
      : key(std::move(key_)), applies(std::move(applies_)), why(std::move(why_)), except(std::move(except_)) {}
  std::string key;
  std::function<bool(const ModelConfig&)> applies;
  std::function<std::string(const ModelConfig&)> why;
  std::string except;  // a key of the section the rule does not cover (it has a rule of its own)
};

bool sgd(const ModelConfig& c) { return c.dynamics.kind == DynamicsKind::sgd; }
bool damped(const ModelConfig& c) { return c.dynamics.kind == DynamicsKind::damped; }
bool field(const ModelConfig& c) { return c.field.present; }
// Damped dynamics with masses 1/(eta ax) (dynamics.eta_scaling = "depth").
bool scaled_damped(const ModelConfig& c) { return damped(c) && c.dynamics.eta_scaling == EtaScaling::depth; }
std::string unit_mass_books(const ModelConfig&) {
  return "the BBD energy books assume unit masses, and dynamics.eta_scaling = \"depth\" gives damped runs "
         "masses 1/(eta ax)";
}
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

std::string is(const char* key, const std::string& value) { return std::string(key) + " is " + toml_quote(value); }

// Field runs: the initial state and the data come from [continuum] (docs/field-limit.md).
void field_run_rules(std::vector<Applicability>& t) {
  t.insert(t.end(),
           {
               {"init.velocity",
                [](const ModelConfig& c) {
                  return !field(c) || c.init.velocity == InitVelocity::continuum ||
                         c.init.velocity == InitVelocity::zero;
                },
                [](const ModelConfig&) {
                  return std::string("a field run starts at rest (\"zero\") or from [continuum] (\"continuum\")");
                }},
               {"init.", [](const ModelConfig& c) { return !field(c); },
                [](const ModelConfig&) { return std::string("a field run takes its initial state from [continuum]"); },
                "init.velocity"},
               {"data.", [](const ModelConfig& c) { return !field(c); },
                [](const ModelConfig&) {
                  return std::string(
                      "a field run takes its data from [continuum] (X, misfit or Y); [data] is for network runs");
                }},
               {"output.trajectory", [](const ModelConfig& c) { return !field(c); },
                [](const ModelConfig&) {
                  return std::string("a field run writes its own grid datasets (docs/output-schema.md)");
                }},
               {"dynamics.variables", [](const ModelConfig& c) { return !field(c) && !sgd(c); },
                [](const ModelConfig& c) {
                  return field(c) ? std::string("the field solver has no BBD coordinate option")
                                  : std::string("dynamics.kind is \"sgd\"");
                }},
           });
}

// The initial state.
void initial_state_rules(std::vector<Applicability>& t) {
  t.insert(
      t.end(),
      {
          {"init.sigma_w", [](const ModelConfig& c) { return c.init.kind == InitKind::random; },
           [](const ModelConfig& c) { return is("init.kind", name(c.init.kind)) + ", not \"random\""; }},
          {"init.sigma_b", [](const ModelConfig& c) { return c.init.kind == InitKind::random; },
           [](const ModelConfig& c) { return is("init.kind", name(c.init.kind)) + ", not \"random\""; }},
          {"init.smooth.", [](const ModelConfig& c) { return c.init.kind == InitKind::smooth; },
           [](const ModelConfig& c) { return is("init.kind", name(c.init.kind)) + ", not \"smooth\""; }},
          {"init.velocity", damped,
           [](const ModelConfig&) { return std::string("only damped dynamics have velocities"); }},
          {"init.velocity",
           [](const ModelConfig& c) { return c.init.velocity != InitVelocity::continuum || c.continuum.present; },
           [](const ModelConfig&) {
             return std::string("init.velocity = \"continuum\" needs a [continuum] section (phi_dot, w_dot)");
           }},
          {"init.sigma_v", [](const ModelConfig& c) { return damped(c) && c.init.velocity == InitVelocity::random; },
           [](const ModelConfig& c) {
             return is("init.velocity", name(c.init.velocity)) + ", not \"random\" with damped dynamics";
           }},
          {"init.smooth_velocity.",
           [](const ModelConfig& c) { return damped(c) && c.init.velocity == InitVelocity::smooth; },
           [](const ModelConfig& c) {
             return is("init.velocity", name(c.init.velocity)) + ", not \"smooth\" with damped dynamics";
           }},
      });
}

// The data.
void data_rules(std::vector<Applicability>& t) {
  t.insert(
      t.end(),
      {
          {"data.x", [](const ModelConfig& c) { return c.data.source == DataSource::pair; },
           [](const ModelConfig& c) { return is("data.source", name(c.data.source)) + ", not \"pair\""; }},
          {"data.y", [](const ModelConfig& c) { return c.data.source == DataSource::pair; },
           [](const ModelConfig& c) { return is("data.source", name(c.data.source)) + ", not \"pair\""; }},
          {"data.samples",
           [](const ModelConfig& c) {
             return c.data.source == DataSource::teacher || c.data.source == DataSource::random;
           },
           [](const ModelConfig& c) { return is("data.source", name(c.data.source)) + ": the samples are given"; }},
          {"data.x_kind", generated_inputs,
           [](const ModelConfig&) {
             return std::string("no inputs are generated (data.source and data.x give them)");
           }},
          {"data.x_scale", generated_inputs,
           [](const ModelConfig&) {
             return std::string("no inputs are generated (data.source and data.x give them)");
           }},
          {"data.x_cutoff",
           [](const ModelConfig& c) { return generated_inputs(c) && c.data.x_kind == InputKind::smooth; },
           [](const ModelConfig&) {
             return std::string("it applies to generated inputs with data.x_kind = \"smooth\"");
           }},
          {"data.y_scale",
           [](const ModelConfig& c) {
             return c.data.source == DataSource::random || (c.data.source == DataSource::pair && c.data.y.empty());
           },
           [](const ModelConfig&) {
             return std::string("no targets are drawn at random (data.source and data.y give them)");
           }},
          {"data.teacher.", [](const ModelConfig& c) { return c.data.source == DataSource::teacher; },
           [](const ModelConfig& c) { return is("data.source", name(c.data.source)) + ", not \"teacher\""; }},
          {"data.presentation", [](const ModelConfig& c) { return !sgd(c); },
           [](const ModelConfig&) { return std::string("sgd presents mini-batches of dynamics.batch samples"); }},
          {"data.tau",
           [](const ModelConfig& c) {
             return !sgd(c) &&
                    (c.data.presentation == Presentation::switched || c.data.presentation == Presentation::blend);
           },
           [](const ModelConfig&) { return std::string("it applies to data.presentation = \"switch\" or \"blend\""); }},
          {"data.order",
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
               {"dynamics.gamma", damped,
                [](const ModelConfig&) { return std::string("it is the friction of damped dynamics"); }},
               {"dynamics.eta", [](const ModelConfig& c) { return !damped(c) || scaled_damped(c); },
                [](const ModelConfig&) {
                  return std::string(
                      "damped dynamics read a rate only with dynamics.eta_scaling = \"depth\" (masses 1/(eta ax))");
                }},
               {"dynamics.batch", sgd, [](const ModelConfig&) { return std::string("it is the mini-batch of sgd"); }},
               {"dynamics.steps", sgd,
                [](const ModelConfig&) { return std::string("continuous dynamics run to dynamics.t_end"); }},
               {"dynamics.t_end", [](const ModelConfig& c) { return !sgd(c); },
                [](const ModelConfig&) { return std::string("sgd runs dynamics.steps steps"); }},
               {"integrator.", [](const ModelConfig& c) { return !sgd(c); },
                [](const ModelConfig&) { return std::string("sgd is a discrete map, not integrated"); }},
               {"integrator.adaptive",
                [](const ModelConfig& c) {
                  return c.integrator.stepper == StepperKind::dopri5 || c.integrator.stepper == StepperKind::rkf78;
                },
                [](const ModelConfig& c) {
                  return is("integrator.stepper", name(c.integrator.stepper)) + ", which has no error control";
                }},
               {"integrator.rtol", adaptive,
                [](const ModelConfig&) { return std::string("the stepper takes fixed steps"); }},
               {"integrator.atol", adaptive,
                [](const ModelConfig&) { return std::string("the stepper takes fixed steps"); }},
               {"integrator.dt_min", adaptive,
                [](const ModelConfig&) { return std::string("the stepper takes fixed steps"); }},
           });
}

// Output and observers.
void output_rules(std::vector<Applicability>& t) {
  t.insert(t.end(),
           {
               {"output.every", [](const ModelConfig& c) { return !sgd(c); },
                [](const ModelConfig&) { return std::string("sgd writes every output.every_steps steps"); }},
               {"output.every_steps", sgd,
                [](const ModelConfig&) { return std::string("continuous runs write every output.every"); }},
               {"observe.energy_flow", [](const ModelConfig& c) { return !scaled_damped(c); }, unit_mass_books},
               {"observe.lagrangian", [](const ModelConfig& c) { return !scaled_damped(c); }, unit_mass_books},
               {"dynamics.variables", [](const ModelConfig& c) { return !scaled_damped(c); }, unit_mass_books},
               {"observe.field", [](const ModelConfig& c) { return !c.observe.correlators.empty(); },
                [](const ModelConfig&) { return std::string("observe.correlators is empty"); }},
               {"observe.every", [](const ModelConfig& c) { return !c.observe.correlators.empty(); },
                [](const ModelConfig&) { return std::string("observe.correlators is empty"); }},
           });
}

// The continuum data.
void continuum_rules(std::vector<Applicability>& t) {
  t.insert(t.end(),
           {
               {"continuum.phi_dot", continuum_velocity,
                [](const ModelConfig&) {
                  return std::string("it gives damped runs' initial velocities (init.velocity = \"continuum\")");
                }},
               {"continuum.w_dot", continuum_velocity,
                [](const ModelConfig&) {
                  return std::string("it gives damped runs' initial velocities (init.velocity = \"continuum\")");
                }},
               {"continuum.X", continuum_boundary,
                [](const ModelConfig&) {
                  return std::string("the data come from [data] (use data.source = \"continuum\")");
                }},
               {"continuum.Y", continuum_boundary,
                [](const ModelConfig&) {
                  return std::string("the data come from [data] (use data.source = \"continuum\")");
                }},
               {"continuum.misfit", continuum_boundary,
                [](const ModelConfig&) {
                  return std::string("the data come from [data] (use data.source = \"continuum\")");
                }},
               {"continuum.misfit_scaling", continuum_boundary,
                [](const ModelConfig&) {
                  return std::string("the data come from [data] (use data.source = \"continuum\")");
                }},
               {"continuum.", continuum_initial_state,
                [](const ModelConfig&) {
                  return std::string(
                      "nothing reads [continuum]: use init.kind = \"continuum\" or \"critical\", data.source = "
                      "\"continuum\", or a [field] section");
                }},
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

bool matches(const Applicability& rule, const std::string& key) {
  if (key == rule.except) return false;
  return rule.key.back() == '.' ? key.compare(0, rule.key.size(), rule.key) == 0 : key == rule.key;
}

// A key that holds its default changes nothing whether read or not: a resolved
// configuration (every key written out) loads back.
bool holds_default(const ModelConfig& c, const std::string& key) {
  const ModelKey* k = find_model_key(key);
  static const ModelConfig defaults;
  return k && toml_literal(k->get(c)) == toml_literal(k->get(defaults));
}

}  // namespace

std::vector<Violation> unread_keys(const ModelConfig& c, const std::vector<std::string>& given) {
  std::vector<Violation> out;
  for (const std::string& key : given) {
    if (holds_default(c, key)) continue;
    for (const Applicability& rule : rules())
      if (matches(rule, key) && !rule.applies(c)) {
        out.push_back({key, {}, key + " is not read by this run: " + rule.why(c)});
        break;
      }
  }
  return out;
}

}  // namespace nnfield::detail
