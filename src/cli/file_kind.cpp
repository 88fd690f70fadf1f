// What an HDF5 file is (file_kind.hpp).
#include "file_kind.hpp"

#include <algorithm>
#include <cstdio>

namespace nnfield::cli {
namespace {

bool has_dataset(const H5Catalog& catalog, const std::string& name) {
  return std::any_of(catalog.datasets.begin(), catalog.datasets.end(),
                     [&](const H5DatasetInfo& d) { return d.name == name; });
}

// "%.10g": integers stored as floats (older files) print as integers.
std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

template <class T, class Format>
std::string joined(const std::vector<T>& values, Format format) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + format(values[i]);
  return values.size() == 1 ? out : "[" + out + "]";
}

}  // namespace

const char* file_kind_name(FileKind kind) {
  switch (kind) {
    case FileKind::run: return "run";
    case FileKind::field_run: return "field run";
    case FileKind::ensemble: return "ensemble";
    case FileKind::propagation: return "propagate scan";
    case FileKind::correlators: return "correlators";
    case FileKind::compare: return "compare (convergence)";
    case FileKind::initial_state: return "initial state (input for init.file)";
    case FileKind::data: return "data (input for data.file)";
    case FileKind::other_output: return "nnfield output of a kind this version does not know";
  }
  return "?";
}

std::optional<std::string> attribute_text(const H5Catalog& catalog, const std::string& name) {
  for (const H5AttributeValue& a : catalog.root_attributes) {
    if (a.name != name) continue;
    using K = H5AttributeValue::Kind;
    switch (a.kind) {
      case K::text: return a.text;
      case K::integer: return joined(a.integers, [](std::int64_t v) { return std::to_string(v); });
      case K::unsigned_integer: return joined(a.unsigneds, [](std::uint64_t v) { return std::to_string(v); });
      case K::real: return joined(a.reals, number_text);
      case K::other: return std::string("(unreadable type)");
    }
  }
  return std::nullopt;
}

std::optional<FileKind> file_kind(const H5Catalog& catalog) {
  const std::optional<std::string> kind = attribute_text(catalog, "kind");
  if (kind == "ensemble") return FileKind::ensemble;
  if (kind == "propagation") return FileKind::propagation;
  if (kind == "compare") return FileKind::compare;
  if (attribute_text(catalog, "source_run")) return FileKind::correlators;
  // Every output carries its provenance; a run is one with the time series of a run.
  const bool provenance = attribute_text(catalog, "nnfield_version") && attribute_text(catalog, "status");
  if (provenance && attribute_text(catalog, "solver") == std::optional<std::string>("field"))
    return FileKind::field_run;
  if (provenance && has_dataset(catalog, "/trajectory/time")) return FileKind::run;
  if (provenance) return FileKind::other_output;
  if (has_dataset(catalog, "/W") && has_dataset(catalog, "/b")) return FileKind::initial_state;
  if (has_dataset(catalog, "/X") && has_dataset(catalog, "/Y")) return FileKind::data;
  return std::nullopt;
}

}  // namespace nnfield::cli
