#pragma once
// HDF5 input and output (docs/theory.md section 6), implemented in src/io/ one job a file
// (h5_read.cpp, input_files.cpp, run_writer.cpp); src/io/h5_handle.hpp is the only
// header that includes HDF5. Arrays are row-major in the canonical index order (docs/theory.md section 1).
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "nnfield/config/model_limits.hpp"
#include "nnfield/io/provenance.hpp"
#include "nnfield/io/series_sink.hpp"
#include "nnfield/core/column_window.hpp"
#include "nnfield/core/shape.hpp"

namespace nnfield {

// Any HDF5 problem; the message names the file and the dataset or attribute.
class H5Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Array {
  std::vector<std::size_t> shape;
  std::vector<double> data;  // row-major
  std::size_t size() const { return data.size(); }
};

// ---- generic reading ------------------------------------------------------
bool h5_has(const std::string& file, const std::string& dataset);
Array h5_read(const std::string& file, const std::string& dataset);
// The shape of a dataset, from the metadata alone (nothing is read).
std::vector<std::size_t> h5_shape(const std::string& file, const std::string& dataset);
std::vector<long long> h5_read_int(const std::string& file, const std::string& dataset);
// Attribute of a group or dataset (`object` = "/" for the file root). Strings only.
std::string h5_read_string_attribute(const std::string& file, const std::string& object,
                                     const std::string& attribute);
double h5_read_double_attribute(const std::string& file, const std::string& object,
                                const std::string& attribute);

// True if the file's superblock records an end of allocation before the end of its data:
// a writer is running, or one was killed inside a flush and HDF5 may refuse to read the
// newest objects ("addr overflow") until `nnfield run --resume` repairs the file.
bool h5_end_of_allocation_lags(const std::string& file);

// ---- the fixed input formats ---------------------------------------------
// Initial state: /W (M,N,K), /b (M,N), optional /Wdot (M,N,K), /bdot (M,N) (both or neither).
struct InitialState {
  std::vector<double> W, b, Wdot, bdot;  // Wdot/bdot empty when absent
};
InitialState read_initial_state(const std::string& file, const NetworkShape& shape);
// The window's columns of the same datasets (a block of a width split and its ghosts,
// core/column_window.hpp): W (M, window.width, K), b (M, window.width) and the velocities,
// each read as hyperslabs of those columns, never the whole dataset. The same checks and
// one-line errors; a non-finite value is named by its index in the whole dataset.
InitialState read_initial_columns(const std::string& file, const NetworkShape& shape, const ColumnWindow& window);
void write_initial_state(const std::string& file, const NetworkShape& shape, const InitialState& s);

// Data: /X (S,N), /Y (S,N).
struct DataFile {
  int S = 0, N = 0;
  std::vector<double> X, Y;  // (S, N) each
};
// Shapes are checked from the file's metadata before anything is read; more than
// max_samples samples is refused the same way.
DataFile read_data_file(const std::string& file, int expected_N,
                        std::size_t max_samples = std::size_t(detail::kMaxSamples));
void write_data_file(const std::string& file, const DataFile& d);

// ---- run output -----------------------------------------------------------
// A run file: extensible chunked time series appended row by row and flushed as
// the run goes, so an interrupted run leaves a readable file. The root attribute
// "status" is "running" while open and "complete", "interrupted" or
// "failed: <reason>" once closed.
class RunWriter final : public SeriesSink {
 public:
  // Refuses (H5Error) to overwrite an existing file unless `force`.
  RunWriter(const std::string& path, bool force, const Provenance& provenance);
  // Reopens a run file to continue it (`nnfield run --resume`): the i-th add_series opens
  // the existing time series of that name and cuts it back to resume_rows[i] rows (rows
  // written after the checkpoint), so appending continues where the checkpoint left off.
  // ConfigError when the file does not hold what the checkpoint says.
  RunWriter(const std::string& path, const std::vector<std::size_t>& resume_rows);
  ~RunWriter();  // closes; status "interrupted" if finish() was not called
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;

  // Declare a time series "/group/name" whose rows have `row_shape`; the dataset is
  // (T, row_shape...). `index_order` is the attribute naming its axes, e.g. "T,M,N,K".
  // Returns a handle for append().
  int add_series(const std::string& name, const std::vector<std::size_t>& row_shape,
                 const std::string& index_order, const std::string& description,
                 const DatasetValues& kind = {}) override;
  void append(int series, const double* row) override;
  void append_pieces(int series, const RowPieces& row) override;
  std::size_t rows(int series) const override;
  std::size_t series_count() const override;

  // A fixed (non-time-series) dataset, e.g. /grid/x.
  void write_array(const std::string& name, const std::vector<std::size_t>& shape,
                   const double* data, const std::string& index_order,
                   const std::string& description, const DatasetValues& kind = {}) override;
  void declare_final_group(const std::string& group) override;
  void set_root_attribute(const std::string& name, const std::string& value) override;
  void set_root_attribute(const std::string& name, double value) override;
  void set_root_integer(const std::string& name, std::int64_t value) override;
  void set_root_unsigned(const std::string& name, std::uint64_t value) override;

  void flush() override;
  // Close with the given final status ("complete", "interrupted", "failed: ...").
  void finish(const std::string& status) override;
  const std::string& path() const { return m_path; }

 private:
  struct Impl;
  int reopen_series(const std::string& abs, const std::vector<std::size_t>& row_shape);
  std::unique_ptr<Impl> m_impl;
  std::string m_path;
};

}  // namespace nnfield
