#pragma once
// What an HDF5 file holds, for readers that do not know its layout in advance
// (nnfield.load in the Python module): every dataset with its shape and its
// `index_order` / `description` labels, and the attributes of "/". Implemented in
// src/io/h5_catalog.cpp.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nnfield {

struct H5DatasetInfo {
  std::string name;                 // absolute path, "/trajectory/W"
  std::vector<std::size_t> shape;   // empty for a scalar dataset
  bool numeric = false;             // integer or floating point (h5_read reads it as float64)
  std::string index_order;          // the dataset's attribute, "" when absent
  std::string description;          // likewise
  bool dimension_scale = false;     // an axis of other datasets (HDF5 dimension scale, CLASS attribute)
};

// A root attribute: a string, or numbers (one for a scalar) kept as integers when
// stored as integers (so a uint64 seed survives exactly).
struct H5AttributeValue {
  enum class Kind { text, integer, unsigned_integer, real, other };
  std::string name;
  Kind kind = Kind::other;
  std::string text;                       // Kind::text
  std::vector<std::int64_t> integers;     // Kind::integer
  std::vector<std::uint64_t> unsigneds;   // Kind::unsigned_integer
  std::vector<double> reals;              // Kind::real
  bool scalar = true;                     // false: a 1D (or larger) numeric array
};

struct H5Catalog {
  std::vector<H5DatasetInfo> datasets;            // sorted by name
  std::vector<H5AttributeValue> root_attributes;  // in the file's name order
};

// Throws H5Error (naming the file) when the file cannot be opened or read.
H5Catalog h5_catalog(const std::string& file);

}  // namespace nnfield
