#pragma once
// Model-file values with a fixed set of choices, held as enums. Each enum has one name
// table, Choices<E>::names, in enumerator order. The schema (src/config/config_schema.cpp)
// takes a key's allowed values from it and converts the validated string once, when the
// model is parsed; name(e) is the string again, for whatever writes a choice back out
// (the resolved TOML, HDF5 attributes, Python properties, messages). A key holding a list
// of choices is a std::vector of the enum. tests/config/test_config_choices.cpp checks
// that every key with choices is held so.
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "nnfield/core/activation.hpp"
#include "nnfield/core/loss.hpp"

namespace nnfield {

enum class InitKind { random, file, smooth, critical, continuum };        // init.kind
enum class InitVelocity { zero, random, smooth, file, continuum };        // init.velocity
enum class DataSource { pair, file, teacher, random, continuum };         // data.source
enum class InputKind { random, smooth };                                  // data.x_kind
enum class Presentation { fixed, switched, blend, full_batch };           // data.presentation ("switch")
enum class MisfitScaling { depth, none };                                 // continuum.misfit_scaling
enum class ModeField { w, phi };                                          // `field` of an init.smooth mode
enum class DataOrder { sequential, shuffle, random };                     // data.order
enum class DynamicsKind { damped, gradient_flow, sgd };                   // dynamics.kind
enum class DynamicsVariables { wb, bbd };                                 // dynamics.variables
enum class EtaScaling { none, depth };                                    // dynamics.eta_scaling
enum class StepperKind { rk4, dopri5, rkf78, symplectic };                // integrator.stepper
// Entries of output.trajectory: the network's datasets (W .. bdot; loss and gain shared) and
// a field run's (phi .. b_in_dot), each named as its dataset /trajectory/<name>.
enum class TrajectoryDataset { W, b, z, loss, gain, Wdot, bdot,
                               phi, w, beta, w_in, b_in, Z, response, adjoint, w_dot, beta_dot, w_in_dot, b_in_dot };
enum class Correlator { width, structure, xi, depth, input, two_d };      // entries of observe.correlators ("2d")
enum class ObservedField { phi, w, b };                                   // observe.field
// The depth shift of the truncated theory (docs/theory.md 4.3; field/depth_stability.hpp): the
// implicit forward and backward-Taylor expansions, the field solver's midpoint depth ODE,
// and the exact lattice shift. The field solver (field.form) integrates midpoint or exact;
// the stability check evaluates all four.
enum class DepthForm { implicit_forward, backward_taylor, midpoint, exact };

// Which run kind writes an output.trajectory entry: loss and gain both, W .. bdot the
// network, phi .. b_in_dot a field run ([field]); velocities only damped runs.
constexpr bool network_dataset(TrajectoryDataset d) { return d <= TrajectoryDataset::bdot; }
constexpr bool field_dataset(TrajectoryDataset d) {
  return d == TrajectoryDataset::loss || d == TrajectoryDataset::gain || d >= TrajectoryDataset::phi;
}
constexpr bool velocity_dataset(TrajectoryDataset d) {
  return d == TrajectoryDataset::Wdot || d == TrajectoryDataset::bdot || d >= TrajectoryDataset::w_dot;
}

// switch and blend change the presented sample along the run; fixed and full_batch never do.
constexpr bool varies_in_time(Presentation p) { return p == Presentation::switched || p == Presentation::blend; }

// The names of E's values, enumerator i named names[i]. Only enums with a table are choices.
template <class E>
struct Choices;
// clang-format off
template <> struct Choices<InitKind> { static constexpr std::string_view names[] = {"random", "file", "smooth", "critical", "continuum"}; };
template <> struct Choices<InitVelocity> { static constexpr std::string_view names[] = {"zero", "random", "smooth", "file", "continuum"}; };
template <> struct Choices<DataSource> { static constexpr std::string_view names[] = {"pair", "file", "teacher", "random", "continuum"}; };
template <> struct Choices<InputKind> { static constexpr std::string_view names[] = {"random", "smooth"}; };
template <> struct Choices<Presentation> { static constexpr std::string_view names[] = {"fixed", "switch", "blend", "full_batch"}; };
template <> struct Choices<MisfitScaling> { static constexpr std::string_view names[] = {"depth", "none"}; };
template <> struct Choices<ModeField> { static constexpr std::string_view names[] = {"w", "phi"}; };
template <> struct Choices<DataOrder> { static constexpr std::string_view names[] = {"sequential", "shuffle", "random"}; };
template <> struct Choices<DynamicsKind> { static constexpr std::string_view names[] = {"damped", "gradient_flow", "sgd"}; };
template <> struct Choices<DynamicsVariables> { static constexpr std::string_view names[] = {"wb", "bbd"}; };
template <> struct Choices<EtaScaling> { static constexpr std::string_view names[] = {"none", "depth"}; };
template <> struct Choices<StepperKind> { static constexpr std::string_view names[] = {"rk4", "dopri5", "rkf78", "symplectic"}; };
template <> struct Choices<TrajectoryDataset> { static constexpr std::string_view names[] = {"W", "b", "z", "loss", "gain", "Wdot", "bdot",
    "phi", "w", "beta", "w_in", "b_in", "Z", "response", "adjoint", "w_dot", "beta_dot", "w_in_dot", "b_in_dot"}; };
template <> struct Choices<Correlator> { static constexpr std::string_view names[] = {"width", "structure", "xi", "depth", "input", "2d"}; };
template <> struct Choices<ObservedField> { static constexpr std::string_view names[] = {"phi", "w", "b"}; };
template <> struct Choices<DepthForm> { static constexpr std::string_view names[] = {"implicit_forward", "backward_taylor", "midpoint", "exact"}; };
// clang-format on

// The names as strings (the schema's choice list). Activation and loss keep their
// tables in core/ (activation_names(), loss_names()).
template <class E>
const std::vector<std::string>& choice_names() {
  static const std::vector<std::string> names(std::begin(Choices<E>::names), std::end(Choices<E>::names));
  return names;
}
template <>
inline const std::vector<std::string>& choice_names<Activation>() { return activation_names(); }
template <>
inline const std::vector<std::string>& choice_names<Loss>() { return loss_names(); }

template <class E, class = std::enable_if_t<std::is_enum_v<E>>>
const std::string& name(E e) {
  return choice_names<E>().at(static_cast<std::size_t>(e));
}

// The names of some of E's values, in the order given: the choices of a key that takes
// only these (field.form: midpoint, exact).
template <class E>
std::vector<std::string> names_of(std::initializer_list<E> values) {
  std::vector<std::string> names;
  for (E e : values) names.push_back(name(e));
  return names;
}

// Every value of E, in enumerator (table) order.
template <class E>
std::vector<E> all_choices() {
  std::vector<E> values;
  for (std::size_t i = 0; i < choice_names<E>().size(); ++i) values.push_back(static_cast<E>(i));
  return values;
}

// Throws std::invalid_argument naming the valid choices (a validated model never does).
template <class E>
E choice_from_name(std::string_view s) {
  const auto& names = choice_names<E>();
  std::string valid;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == s) return static_cast<E>(i);
    valid += (i ? ", " : "") + names[i];
  }
  throw std::invalid_argument("unknown choice '" + std::string(s) + "' (valid: " + valid + ")");
}

}  // namespace nnfield
