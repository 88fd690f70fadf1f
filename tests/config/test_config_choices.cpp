// Model-file keys with a fixed set of choices (config_choices.hpp): every choice of a key
// held as an enum (or a list of one) round-trips name -> enum -> name, through the schema
// and through a model file and its resolved TOML; the schema's choice list, the enum's
// name table and the names written out here agree; and every key with choices is held so.
#include <catch2/catch.hpp>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/config_schema.hpp"
#include "nnfield/config/config.hpp"

using namespace nnfield;
using Catch::Matchers::Contains;

namespace {

template <class E>
std::string shown(E e) {
  return name(e);
}
template <class E>
std::string shown(const std::optional<E>& e) {
  return e ? name(*e) : "";
}
// A list of choices holding one entry (the spellings of a list key are one-entry lists).
template <class E>
std::string shown(const std::vector<E>& e) {
  return e.size() == 1 ? name(e.front()) : "(not one entry)";
}

template <class T>
struct IsVector : std::false_type {};
template <class E>
struct IsVector<std::vector<E>> : std::true_type {};

template <class T>
std::vector<std::string> expected_choices() {
  if constexpr (std::is_enum_v<T>) {
    return choice_names<T>();
  } else if constexpr (IsVector<T>::value) {
    return choice_names<typename T::value_type>();  // each entry one of the names
  } else {
    std::vector<std::string> names{""};  // an optional choice: "" is none
    for (const auto& n : choice_names<typename T::value_type>()) names.push_back(n);
    return names;
  }
}

// The value of the field `Get` reads, with the name each choice is written as.
template <class Get>
using Spellings = std::vector<std::pair<std::decay_t<std::invoke_result_t<Get, const ModelConfig&>>, std::string>>;

// `key` holds the field `get` reads. `spellings` names every value again, apart from
// Choices<E>: the schema's choice list must be exactly these names in this order and, for
// a `whole_table` key, the enum's name table; each choice survives the schema (set, get),
// a model file (--set) and the resolved TOML read back. A list key (a vector of an enum)
// is checked with one-entry lists. A name added to a table without its enumerator, or to
// the schema without the table, fails here.
// The model file a choice is loaded into: files named by init.file and data.file are only
// opened by a run, not by the loader; gamma = 0 lets the symplectic stepper be chosen.
const char* const kChoiceModel = "[init]\nfile = \"i.h5\"\n[data]\nfile = \"d.h5\"\n[dynamics]\ngamma = 0.0\n";
using ChoiceModel = std::function<std::string(const std::string& choice)>;

template <class Get>
void check_choice_key(const std::string& key_name, Get get, const Spellings<Get>& spellings,
                      bool whole_table = true, const ChoiceModel& model_for = {}) {
  using T = std::decay_t<std::invoke_result_t<Get, const ModelConfig&>>;
  constexpr bool list = IsVector<T>::value;
  INFO("key " << key_name);
  const detail::ModelKey* key = detail::find_model_key(key_name);
  REQUIRE(key != nullptr);
  CHECK(key->kind == (list ? detail::ValueKind::string_array : detail::ValueKind::string));
  if (whole_table) CHECK(key->choices == expected_choices<T>());
  std::vector<std::string> names;
  for (const auto& s : spellings) names.push_back(s.second);
  CHECK(key->choices == names);
  for (const auto& [value, choice] : spellings) {
    INFO("choice \"" << choice << "\"");
    const std::string literal = list ? "[\"" + choice + "\"]" : "\"" + choice + "\"";
    ModelConfig c;
    key->set(c, list ? detail::Value{std::vector<std::string>{choice}} : detail::Value{choice});
    CHECK(get(c) == value);
    CHECK(shown(value) == choice);
    CHECK(detail::toml_literal(key->get(c)) == literal);

    const ModelConfig m = load_model_string(model_for ? model_for(choice) : std::string(kChoiceModel), "m.toml",
                                            {key_name + "=" + literal}, nnfield::UnreadKeys::accept);
    CHECK(get(m) == value);
    CHECK_THAT(m.resolved_toml, Contains("\n" + detail::leaf_of(key_name) + " = " + literal + "\n"));
    CHECK(get(load_model_string(m.resolved_toml, "resolved.toml", {}, nnfield::UnreadKeys::accept)) == value);
  }
}

}  // namespace

TEST_CASE("choice keys: every choice round-trips name -> enum -> name, schema lists are the name tables",
          "[config][choices]") {
  std::set<std::string> converted;
  auto check = [&converted](const std::string& key, auto get, const Spellings<decltype(get)>& spellings,
                            bool whole_table = true, const ChoiceModel& model_for = {}) {
    converted.insert(key);
    check_choice_key(key, get, spellings, whole_table, model_for);
  };
  using A = Activation;
  check("network.activation", [](const ModelConfig& c) { return c.network.activation; },
        {{A::tanh, "tanh"}, {A::sigmoid, "sigmoid"}, {A::softplus, "softplus"}, {A::erf, "erf"}, {A::sin, "sin"},
         {A::gelu, "gelu"}});
  check("network.loss", [](const ModelConfig& c) { return c.network.loss; },
        {{Loss::mse, "mse"}, {Loss::logistic, "logistic"}});
  check("init.kind", [](const ModelConfig& c) { return c.init.kind; },
        {{InitKind::random, "random"}, {InitKind::file, "file"}, {InitKind::smooth, "smooth"},
         {InitKind::critical, "critical"}, {InitKind::continuum, "continuum"}});
  check("init.velocity", [](const ModelConfig& c) { return c.init.velocity; },
        {{InitVelocity::zero, "zero"}, {InitVelocity::random, "random"}, {InitVelocity::smooth, "smooth"},
         {InitVelocity::file, "file"}, {InitVelocity::continuum, "continuum"}});
  check("data.source", [](const ModelConfig& c) { return c.data.source; },
        {{DataSource::pair, "pair"}, {DataSource::file, "file"}, {DataSource::teacher, "teacher"},
         {DataSource::random, "random"}, {DataSource::continuum, "continuum"}});
  check("data.x_kind", [](const ModelConfig& c) { return c.data.x_kind; },
        {{InputKind::random, "random"}, {InputKind::smooth, "smooth"}});
  check("data.presentation", [](const ModelConfig& c) { return c.data.presentation; },
        {{Presentation::fixed, "fixed"}, {Presentation::switched, "switch"}, {Presentation::blend, "blend"},
         {Presentation::full_batch, "full_batch"}});
  check("data.order", [](const ModelConfig& c) { return c.data.order; },
        {{DataOrder::sequential, "sequential"}, {DataOrder::shuffle, "shuffle"}, {DataOrder::random, "random"}});
  check("data.teacher.activation", [](const ModelConfig& c) { return c.data.teacher.activation; },
        {{std::nullopt, ""}, {A::tanh, "tanh"}, {A::sigmoid, "sigmoid"}, {A::softplus, "softplus"}, {A::erf, "erf"},
         {A::sin, "sin"}, {A::gelu, "gelu"}});
  check("dynamics.kind", [](const ModelConfig& c) { return c.dynamics.kind; },
        {{DynamicsKind::damped, "damped"}, {DynamicsKind::gradient_flow, "gradient_flow"},
         {DynamicsKind::sgd, "sgd"}});
  check("dynamics.variables", [](const ModelConfig& c) { return c.dynamics.variables; },
        {{DynamicsVariables::wb, "wb"}, {DynamicsVariables::bbd, "bbd"}});
  check("dynamics.eta_scaling", [](const ModelConfig& c) { return c.dynamics.eta_scaling; },
        {{EtaScaling::none, "none"}, {EtaScaling::depth, "depth"}});
  check("integrator.stepper", [](const ModelConfig& c) { return c.integrator.stepper; },
        {{StepperKind::rk4, "rk4"}, {StepperKind::dopri5, "dopri5"}, {StepperKind::rkf78, "rkf78"},
         {StepperKind::symplectic, "symplectic"}});
  using T = TrajectoryDataset;
  // Velocities need damped dynamics, the field's names a field run.
  const ChoiceModel trajectory_model = [](const std::string& choice) {
    const std::set<std::string> network_names{"W", "b", "z", "loss", "gain", "Wdot", "bdot"};
    const bool field_name = network_names.count(choice) == 0;
    const bool velocity = choice == "Wdot" || choice == "bdot";
    if (field_name) return std::string("[field]\n[dynamics]\nkind = \"damped\"\ngamma = 1.0\n");
    return std::string(kChoiceModel) + (velocity ? "kind = \"damped\"\n" : "");
  };
  check("output.trajectory", [](const ModelConfig& c) { return c.output.trajectory; },
        {{{T::W}, "W"}, {{T::b}, "b"}, {{T::z}, "z"}, {{T::loss}, "loss"}, {{T::gain}, "gain"},
         {{T::Wdot}, "Wdot"}, {{T::bdot}, "bdot"}, {{T::phi}, "phi"}, {{T::w}, "w"}, {{T::beta}, "beta"},
         {{T::w_in}, "w_in"}, {{T::b_in}, "b_in"}, {{T::Z}, "Z"}, {{T::response}, "response"},
         {{T::adjoint}, "adjoint"}, {{T::w_dot}, "w_dot"}, {{T::beta_dot}, "beta_dot"},
         {{T::w_in_dot}, "w_in_dot"}, {{T::b_in_dot}, "b_in_dot"}},
        true, trajectory_model);
  check("observe.correlators", [](const ModelConfig& c) { return c.observe.correlators; },
        {{{Correlator::width}, "width"}, {{Correlator::structure}, "structure"}, {{Correlator::xi}, "xi"},
         {{Correlator::depth}, "depth"}, {{Correlator::input}, "input"}, {{Correlator::two_d}, "2d"}});
  check("observe.field", [](const ModelConfig& c) { return c.observe.field; },
        {{ObservedField::phi, "phi"}, {ObservedField::w, "w"}, {ObservedField::b, "b"}});
  check("continuum.misfit_scaling", [](const ModelConfig& c) { return c.continuum.misfit_scaling; },
        {{MisfitScaling::depth, "depth"}, {MisfitScaling::none, "none"}});
  // field.form: the field solver integrates two of DepthForm's four forms (the stability
  // check's expansions are not a model-file choice).
  check("field.form", [](const ModelConfig& c) { return c.field.form; },
        {{DepthForm::midpoint, "midpoint"}, {DepthForm::exact, "exact"}}, /*whole_table=*/false);
  CHECK(choice_names<DepthForm>() ==
        std::vector<std::string>{"implicit_forward", "backward_taylor", "midpoint", "exact"});
  CHECK_THROWS_AS(load_model_string("[field]\nform = \"implicit_forward\"\n", "m.toml"), ConfigError);

  // No key with choices is held as a string.
  for (const detail::ModelKey& k : detail::model_keys()) {
    if (k.choices.empty()) continue;
    INFO("key " << k.name << " has choices");
    CHECK(converted.count(k.name) == 1);
  }
}

TEST_CASE("choice keys: the field of a smooth-field mode", "[config][choices]") {
  const auto& keys = detail::mode_keys();
  for (const detail::ModeKey& k : keys) CHECK(k.choices.empty() == (k.name != "field"));
  const detail::ModeKey& field = keys.front();
  REQUIRE(field.name == "field");
  CHECK(field.choices == choice_names<ModeField>());
  CHECK(field.choices == std::vector<std::string>{"w", "phi"});
  for (const auto& [value, choice] : {std::pair{ModeField::w, "w"}, std::pair{ModeField::phi, "phi"}}) {
    INFO("choice \"" << choice << "\"");
    FieldMode m;
    field.set(m, detail::Value{std::string(choice)});
    CHECK(m.field == value);
    CHECK(name(m.field) == choice);
    CHECK(std::get<std::string>(field.get(m)) == choice);
    const ModelConfig c =
        load_model_string("[init]\nkind = \"smooth\"\n[init.smooth]\nmodes = [{ field = \"" + std::string(choice) +
                              "\", kx = 1 }]\n",
                          "m.toml");
    REQUIRE(c.init.smooth.modes.size() == 1);
    CHECK(c.init.smooth.modes[0].field == value);
    CHECK_THAT(c.resolved_toml, Contains("modes = [{ field = \"" + std::string(choice) + "\""));
  }
}

TEST_CASE("choice keys: a name outside the table is refused with the valid ones", "[config][choices]") {
  CHECK(choice_from_name<Presentation>("switch") == Presentation::switched);
  CHECK_THROWS_WITH(choice_from_name<Presentation>("swtich"),
                    "unknown choice 'swtich' (valid: fixed, switch, blend, full_batch)");
  CHECK_THROWS_AS(choice_from_name<InitKind>(""), std::invalid_argument);
}
