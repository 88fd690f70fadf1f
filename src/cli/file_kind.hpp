#pragma once
// What an HDF5 file is, from the attributes and datasets nnfield writes
// (docs/output-schema.md): `nnfield info` names it and picks what to summarise.
#include <optional>
#include <string>

#include "nnfield/io/h5io_catalog.hpp"

namespace nnfield::cli {

enum class FileKind {
  run,            // nnfield run on a network model
  field_run,      // nnfield run on a model with [field] (root attribute solver = "field")
  ensemble,       // nnfield ensemble (kind = "ensemble")
  propagation,    // nnfield propagate (kind = "propagation")
  correlators,    // nnfield correlate (source_run)
  compare,        // nnfield compare, the conv.h5 file (kind = "compare")
  initial_state,  // an input: /W, /b (init.kind = "file")
  data,           // an input: /X, /Y (data.source = "file")
  other_output,   // nnfield provenance, but a layout this version does not know (a newer writer)
};

const char* file_kind_name(FileKind kind);

// The kind of a file, or nothing for a file nnfield neither wrote nor reads.
std::optional<FileKind> file_kind(const H5Catalog& catalog);

// A root attribute as text, whatever its stored type (string, integer, float: writers
// differ across versions); nothing when absent.
std::optional<std::string> attribute_text(const H5Catalog& catalog, const std::string& name);

}  // namespace nnfield::cli
