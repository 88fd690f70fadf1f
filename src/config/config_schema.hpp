#pragma once
// The model-file schema: one entry per key (name, type, default, allowed values, doc).
// The parser (config.cpp), the cross-field checks (config_checks.cpp), the resolved
// TOML and the Markdown reference (config_output.cpp) all read this one table, so a
// key cannot be parsed without being documented or documented without being parsed.
// Deliberately free of toml++: only config.cpp sees TOML nodes.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/config/toml_quote.hpp"

namespace nnfield::detail {

enum class ValueKind { boolean, integer, floating, string, float_array, string_array, mode_array };

// "integer", "float", "array of floats", ...: the words used in type errors and docs.
const char* kind_name(ValueKind kind);

// A key's value detached from TOML. Integers are carried as int64 (TOML's range) and
// narrowed by the setter only after the range check, so narrowing never wraps.
using Value = std::variant<bool, std::int64_t, double, std::string, std::vector<double>,
                           std::vector<std::string>, std::vector<FieldMode>>;

struct Bound {
  double value = 0.0;
  bool open = false;  // strict inequality
};

// One key of a table whose values land in a `Root` struct (ModelConfig, or FieldMode
// for the entries of a `modes` array). The default is not stored here: it is `get`
// applied to a default-constructed Root, so config.hpp stays the one place defaults live.
template <class Root>
struct KeySpec {
  std::string name;  // dotted, e.g. "network.r" ("field" for FieldMode)
  ValueKind kind = ValueKind::string;
  std::string doc;   // one line
  std::vector<std::string> choices;  // strings (or each array entry) must be one of these
  std::optional<Bound> lower;
  std::optional<Bound> upper;
  std::int64_t int_lo = 0;  // representable range of the target integer type
  std::int64_t int_hi = 0;
  std::string constraint;   // a cross-field rule in words, for the docs ("< N/2")
  bool required = false;    // no default: must be given (only mode fields)
  // A file path: relative values resolve against the model file's folder (a value from
  // --set: the working directory) and are stored absolute (config.cpp, resolve_path).
  bool is_path = false;
  std::function<Value(const Root&)> get;
  std::function<void(Root&, const Value&)> set;

  // Builder-style refinements, so the table in config_schema.cpp reads as one line per rule.
  KeySpec& at_least(double v) { lower = Bound{v, false}; return *this; }
  KeySpec& above(double v) { lower = Bound{v, true}; return *this; }
  KeySpec& at_most(double v) { upper = Bound{v, false}; return *this; }
  KeySpec& one_of(std::vector<std::string> c) { choices = std::move(c); return *this; }
  KeySpec& note(std::string c) { constraint = std::move(c); return *this; }
  KeySpec& require() { required = true; return *this; }
  KeySpec& path() { is_path = true; return *this; }
};

using ModelKey = KeySpec<ModelConfig>;
using ModeKey = KeySpec<FieldMode>;

struct SectionSpec {
  SectionSpec(std::string name_, std::string doc_) : name(std::move(name_)), doc(std::move(doc_)) {}
  std::string name;  // "network", "init.smooth", ...
  std::string doc;
  // Sections whose mere presence means something ([field]: run the field solver) have a
  // `present` flag in their struct: set when the file has the section (even empty) or
  // any of its keys is given; the resolved TOML writes the section only when set.
  std::function<bool(const ModelConfig&)> is_present;
  std::function<void(ModelConfig&)> mark_present;
};

// The schema, in the order of the docs and of the resolved TOML.
const std::vector<ModelKey>& model_keys();
const std::vector<ModeKey>& mode_keys();      // fields of one entry of a `modes` array
const std::vector<SectionSpec>& model_sections();
// Keys or sections accepted (with any value) but stored nowhere yet. See config_schema.cpp.
const std::vector<std::string>& reserved_names();

const ModelKey* find_model_key(std::string_view name);
bool is_model_section(std::string_view name);
std::string section_of(std::string_view key);  // "data.teacher.r" -> "data.teacher"
std::string leaf_of(std::string_view key);     // "data.teacher.r" -> "r"

// TOML literals, used for the resolved file, the docs' default column and messages
// (strings: toml_quote, nnfield/config/toml_quote.hpp).
std::string toml_literal(const Value& v);
std::string quoted_list(const std::vector<std::string>& items);  // "a", "b", "c"
std::string number_text(double v);  // a bound in words: "0", "0.5" (no forced ".0")

// A value breaking its own key's rules (range, choices, finiteness): which array entry
// (-1: the value as a whole) and what is wrong, as "network.M = 0 must be >= 1".
struct ValueProblem {
  int index = -1;
  std::string what;
};
std::optional<ValueProblem> value_problem(const ModelKey& key, const std::string& name, const Value& v);
std::optional<ValueProblem> value_problem(const ModeKey& key, const std::string& name, const Value& v);

// A rule involving several keys that failed. `key` is named in the message; the error
// is located at the first of `key`, then `near`, that the user actually set.
struct Violation {
  std::string key;
  std::vector<std::string> near;
  std::string what;
};
std::vector<Violation> cross_field_violations(const ModelConfig& config);
// The given keys (set in the file or by --set) that this run would not read, with why
// (config_applicability.cpp): refused, never accepted and ignored.
std::vector<Violation> unread_keys(const ModelConfig& config, const std::vector<std::string>& given,
                                   RunStorage storage);
// The keys set away from their defaults that a run kept in memory would not read.
std::vector<Violation> keys_unread_in_memory(const ModelConfig& config);

// Every key with its resolved value, as TOML that loads back to the same config.
std::string resolved_toml(const ModelConfig& config);

}  // namespace nnfield::detail
