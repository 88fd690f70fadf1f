#pragma once
// Model-file values with a fixed set of choices, held as enums. Each enum has one name
// table, Choices<E>::names, in enumerator order. The schema (src/config/config_schema.cpp)
// takes a key's allowed values from it and converts the validated string once, when the
// model is parsed; name(e) is the string again, for whatever writes a choice back out
// (the resolved TOML, HDF5 attributes, Python properties, messages). Keys with choices
// still held as strings are listed, with the reason, in tests/config/test_config_choices.cpp.
#include <cstddef>
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
