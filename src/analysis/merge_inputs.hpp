#pragma once
// What every `nnfield merge` reads first from each input file (ensembles and propagation
// scans alike): the catalog, that the file is a complete output of the expected kind, and
// its model; and the checks that two inputs are jobs of one study.
#include <string>

#include "nnfield/config/config.hpp"
#include "nnfield/io/h5io_catalog.hpp"

namespace nnfield::detail {

// Throws ConfigError "<file>: cannot merge: <why>".
[[noreturn]] void refuse_merge(const std::string& file, const std::string& why);

struct MergeInput {
  std::string path;
  H5Catalog catalog;
  std::string resolved_config, model_text, model_path;

  const H5AttributeValue* attribute(const std::string& name) const;  // nullptr when absent
  std::string text(const std::string& name) const;    // a text root attribute; refused when absent
  std::string number(const std::string& name) const;  // a numeric root attribute as text; "" when absent
  // The file's model, as its resolved configuration (its model text kept as the source).
  ModelConfig config() const;
};

// Opens `path` (refused when it cannot be read) and checks that its root attribute `kind`
// is `kind` and its status "complete".
MergeInput open_merge_input(const std::string& path, const std::string& kind, const std::string& what);

// Refused unless the two models are equal in every key but run.seed.
void check_same_model(const MergeInput& first, const MergeInput& other);
// Refused unless the numeric or text root attribute `name` is equal in both: `why` says
// what depends on it.
void check_same_setting(const MergeInput& first, const MergeInput& other, const std::string& name,
                        const std::string& why);

}  // namespace nnfield::detail
