#pragma once
// Where observers put what they measure: named time series appended row by row,
// fixed arrays and attributes. Two implementations: RunWriter (an HDF5 run file,
// h5io.hpp) and MemoryRun (in memory, for ensembles and the Python module).
// Names are HDF5-style paths ("/trajectory/W"); every array carries its index order.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nnfield/core/shape.hpp"

namespace nnfield {

// What the numbers of a dataset are (docs/output-schema.md, "Types and units"): their
// units ("1" for dimensionless, the default) and whether they are integers (counts,
// indices, seeds, flags 0/1), which a file stores as int64; and whether a large one may be
// compressed ("Storage details"): not where deflate barely shrinks the values and its time
// would fall on one process while the others wait (an ensemble's per-seed series).
struct DatasetValues {
  std::string units = "1";
  bool integer = false;
  bool compressible = true;
  // Rows appended in pieces (append_pieces): a file stores them uncompressed, one line of
  // one row per chunk, so that each piece is written straight to its place.
  bool in_pieces = false;
};
// Model time: the unit of dynamics.t_end, data.tau and output.every.
inline const char* const kTimeUnits = "model time unit";
inline DatasetValues time_values() { return {kTimeUnits, false}; }
// Rates and powers: d/dt of a dimensionless quantity.
inline DatasetValues rate_values() { return {std::string("1/") + kTimeUnits, false}; }
inline DatasetValues integer_values() { return {"1", true}; }

// A row handed over in pieces, so that no one holds it whole (a network split along its
// width, docs/cluster.md): `row(piece)` calls piece(line, first, width, values) for the
// columns [first, first + width) of line `line` of a row of shape (lines, columns, cells...),
// values (width, cells...); every value of the row comes in exactly one piece.
using RowPiece = std::function<void(std::size_t line, std::size_t first, std::size_t width, const double* values)>;
using RowPieces = std::function<void(const RowPiece& piece)>;

class SeriesSink {
 public:
  virtual ~SeriesSink() = default;
  // A time series whose rows have `row_shape`: the stored array is (T, row_shape...).
  // `index_order` names the axes ("T,M,N,K"; each label names a dimension, see
  // src/io/h5_axes.cpp). Returns a handle for append(). The same default `kind` in
  // every override: a default argument is bound to the static type.
  virtual int add_series(const std::string& name, const std::vector<std::size_t>& row_shape,
                         const std::string& index_order, const std::string& description,
                         const DatasetValues& kind = {}) = 0;
  virtual void append(int series, const double* row) = 0;
  // The next row of a series of two axes or more, in pieces (RowPieces).
  virtual void append_pieces(int series, const RowPieces& row) = 0;
  virtual std::size_t rows(int series) const = 0;
  // How many time series were added: their handles are 0 .. series_count() - 1.
  virtual std::size_t series_count() const = 0;
  // Whether the sink keeps the rows appended to a series (a run in memory may keep only
  // what its caller reads): an observer may skip measuring what would be dropped.
  virtual bool holds(int /*series*/) const { return true; }
  // A fixed (non-time-series) array, e.g. /data/X.
  virtual void write_array(const std::string& name, const std::vector<std::size_t>& shape, const double* data,
                           const std::string& index_order, const std::string& description,
                           const DatasetValues& kind = {}) = 0;
  // A group whose arrays a run writes at its end from all its rows (Observer::finish): a
  // resumed run (one extended past its end) removes what an earlier end wrote there.
  virtual void declare_final_group(const std::string& /*group*/) {}
  virtual void set_root_attribute(const std::string& name, const std::string& value) = 0;
  virtual void set_root_attribute(const std::string& name, double value) = 0;
  // Counts, indices and flags (flags as 0/1): int64 in a file. Seeds: uint64.
  virtual void set_root_integer(const std::string& name, std::int64_t value) = 0;
  virtual void set_root_unsigned(const std::string& name, std::uint64_t value) = 0;
  virtual void flush() {}
  // Final status: "complete", "interrupted", "failed: <reason>".
  virtual void finish(const std::string& status) = 0;
};

// The network-shape root attributes every output file carries: M, N, r and K = 2r+1
// (int64, in that order).
void set_shape_attributes(SeriesSink& sink, const NetworkShape& shape);
// The lattice spacings ax = Lx / M and ay = Ly / N (network.Lx, network.Ly) as the root
// attributes "ax" and "ay": run and ensemble files record them.
void set_spacing_attributes(SeriesSink& sink, const NetworkShape& shape, double Lx, double Ly);

// What a run kept in memory holds of its time series: those named in `series` (all when
// empty), and of them only the output rows listed in `rows` (all when empty), in order. A
// caller that reads a few rows of a few series of a large run (compare) keeps just those.
struct MemoryCapture {
  std::vector<std::string> series;
  std::vector<std::size_t> rows;  // output row indices, ascending
};

// A run kept in memory. Arrays are contiguous row-major, in the canonical index order (docs/theory.md section 1).
class MemoryRun final : public SeriesSink {
 public:
  explicit MemoryRun(MemoryCapture capture = {}) : m_capture(std::move(capture)) {}

  struct Dataset {
    std::vector<std::size_t> shape;  // for series: (T, row_shape...), T = rows so far
    std::vector<double> data;
    std::string index_order, description;
    DatasetValues kind;
  };

  int add_series(const std::string& name, const std::vector<std::size_t>& row_shape,
                 const std::string& index_order, const std::string& description,
                 const DatasetValues& kind = {}) override;
  void append(int series, const double* row) override;
  void append_pieces(int series, const RowPieces& row) override;
  std::size_t rows(int series) const override;
  std::size_t series_count() const override { return m_series.size(); }
  bool holds(int series) const override { return m_held.at(std::size_t(series)); }
  void write_array(const std::string& name, const std::vector<std::size_t>& shape, const double* data,
                   const std::string& index_order, const std::string& description,
                   const DatasetValues& kind = {}) override;
  void set_root_attribute(const std::string& name, const std::string& value) override;
  void set_root_attribute(const std::string& name, double value) override;
  void set_root_integer(const std::string& name, std::int64_t value) override { m_integer_attributes[name] = value; }
  void set_root_unsigned(const std::string& name, std::uint64_t value) override { m_unsigned_attributes[name] = value; }
  void finish(const std::string& status) override { m_text_attributes["status"] = status; }

  bool has(const std::string& name) const { return m_datasets.count(name) != 0; }
  const Dataset& dataset(const std::string& name) const;  // throws std::out_of_range naming it
  Dataset& dataset(const std::string& name);
  std::vector<std::string> names() const;
  const std::map<std::string, std::string>& text_attributes() const { return m_text_attributes; }
  const std::map<std::string, double>& number_attributes() const { return m_number_attributes; }
  const std::map<std::string, std::int64_t>& integer_attributes() const { return m_integer_attributes; }
  const std::map<std::string, std::uint64_t>& unsigned_attributes() const { return m_unsigned_attributes; }

 private:
  MemoryCapture m_capture;
  std::map<std::string, Dataset> m_datasets;
  std::vector<std::string> m_series;  // handle -> name
  std::vector<std::size_t> m_appended;  // handle -> rows appended (held or not)
  std::vector<bool> m_held;             // handle -> the series is held (MemoryCapture::series)
  std::map<std::string, std::string> m_text_attributes;
  std::map<std::string, double> m_number_attributes;
  std::map<std::string, std::int64_t> m_integer_attributes;
  std::map<std::string, std::uint64_t> m_unsigned_attributes;
};

}  // namespace nnfield
