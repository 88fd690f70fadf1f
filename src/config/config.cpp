// Model files: TOML text + --set overrides -> validated ModelConfig. The only file in
// the project that includes toml++; what keys exist and what they accept is in
// config_schema.cpp, rules across keys in config_checks.cpp.
//
// Errors are collected rather than thrown at the first one because toml++ iterates
// tables in key order, not file order: reporting the earliest problem in the file is
// what a user fixing the file top to bottom expects.
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include <sys/stat.h>

#include "config/config_schema.hpp"
#include "nnfield/config/model_limits.hpp"
#include "nnfield/config/name_suggestion.hpp"
#include "nnfield/config/config.hpp"

namespace nnfield {
namespace detail {
namespace {

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& s : model_sections()) names.push_back(s.name);
  for (const auto& k : model_keys()) names.push_back(k.name);
  return names;
}

bool is_reserved(const std::string& name) {
  for (const auto& r : reserved_names()) {
    if (name == r || name.rfind(r + ".", 0) == 0) return true;
  }
  return false;
}

const char* toml_type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    case toml::node_type::array: return "array";
    case toml::node_type::table: return "table";
    default: return "nothing";
  }
}

// ---------------------------------------------------------------------------
// Paths (docs/model-files.md, "Paths"): a relative path in a model file names a file beside
// the model, wherever the program runs; one typed on the command line (--set, a Python
// override) names it from the working directory, as a shell user expects. Both are stored
// absolute, so the resolved configuration in an output's provenance names the file read.
std::string resolve_path(const std::string& value, const std::filesystem::path& base) {
  if (value.empty()) return value;  // not given: the checks say which key needs it
  const std::filesystem::path p(value);
  if (p.is_absolute()) return value;
  return (base / p).lexically_normal().string();
}

// ---------------------------------------------------------------------------
// The loader.

// Where a value came from: the model file (set_index < 0) or the --set with that index.
struct Origin {
  int set_index = -1;
};

struct Entry {
  const toml::node* node = nullptr;
  Origin origin;
};

struct Problem {
  Origin origin;
  toml::source_position pos;  // in the model file, when origin is the file
  std::string what;
  std::string key;  // empty: no key to name (syntax errors, malformed --set)
};

class Loader {
 public:
  // `model_dir`: the absolute folder relative paths of the model text resolve against.
  Loader(std::string name, std::filesystem::path model_dir, std::vector<std::string> overrides, UnreadKeys unread,
         ModelUse use)
      : m_name(std::move(name)), m_model_dir(std::move(model_dir)), m_overrides(std::move(overrides)),
        m_unread(unread), m_use(use) {}

  ModelConfig load(const std::string& text) {
    // toml++ recurses into nested tables and arrays: bound the depth before it sees them.
    if (auto deep = toml_nesting_problem(text))
      throw ConfigError(m_name + ":" + std::to_string(deep->line) + ":" + std::to_string(deep->column) +
                        ": error: tables, keys and arrays nested deeper than " + std::to_string(kMaxTomlDepth) +
                        " levels");
    try {
      m_doc = toml::parse(std::string_view(text), std::string_view(m_name));
    } catch (const toml::parse_error& e) {
      throw ConfigError(location(Origin{}, e.source().begin) + ": error: " +
                        one_line(std::string(e.description())));
    }
    collect(m_doc, "");
    for (std::size_t i = 0; i < m_overrides.size(); ++i) apply_override(int(i));
    ModelConfig config = build();
    config.source_path = m_name;
    config.source_text = text;
    config.resolved_toml = resolved_toml(config);
    return config;
  }

 private:
  std::string m_name;
  std::filesystem::path m_model_dir;
  std::vector<std::string> m_overrides;
  UnreadKeys m_unread;
  ModelUse m_use;
  toml::table m_doc;
  std::deque<toml::table> m_override_docs;  // own the values parsed from --set
  std::map<std::string, Entry> m_entries;   // dotted key -> its value (last setting wins)
  std::set<std::string> m_sections_given;   // sections written in the file or named by --set
  std::vector<Problem> m_problems;

  static std::string one_line(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    std::replace(s.begin(), s.end(), '\r', ' ');
    return s;
  }

  std::string location(Origin o, toml::source_position pos) const {
    if (o.set_index >= 0) return "--set " + one_line(shortened_name(m_overrides[std::size_t(o.set_index)]));
    if (!pos) pos = {1, 1};  // a rule between defaults: point at the file itself
    return m_name + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
  }

  void problem(Origin o, toml::source_position pos, std::string what, std::string key) {
    m_problems.push_back({o, pos, std::move(what), std::move(key)});
  }
  void problem(Origin o, const toml::node& at, std::string what, std::string key) {
    problem(o, at.source().begin, std::move(what), std::move(key));
  }

  [[noreturn]] void fail(const Problem& p) const {
    std::string msg = location(p.origin, p.pos) + ": error: " + p.what;
    if (!p.key.empty()) msg += " (key '" + p.key + "')";
    throw ConfigError(one_line(msg));  // keys and values may hold newlines; the CLI prints one line
  }

  // The earliest problem in the file, then the first bad override.
  void fail_if_problems() const {
    if (m_problems.empty()) return;
    auto order = [](const Problem& p) {
      const bool from_set = p.origin.set_index >= 0;
      return std::make_tuple(from_set, p.origin.set_index, p.pos.line, p.pos.column);
    };
    fail(*std::min_element(m_problems.begin(), m_problems.end(),
                           [&](const Problem& a, const Problem& b) { return order(a) < order(b); }));
  }

  static std::string long_name_message(const std::string& name) {
    return "key '" + shortened_name(name) + "' is longer than " + std::to_string(kMaxKeyLength) +
           " characters; `nnfield keys` lists the keys";
  }

  std::string unknown_name_message(const std::string& name, bool is_table) const {
    std::string what = std::string("unknown ") + (is_table ? "section" : "key") + " '" + name + "'";
    if (auto s = closest_name(name, model_names())) return what + ", did you mean '" + *s + "'?";
    const std::string section = section_of(name);
    if (is_model_section(section)) {
      std::string valid;
      for (const auto& k : model_keys()) {
        if (section_of(k.name) == section) valid += (valid.empty() ? "" : ", ") + leaf_of(k.name);
      }
      return what + "; valid keys in [" + section + "]: " + valid;
    }
    std::string valid;
    for (const auto& s : model_sections()) {
      if (s.name.find('.') == std::string::npos) valid += (valid.empty() ? "" : ", ") + s.name;
    }
    return what + "; valid sections: " + valid;
  }

  // Walk the file's tables, recording where each known key's value is.
  void collect(const toml::table& table, const std::string& path) {
    for (auto&& [k, v] : table) {
      const std::string name = path.empty() ? std::string(k.str()) : path + "." + std::string(k.str());
      if (name.size() > kMaxKeyLength) {
        problem(Origin{}, k.source().begin, long_name_message(name), shortened_name(name));
        continue;
      }
      if (is_reserved(name)) continue;
      if (find_model_key(name)) {
        m_entries[name] = Entry{&v, Origin{}};
        m_sections_given.insert(section_of(name));
      } else if (is_model_section(name)) {
        if (const auto* sub = v.as_table()) {
          m_sections_given.insert(name);
          collect(*sub, name);
        } else {
          problem(Origin{}, v, "'" + name + "' is a section: expected table, got " + toml_type_name(v), name);
        }
      } else {
        problem(Origin{}, k.source().begin, unknown_name_message(name, v.is_table()), name);
      }
    }
  }

  void apply_override(int index) {
    const Origin origin{index};
    const std::string& text = m_overrides[std::size_t(index)];
    const auto eq = text.find('=');
    auto trim = [](std::string s) {
      const auto b = s.find_first_not_of(" \t");
      const auto e = s.find_last_not_of(" \t");
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    const std::string name = eq == std::string::npos ? std::string() : trim(text.substr(0, eq));
    if (name.empty()) {
      problem(origin, toml::source_position{}, "malformed override '" + shortened_name(text) +
                                                   "': expected section.key=value", "");
      return;
    }
    if (name.size() > kMaxKeyLength) {
      problem(origin, toml::source_position{}, long_name_message(name), shortened_name(name));
      return;
    }
    if (is_reserved(name)) return;
    if (!find_model_key(name)) {
      if (is_model_section(name)) {
        problem(origin, toml::source_position{}, "'" + name + "' is a section, not a key: use --set " + name + ".<key>=value", name);
      } else {
        problem(origin, toml::source_position{}, unknown_name_message(name, false), name);
      }
      return;
    }
    // The value is TOML if it parses as one ("3", "[1, 2]", "\"a b\""), else a bare string.
    const std::string value = trim(text.substr(eq + 1));
    toml::table parsed;
    bool ok = false;
    try {
      const std::string doc = "v = " + value;
      parsed = toml::parse(std::string_view(doc), std::string_view("--set"));
      ok = parsed.size() == 1 && parsed.contains("v");
    } catch (const toml::parse_error&) {
    }
    if (!ok) {
      parsed = toml::table{};
      parsed.insert_or_assign("v", value);
    }
    m_entries[name] = Entry{parsed.get("v"), origin};
    m_sections_given.insert(section_of(name));
    m_override_docs.push_back(std::move(parsed));
  }

  // --- TOML node -> Value, with type errors located at the offending node -------------

  template <class Root>
  std::optional<Value> convert(const KeySpec<Root>& k, const std::string& name, const toml::node& n,
                               Origin o) {
    auto wrong = [&](const toml::node& at, const std::string& expected, const std::string& key) {
      problem(o, at, "expected " + expected + ", got " + toml_type_name(at), key);
      return std::optional<Value>{};
    };
    switch (k.kind) {
      case ValueKind::boolean:
        if (const auto* b = n.as_boolean()) return Value{b->get()};
        return wrong(n, "boolean", name);
      case ValueKind::integer:
        if (const auto* i = n.as_integer()) return Value{std::int64_t(i->get())};
        return wrong(n, "integer", name);
      case ValueKind::floating:
        if (const auto* f = n.as_floating_point()) return Value{f->get()};
        if (const auto* i = n.as_integer()) return Value{double(i->get())};
        return wrong(n, "float", name);
      case ValueKind::string:
        if (const auto* s = n.as_string()) return Value{s->get()};
        return wrong(n, "string", name);
      default:
        break;
    }
    const auto* array = n.as_array();
    if (!array) return wrong(n, kind_name(k.kind), name);
    std::vector<double> floats;
    std::vector<std::string> strings;
    std::vector<FieldMode> modes;
    bool ok = true;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& item = (*array)[i];
      const std::string item_name = name + "[" + std::to_string(i) + "]";
      const auto* f = item.as_floating_point();
      const auto* in = item.as_integer();
      const auto* s = item.as_string();
      const auto* t = item.as_table();
      if (k.kind == ValueKind::float_array && (f || in)) {
        floats.push_back(f ? f->get() : double(in->get()));
      } else if (k.kind == ValueKind::string_array && s) {
        strings.push_back(s->get());
      } else if (k.kind == ValueKind::mode_array && t) {
        std::optional<FieldMode> m = convert_mode(*t, item_name, o);
        if (m) modes.push_back(*m);
        ok = ok && m;
      } else {
        const char* expected = k.kind == ValueKind::float_array    ? "float"
                               : k.kind == ValueKind::string_array ? "string"
                                                                   : "table";
        wrong(item, expected, item_name);
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    if (k.kind == ValueKind::float_array) return Value{floats};
    if (k.kind == ValueKind::string_array) return Value{strings};
    return Value{modes};
  }

  // One entry of a `modes` array, with the same rules as a section.
  std::optional<FieldMode> convert_mode(const toml::table& t, const std::string& name, Origin o) {
    FieldMode mode;
    bool ok = true;
    for (auto&& [k, v] : t) {
      const std::string field(k.str());  // a copy: C++17 lambdas cannot capture bindings
      const std::string key_name = name + "." + field;
      const auto& keys = mode_keys();
      auto spec = std::find_if(keys.begin(), keys.end(), [&](const ModeKey& m) { return m.name == field; });
      if (spec == keys.end()) {
        std::vector<std::string> valid;
        for (const auto& m : keys) valid.push_back(name + "." + m.name);
        std::string what = "unknown key '" + key_name + "'";
        if (auto s = closest_name(key_name, valid)) what += ", did you mean '" + *s + "'?";
        problem(o, k.source().begin, what, key_name);
        ok = false;
      } else {
        ok = set_value(*spec, key_name, v, o, mode) && ok;
      }
    }
    for (const auto& spec : mode_keys()) {
      if (spec.required && !t.contains(spec.name)) {
        std::string what = "missing key '" + spec.name + "' in mode";
        if (!spec.choices.empty()) what += " (one of " + quoted_list(spec.choices) + ")";
        problem(o, t, what, name + "." + spec.name);
        ok = false;
      }
    }
    return ok ? std::optional<FieldMode>(mode) : std::nullopt;
  }

  // Convert, check the key's own rules, and store. False (with a problem recorded) if bad.
  template <class Root>
  bool set_value(const KeySpec<Root>& k, const std::string& name, const toml::node& n, Origin o,
                 Root& target) {
    const std::optional<Value> v = convert(k, name, n, o);
    if (!v) return false;
    if (auto p = value_problem(k, name, *v)) {
      const toml::node* at = &n;
      if (p->index >= 0 && n.as_array()) at = n.as_array()->get(std::size_t(p->index));
      problem(o, *at, p->what, name);
      return false;
    }
    try {
      k.set(target, *v);
    } catch (const std::invalid_argument& e) {  // an enum name the converter refused
      problem(o, n, e.what(), name);
      return false;
    }
    return true;
  }

  // Where the user set `key` ("init.smooth.modes[1].offset" resolves inside the array).
  std::optional<std::pair<Origin, toml::source_position>> where_set(const std::string& key) const {
    const auto bracket = key.find('[');
    auto it = m_entries.find(key.substr(0, bracket));
    if (it == m_entries.end()) return std::nullopt;
    const toml::node* node = it->second.node;
    if (bracket != std::string::npos && node->as_array()) {
      // "[i].field": descend to the entry, then to the field if it was written.
      const std::size_t i = std::stoul(key.substr(bracket + 1));
      if (const toml::node* item = node->as_array()->get(i)) {
        node = item;
        const auto dot = key.find('.', key.find(']'));
        if (dot != std::string::npos && item->as_table()) {
          if (const toml::node* field = item->as_table()->get(key.substr(dot + 1))) node = field;
        }
      }
    }
    return std::make_pair(it->second.origin, node->source().begin);
  }

  ModelConfig build() {
    ModelConfig config;
    for (const auto& k : model_keys()) {
      auto it = m_entries.find(k.name);
      if (it == m_entries.end() || !set_value(k, k.name, *it->second.node, it->second.origin, config)) continue;
      if (k.is_path) {
        const bool from_set = it->second.origin.set_index >= 0;
        const auto& base = from_set ? std::filesystem::current_path() : m_model_dir;
        k.set(config, Value{resolve_path(std::get<std::string>(k.get(config)), base)});
      }
    }
    for (const auto& s : model_sections())
      if (s.mark_present && m_sections_given.count(s.name)) s.mark_present(config);
    // The key's default names the network's datasets; a field run writes its own.
    if (config.field.present && !m_entries.count("output.trajectory"))
      config.output.trajectory = field_trajectory_default(config.dynamics.kind);
    fail_if_problems();
    auto violations = cross_field_violations(config);
    if (violations.empty() && m_unread == UnreadKeys::refuse) {
      std::vector<GivenKey> given;
      for (const auto& entry : m_entries) given.push_back({entry.first, entry.second.origin.set_index >= 0});
      violations = unread_keys(config, given, m_use);
    }
    if (violations.empty()) return config;
    const Violation& v = violations.front();
    std::optional<std::pair<Origin, toml::source_position>> at = where_set(v.key);
    for (std::size_t i = 0; !at && i < v.near.size(); ++i) at = where_set(v.near[i]);
    if (!at) at = std::make_pair(Origin{}, toml::source_position{});
    fail(Problem{at->first, at->second, v.what, v.key});
  }
};

}  // namespace
}  // namespace detail

std::vector<TrajectoryDataset> field_trajectory_default(DynamicsKind kind) {
  using T = TrajectoryDataset;
  std::vector<T> all{T::loss, T::gain, T::phi, T::w, T::beta, T::w_in, T::b_in, T::Z, T::response, T::adjoint};
  if (kind == DynamicsKind::damped) all.insert(all.end(), {T::w_dot, T::beta_dot, T::w_in_dot, T::b_in_dot});
  return all;
}

// Text that is not a file has no folder of its own: its paths resolve from the working directory.
ModelConfig load_model_string(const std::string& text, const std::string& name,
                              const std::vector<std::string>& overrides, UnreadKeys unread, const ModelUse& use) {
  return detail::Loader(name, std::filesystem::current_path(), overrides, unread, use).load(text);
}

void check_keys_read_in_memory(const ModelConfig& config) {
  const std::vector<detail::Violation> unread = detail::keys_unread_in_memory(config);
  if (!unread.empty()) throw ConfigError(config.source_path + ": error: " + unread.front().what);
}

ModelConfig load_model_file(const std::string& path, const std::vector<std::string>& overrides, UnreadKeys unread,
                            const ModelUse& use) {
  // Looked at before opening: opening a FIFO blocks, and a directory or device reads
  // as something other than a model.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw ConfigError(path + ": error: cannot open model file: " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw ConfigError(path + ": error: is a directory, not a model file");
  if (!S_ISREG(st.st_mode)) throw ConfigError(path + ": error: is not a regular file (a pipe or device?)");
  if (std::size_t(st.st_size) > detail::kMaxModelFileBytes)
    throw ConfigError(path + ": error: model file is " + std::to_string(st.st_size) + " bytes (at most " +
                      std::to_string(detail::kMaxModelFileBytes) + ")");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(path + ": error: cannot open model file: " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": error: cannot read model file");
  // An empty file is more likely a mistake (a truncated copy, the wrong path) than a
  // request for every default; a file with only a comment still states intent.
  const std::string body = text.str();
  if (std::all_of(body.begin(), body.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
    throw ConfigError(path + ": error: empty model file; `nnfield keys` lists the keys");
  const std::filesystem::path model_dir = std::filesystem::absolute(path).parent_path();
  return detail::Loader(path, model_dir, overrides, unread, use).load(body);
}

}  // namespace nnfield
