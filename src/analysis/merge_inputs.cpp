#include "analysis/merge_inputs.hpp"

#include "nnfield/io/h5io.hpp"

namespace nnfield::detail {

void refuse_merge(const std::string& file, const std::string& why) {
  throw ConfigError(file + ": cannot merge: " + why);
}

const H5AttributeValue* MergeInput::attribute(const std::string& name) const {
  for (const H5AttributeValue& a : catalog.root_attributes)
    if (a.name == name) return &a;
  return nullptr;
}

std::string MergeInput::text(const std::string& name) const {
  const H5AttributeValue* a = attribute(name);
  if (!a || a->kind != H5AttributeValue::Kind::text) refuse_merge(path, "no root attribute '" + name + "'");
  return a->text;
}

std::string MergeInput::number(const std::string& name) const {
  const H5AttributeValue* a = attribute(name);
  if (!a) return "";
  if (!a->integers.empty()) return std::to_string(a->integers.front());
  if (!a->unsigneds.empty()) return std::to_string(a->unsigneds.front());
  if (!a->reals.empty()) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", a->reals.front());  // every bit: equal texts, equal values
    return buf;
  }
  return a->text;
}

ModelConfig MergeInput::config() const {
  ModelConfig config = load_model_string(resolved_config, model_path);
  config.source_text = model_text;
  return config;
}

MergeInput open_merge_input(const std::string& path, const std::string& kind, const std::string& what) {
  MergeInput in;
  in.path = path;
  try {
    in.catalog = h5_catalog(path);
  } catch (const H5Error& e) {
    refuse_merge(path, e.what());
  }
  const H5AttributeValue* k = in.attribute("kind");
  if (!k || k->text != kind) refuse_merge(path, "not an nnfield " + what + " file (root attribute kind)");
  const std::string status = in.text("status");
  if (status != "complete") refuse_merge(path, "its status is '" + status + "', not complete; run it again");
  in.resolved_config = in.text("resolved_config");
  in.model_text = in.text("model_text");
  in.model_path = in.text("model_path");
  return in;
}

void check_same_model(const MergeInput& first, const MergeInput& other) {
  auto a = resolved_key_values(first.resolved_config), b = resolved_key_values(other.resolved_config);
  a.erase("run.seed");
  b.erase("run.seed");
  std::string key;
  for (const auto& [k, v] : a)
    if (key.empty() && (!b.count(k) || b.at(k) != v)) key = k;
  for (const auto& [k, v] : b)
    if (key.empty() && !a.count(k)) key = k;
  if (!key.empty())
    refuse_merge(other.path, "its model differs from " + first.path + "'s in '" + key + "' (only run.seed may differ)");
}

void check_same_setting(const MergeInput& first, const MergeInput& other, const std::string& name,
                        const std::string& why) {
  const std::string mine = other.number(name), theirs = first.number(name);
  if (mine != theirs)
    refuse_merge(other.path, "its " + name + " (" + (mine.empty() ? "none" : mine) + ") differs from " + first.path +
                                 "'s (" + (theirs.empty() ? "none" : theirs) + "); " + why);
}

}  // namespace nnfield::detail
