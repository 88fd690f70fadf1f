// RunWriter (h5io.hpp): a run file of extensible chunked time series, appended row by
// row and flushed as the run goes, with its provenance and final status on "/".
#include "io/h5_axes.hpp"
#include "io/h5_handle.hpp"
#include "io/h5_provenance.hpp"
#include "io/open_runs.hpp"
#include "io/output_file.hpp"
#include "nnfield/config/config.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <system_error>
#include <utility>

namespace nnfield {

using detail::Handle;

struct RunWriter::Impl final : detail::OpenRun {
  struct Series {
    std::string name;
    Handle dset;
    std::vector<hsize_t> row_shape;
    std::size_t row_size = 1;
    hsize_t rows = 0;
    hsize_t rows_per_chunk = 1;
    hsize_t rows_since_flush = 0;
    int copy = -1;  // the series every row is also appended to (the root's time coordinate)
  };

  std::string path;
  std::unique_ptr<detail::OutputLock> lock;  // held until the file is closed
  Handle file;
  std::vector<Series> series;
  detail::FileDimensions dimensions;
  bool closed = false;
  // Set by the first failed write: from then on nothing more is written (see
  // detail::discard_further_writes), so the file keeps its last flushed state.
  bool write_failed = false;
  // Reopened to continue (the resume constructor): series rows to continue from, by handle.
  bool resuming = false;
  std::vector<std::size_t> resume_rows;

  // Also reached when the RunWriter constructor throws after registering.
  ~Impl() override { detail::unregister_open_run(this); }

  // Runs `body`, which writes to the file. A failed write stops all further
  // writing and is rethrown; other errors (usage errors) leave the file usable.
  template <class Body>
  auto writing(Body&& body) -> decltype(body()) {
    if (closed) detail::fail(path, "run file already closed");
    if (write_failed)
      detail::fail(path, "cannot write after an earlier write failure (the file keeps what was "
                         "flushed before it)");
    try {
      return body();
    } catch (const detail::WriteFailure&) {
      write_failed = true;
      detail::discard_further_writes(file.get());
      throw;
    }
  }

  // An upper estimate of what the next flush writes: the chunks touched by rows
  // appended since the last one (they may straddle one more chunk boundary), plus
  // room for metadata (object headers, chunk-index nodes, attribute heaps: a few
  // KiB in practice).
  std::uintmax_t flush_bytes_estimate() const {
    std::uintmax_t bytes = 256 * 1024;
    for (const auto& s : series) {
      if (s.rows_since_flush == 0) continue;
      const std::uintmax_t chunk_bytes = s.rows_per_chunk * s.row_size * sizeof(double);
      const std::uintmax_t chunks = (s.rows_since_flush + s.rows_per_chunk - 1) / s.rows_per_chunk;
      bytes += (chunks + 1) * chunk_bytes;
    }
    return bytes;
  }

  // H5Fflush, refusing up front when the disk is (nearly) full. Why: HDF5 1.10
  // keeps going when a write inside a flush fails, and rewrites the superblock for
  // data that never reached the disk, leaving a file no reader can open. Failing
  // before the flush keeps the file as it was after the previous one. (This does
  // not see quotas or file-size limits; those still fail inside the flush.)
  void flush_checked() {
    std::error_code ec;
    const auto space = std::filesystem::space(std::filesystem::absolute(path, ec), ec);
    if (!ec) {
      const std::uintmax_t needed = flush_bytes_estimate();
      if (space.available < needed)
        throw detail::WriteFailure(path + ": cannot write (disk full? " +
                                   std::to_string(space.available) + " bytes free, a flush may need " +
                                   std::to_string(needed) + ")");
    }
    if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0) detail::fail_write(path, "cannot write");
    for (auto& s : series) s.rows_since_flush = 0;
  }

  // Series `series` extended by one row, its row to write; `what` says so for messages.
  Series& next_row(int handle, std::string& what) {
    if (handle < 0 || static_cast<std::size_t>(handle) >= series.size())
      detail::fail(path, "no time series with handle " + std::to_string(handle));
    Series& s = series[static_cast<std::size_t>(handle)];
    what = "cannot write row " + std::to_string(s.rows) + " of " + detail::quoted(s.name);
    std::vector<hsize_t> dims{s.rows + 1};
    dims.insert(dims.end(), s.row_shape.begin(), s.row_shape.end());
    if (H5Dset_extent(s.dset.get(), dims.data()) < 0) detail::fail_write(path, what);
    return s;
  }

  void write_status(const std::string& status) {
    writing([&] {
      detail::write_string_attribute(file.get(), path, "/", "finished", utc_timestamp());
      detail::write_string_attribute(file.get(), path, "/", "status", status);
      flush_checked();
    });
  }

  // Closes every dataset, then the file; true if all of it reached the disk.
  // Never throws: used by finish(), the destructor and the exit handler.
  bool close_all() noexcept {
    detail::unregister_open_run(this);
    bool ok = true;
    for (auto& s : series) ok = s.dset.close() && ok;
    ok = dimensions.close() && ok;
    ok = file.close() && ok;
    closed = true;
    lock.reset();
    return ok;
  }

  void close_for_exit() noexcept override {
    if (closed) return;
    try {
      if (!write_failed) write_status("interrupted");
    } catch (...) {
      // Nothing to report to at exit; close what can be closed.
    }
    close_all();
  }
};

namespace {

// Rows per chunk: about 64 KiB per chunk, at least one row. Small enough that a
// flush writes little, large enough that scalar series are not 8-byte chunks.
hsize_t chunk_rows_for(std::size_t row_bytes) {
  constexpr std::size_t target = 64 * 1024;
  return static_cast<hsize_t>(std::max<std::size_t>(1, target / std::max<std::size_t>(1, row_bytes)));
}

}  // namespace

RunWriter::RunWriter(const std::string& path, bool force, const Provenance& provenance)
    : m_impl(std::make_unique<Impl>()), m_path(path) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  detail::quiet_hdf5();
  m_impl->path = path;
  detail::check_output_path(path, force);
  m_impl->lock = std::make_unique<detail::OutputLock>(path);
  detail::check_output_path(path, force);  // again, now that no other nnfield can write it

  // Created under a temporary name in the same folder and renamed once the header is
  // on disk: a failure while creating (a full disk) leaves nothing under the final name,
  // and --force replaces an old file only by a complete new header. The default
  // ("earliest") file format is kept on purpose: a file written with libver latest or
  // SWMR is left unopenable when the writer crashes.
  // No HDF5 file lock: analysis tools may read a run file while it is being written.
  const std::string temporary = detail::temporary_name(path);
  const Handle access = detail::unlocked_file_access();
  if (!access.valid()) detail::fail(path, "cannot set up file access");
  const hid_t id = H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get());
  if (id < 0) {
    std::error_code ec;
    std::filesystem::remove(temporary, ec);
    detail::fail_with_reason(path, "cannot create");
  }
  m_impl->file = Handle(id, H5Fclose);
  detail::register_open_run(m_impl.get());
  try {
    m_impl->writing([&] {
      detail::write_provenance_attributes(id, path, provenance);
      // A run killed from here on still leaves a file with its provenance.
      m_impl->flush_checked();
    });
    detail::publish(temporary, path, force);
  } catch (...) {
    m_impl->close_all();
    std::error_code ec;
    std::filesystem::remove(temporary, ec);
    throw;
  }
}

RunWriter::RunWriter(const std::string& path, const std::vector<std::size_t>& resume_rows)
    : m_impl(std::make_unique<Impl>()), m_path(path) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  detail::quiet_hdf5();
  m_impl->path = path;
  m_impl->resuming = true;
  m_impl->resume_rows = resume_rows;
  m_impl->lock = std::make_unique<detail::OutputLock>(path);
  const Handle access = detail::unlocked_file_access();
  if (!access.valid()) detail::fail(path, "cannot set up file access");
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDWR, access.get());
  if (id < 0) detail::fail_with_reason(path, "cannot open the run file to resume it");
  m_impl->file = Handle(id, H5Fclose);
  detail::register_open_run(m_impl.get());
  // Running again: no `finished` time until this run closes the file.
  if (H5Aexists(id, "finished") > 0 && H5Adelete(id, "finished") < 0)
    detail::fail_write(path, "cannot reset attribute 'finished'");
}

RunWriter::~RunWriter() {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  if (!m_impl || m_impl->closed) return;
  try {
    finish("interrupted");
  } catch (...) {
    // A destructor must not throw; finish() has closed the file regardless.
  }
  m_impl->close_all();
}

int RunWriter::add_series(const std::string& name, const std::vector<std::size_t>& row_shape,
                          const std::string& index_order, const std::string& description,
                          const DatasetValues& kind) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  return m_impl->writing([&] {
    const std::string& file = m_path;
    const std::string abs = detail::absolute(name);
    const hid_t fid = m_impl->file.get();
    if (!m_impl->resuming && detail::link_exists(fid, abs))
      detail::fail(file, "dataset " + detail::quoted(abs) + " already exists");
    // A time coordinate of the whole file (/trajectory/time) gets its root copy first,
    // so that its own time axis and every later series' can be attached to it (and a
    // resumed run reopens the two in the same order, so the series keep their numbers).
    const std::string root_copy = detail::file_coordinate_copy(abs, index_order);
    const int copy = root_copy.empty() || !row_shape.empty()
                         ? -1
                         : add_series(root_copy, {}, index_order,
                                      "the time coordinate (a copy of " + abs + "): " + description, kind);
    if (m_impl->resuming) {
      const int reopened = reopen_series(abs, row_shape);
      m_impl->series[static_cast<std::size_t>(reopened)].copy = copy;
      return reopened;
    }

    Impl::Series s;
    s.name = abs;
    s.copy = copy;
    s.row_shape.assign(row_shape.begin(), row_shape.end());
    for (std::size_t d : row_shape) {
      if (d == 0)
        detail::fail(file, "cannot create time series " + detail::quoted(abs) +
                               " with row shape " + detail::shape_text(row_shape) +
                               " (a dimension is zero)");
      s.row_size *= d;
    }
    const std::size_t row_bytes = s.row_size * sizeof(double);
    // HDF5 caps a chunk at 4 GiB.
    if (row_bytes >= (std::size_t(1) << 32))
      detail::fail(file, "time series " + detail::quoted(abs) + " has rows of " +
                             std::to_string(row_bytes) + " bytes (HDF5 limit: 4 GiB per chunk)");

    s.rows_per_chunk = chunk_rows_for(row_bytes);
    if (kind.in_pieces) s.rows_per_chunk = 1;
    std::vector<hsize_t> dims{0}, maxdims{H5S_UNLIMITED}, chunk{s.rows_per_chunk};
    for (hsize_t d : s.row_shape) {
      dims.push_back(d);
      maxdims.push_back(d);
      // In pieces: a chunk per line of a row, where the pieces of a line go straight.
      chunk.push_back(kind.in_pieces && chunk.size() == 1 ? 1 : d);
    }
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data()),
                 H5Sclose);
    if (!space.valid()) detail::fail_with_reason(file, "cannot set up time series " + detail::quoted(abs));
    const Handle dcpl =
        detail::dataset_creation(file, abs, chunk, !kind.in_pieces && row_bytes >= detail::kCompressMinRowBytes);
    Handle lcpl = detail::intermediate_groups_lcpl(file);
    s.dset = Handle(H5Dcreate2(fid, abs.c_str(), detail::stored_type(kind), space.get(), lcpl.get(),
                               dcpl.get(), H5P_DEFAULT),
                    H5Dclose);
    if (!s.dset.valid())
      detail::fail_write(file, "cannot create time series " + detail::quoted(abs));
    detail::label_dataset(s.dset.get(), file, abs, index_order, description, kind);
    m_impl->dimensions.describe(fid, file, s.dset.get(), abs, dims, index_order, nullptr);
    m_impl->series.push_back(std::move(s));
    return static_cast<int>(m_impl->series.size() - 1);
  });
}

int RunWriter::reopen_series(const std::string& abs, const std::vector<std::size_t>& row_shape) {
  const std::size_t index = m_impl->series.size();
  const auto mismatch = [&](const std::string& what) {
    throw ConfigError(m_path + ": cannot resume: " + what + " (the checkpoint does not match the run file)");
  };
  if (index >= m_impl->resume_rows.size()) mismatch("time series " + detail::quoted(abs) + " is not in the checkpoint");
  if (!detail::link_exists(m_impl->file.get(), abs)) mismatch("no time series " + detail::quoted(abs));
  Impl::Series s;
  s.name = abs;
  s.row_shape.assign(row_shape.begin(), row_shape.end());
  for (std::size_t d : row_shape) s.row_size *= d;
  s.rows_per_chunk = chunk_rows_for(s.row_size * sizeof(double));
  s.dset = detail::open_dataset(m_impl->file.get(), m_path, abs);
  std::vector<hsize_t> dims = detail::dataset_shape(s.dset.get(), m_path, abs);
  if (dims.size() != row_shape.size() + 1 || !std::equal(s.row_shape.begin(), s.row_shape.end(), dims.begin() + 1))
    mismatch("time series " + detail::quoted(abs) + " has another row shape");
  const hsize_t keep = m_impl->resume_rows[index];
  if (dims[0] < keep)
    mismatch(detail::quoted(abs) + " holds " + std::to_string(dims[0]) + " rows, the checkpoint " +
             std::to_string(keep));
  dims[0] = keep;  // rows written after the checkpoint go: they are written again
  if (H5Dset_extent(s.dset.get(), dims.data()) < 0) detail::fail_write(m_path, "cannot cut back " + detail::quoted(abs));
  s.rows = keep;
  m_impl->series.push_back(std::move(s));
  return static_cast<int>(index);
}

namespace {

// Writes `values` into the box [start, start + count) of dataset `dset`; false when HDF5 fails.
bool write_box(hid_t dset, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count, const double* values) {
  Handle file_space(H5Dget_space(dset), H5Sclose);
  if (!file_space.valid() ||
      H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0)
    return false;
  hsize_t n = 1;
  for (hsize_t c : count) n *= c;
  Handle mem_space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  return mem_space.valid() &&
         H5Dwrite(dset, H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), H5P_DEFAULT, values) >= 0;
}

}  // namespace

void RunWriter::append(int series, const double* row) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  m_impl->writing([&] {
    std::string what;
    Impl::Series& s = m_impl->next_row(series, what);
    std::vector<hsize_t> start{s.rows}, count{1};
    start.resize(s.row_shape.size() + 1, 0);
    count.insert(count.end(), s.row_shape.begin(), s.row_shape.end());
    if (!write_box(s.dset.get(), start, count, row)) detail::fail_write(m_path, what);
    ++s.rows;
    ++s.rows_since_flush;
    if (s.copy >= 0) append(s.copy, row);
  });
}

void RunWriter::append_pieces(int series, const RowPieces& row) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  m_impl->writing([&] {
    std::string what;
    Impl::Series& s = m_impl->next_row(series, what);
    if (s.row_shape.size() < 2 || s.copy >= 0) detail::fail(m_path, what + ": its rows do not come in pieces");
    std::vector<hsize_t> start{s.rows, 0, 0}, count{1, 1, 0};
    start.resize(s.row_shape.size() + 1, 0);
    count.insert(count.end(), s.row_shape.begin() + 2, s.row_shape.end());
    row([&](std::size_t line, std::size_t first, std::size_t width, const double* values) {
      start[1] = line;
      start[2] = first;
      count[2] = width;
      if (!write_box(s.dset.get(), start, count, values)) detail::fail_write(m_path, what);
    });
    ++s.rows;
    ++s.rows_since_flush;
  });
}

std::size_t RunWriter::rows(int series) const {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  if (series < 0 || static_cast<std::size_t>(series) >= m_impl->series.size())
    detail::fail(m_path, "no time series with handle " + std::to_string(series));
  return static_cast<std::size_t>(m_impl->series[static_cast<std::size_t>(series)].rows);
}

std::size_t RunWriter::series_count() const {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  return m_impl->series.size();
}

void RunWriter::write_array(const std::string& name, const std::vector<std::size_t>& shape,
                            const double* data, const std::string& index_order,
                            const std::string& description, const DatasetValues& kind) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  m_impl->writing([&] {
    const std::string abs = detail::absolute(name);
    if (m_impl->resuming && detail::link_exists(m_impl->file.get(), abs)) {
      // A resumed run declares its fixed arrays again: they must be what the file holds.
      const Array held = detail::read_array(m_impl->file.get(), m_path, abs);
      const std::size_t n = held.data.size();
      if (held.shape != shape || !std::equal(held.data.begin(), held.data.end(), data, data + n))
        throw ConfigError(m_path + ": cannot resume: " + detail::quoted(abs) +
                          " differs from the resumed run's (the checkpoint does not match the run file)");
      return;
    }
    detail::write_dataset(m_impl->file.get(), m_path, name, shape, data, index_order,
                          description, kind, &m_impl->dimensions);
  });
}

void RunWriter::declare_final_group(const std::string& group) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  m_impl->writing([&] {
    const std::string abs = detail::absolute(group);
    // Only a resumed run can meet what its own end wrote (an extended, finished run).
    if (m_impl->resuming && detail::link_exists(m_impl->file.get(), abs))
      detail::FileDimensions::remove_group(m_impl->file.get(), m_path, abs);
  });
}

void RunWriter::set_root_attribute(const std::string& name, const std::string& value) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  m_impl->writing(
      [&] { detail::write_string_attribute(m_impl->file.get(), m_path, "/", name, value); });
}

void RunWriter::set_root_attribute(const std::string& name, double value) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  m_impl->writing([&] {
    detail::write_numeric_attribute(m_impl->file.get(), m_path, "/", name, H5T_IEEE_F64LE,
                                    H5T_NATIVE_DOUBLE, &value);
  });
}

void RunWriter::set_root_integer(const std::string& name, std::int64_t value) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  m_impl->writing([&] {
    detail::write_numeric_attribute(m_impl->file.get(), m_path, "/", name, H5T_STD_I64LE, H5T_NATIVE_INT64,
                                    &value);
  });
}

void RunWriter::set_root_unsigned(const std::string& name, std::uint64_t value) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  m_impl->writing([&] {
    detail::write_numeric_attribute(m_impl->file.get(), m_path, "/", name, H5T_STD_U64LE, H5T_NATIVE_UINT64,
                                    &value);
  });
}

void RunWriter::flush() {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  m_impl->writing([&] { m_impl->flush_checked(); });
}

void RunWriter::finish(const std::string& status) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  if (m_impl->closed) detail::fail(m_path, "run file already closed");
  // After a write failure that failure has been reported; the file keeps its
  // last flushed state (status "running") and is closed without a second error,
  // so that `catch (...) { writer.finish("failed: ...") }` does not throw again.
  if (m_impl->write_failed) {
    m_impl->close_all();
    return;
  }
  // Whatever happens to the status write, the file is closed: after a failed
  // finish() there is nothing left for the destructor to do.
  try {
    m_impl->write_status(status);
  } catch (const H5Error&) {
    m_impl->close_all();
    throw;
  }
  if (!m_impl->close_all()) throw H5Error(m_path + ": cannot write while closing (disk full?)");
}

}  // namespace nnfield
