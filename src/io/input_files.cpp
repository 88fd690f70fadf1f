// The fixed input formats (h5io.hpp): initial-state files and data files, read with
// the validation errors users see for bad inputs, and written whole.
#include "io/h5_handle.hpp"

#include <cmath>
#include <filesystem>
#include <sstream>
#include <system_error>
#include <utility>

namespace nnfield {

namespace detail {
namespace {

// Writes a small input-format file in one go, replacing any old one. A file whose
// writing failed is removed rather than left half-written.
template <class Body>
void write_whole_file(const std::string& file, Body&& body) {
  quiet_hdf5();
  const Handle access = unlocked_file_access();
  Handle f(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), H5Fclose);
  if (!f.valid()) fail_with_reason(file, "cannot create");
  try {
    body(f.get());
    if (H5Fflush(f.get(), H5F_SCOPE_LOCAL) < 0) fail_write(file, "cannot write");
  } catch (const WriteFailure&) {
    discard_further_writes(f.get());
    f.close();
    // Only a regular file: never unlink a device such as /dev/full.
    std::error_code ec;
    if (std::filesystem::is_regular_file(file, ec)) std::filesystem::remove(file, ec);
    throw;
  }
  if (!f.close()) fail_write(file, "cannot write");
}

void require_finite(const Array& a, const std::string& file, const std::string& path) {
  for (std::size_t i = 0; i < a.data.size(); ++i) {
    if (!std::isfinite(a.data[i])) {
      std::ostringstream v;
      v << a.data[i];
      fail(file, "dataset " + quoted(path) + " has a non-finite value (" + v.str() +
                     ") at index " + index_text(i, a.shape));
    }
  }
}

// A non-finite value of the window's columns of a dataset of `shape` (M, N[, K]), named by
// its index in the whole dataset.
void require_finite_columns(const std::vector<double>& values, const ColumnWindow& window,
                            const std::vector<std::size_t>& shape, const std::string& file, const std::string& path) {
  const std::size_t cells = shape.size() > 2 ? shape[2] : 1, width = std::size_t(window.width);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i])) continue;
    const std::size_t m = i / (width * cells), j = i / cells % width, k = i % cells;
    const std::size_t whole = (m * shape[1] + std::size_t(window.site(int(j)))) * cells + k;
    std::ostringstream v;
    v << values[i];
    fail(file, "dataset " + quoted(path) + " has a non-finite value (" + v.str() + ") at index " +
                   index_text(whole, shape));
  }
}

// The window's columns of a numeric dataset of `shape` (M, N[, K]) as float64 (HDF5
// converts): one hyperslab a stretch of consecutive sites, two where the window goes round
// the periodic seam.
std::vector<double> read_columns(hid_t f, const std::string& file, const std::string& path,
                                 const std::vector<std::size_t>& shape, const ColumnWindow& window) {
  const Handle dset = open_dataset(f, file, path);
  const H5T_class_t cls = dataset_class(dset.get());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) fail(file, "dataset " + quoted(path) + " is not numeric");
  const int rank = int(shape.size());
  const hsize_t lines = shape[0], cells = rank > 2 ? shape[2] : 1, N = shape[1];
  std::vector<double> out(std::size_t(lines * hsize_t(window.width) * cells));
  const std::vector<hsize_t> memory_dims{lines, hsize_t(window.width), cells};
  const Handle memory(H5Screate_simple(rank, memory_dims.data(), nullptr), H5Sclose);
  const Handle stored(H5Dget_space(dset.get()), H5Sclose);
  if (!memory.valid() || !stored.valid()) fail_with_reason(file, "cannot read dataset " + quoted(path));
  for (int j = 0; j < window.width;) {
    const hsize_t site = hsize_t(window.site(j)), run = std::min(hsize_t(window.width - j), N - site);
    const std::vector<hsize_t> at_file{0, site, 0}, at_memory{0, hsize_t(j), 0}, count{lines, run, cells};
    if (H5Sselect_hyperslab(stored.get(), H5S_SELECT_SET, at_file.data(), nullptr, count.data(), nullptr) < 0 ||
        H5Sselect_hyperslab(memory.get(), H5S_SELECT_SET, at_memory.data(), nullptr, count.data(), nullptr) < 0 ||
        H5Dread(dset.get(), H5T_NATIVE_DOUBLE, memory.get(), stored.get(), H5P_DEFAULT, out.data()) < 0)
      fail_with_reason(file, "cannot read dataset " + quoted(path));
    j += int(run);
  }
  return out;
}

void require_shape(const Array& a, const std::vector<std::size_t>& expected,
                   const std::string& names, const std::string& file, const std::string& path) {
  if (a.shape != expected)
    fail(file, "dataset " + quoted(path) + " has shape " + shape_text(a.shape) + ", expected " +
                   names + " = " + shape_text(expected));
}

void require_size(std::size_t got, std::size_t expected, const std::string& what,
                  const std::string& file) {
  if (got != expected)
    fail(file, "cannot write " + what + ": it has " + std::to_string(got) + " values, expected " +
                   std::to_string(expected));
}

}  // namespace
}  // namespace detail

using detail::Handle;

// ---- initial state: /W (M,N,K), /b (M,N), optional /Wdot, /bdot --------------------

InitialState read_initial_state(const std::string& file, const NetworkShape& shape) {
  return read_initial_columns(file, shape, ColumnWindow::whole(shape.N));
}

InitialState read_initial_columns(const std::string& file, const NetworkShape& shape, const ColumnWindow& window) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  Handle f = detail::open_for_reading(file);
  const auto M = static_cast<std::size_t>(shape.M), N = static_cast<std::size_t>(shape.N),
             K = static_cast<std::size_t>(shape.K());
  const std::vector<std::size_t> w_shape{M, N, K}, b_shape{M, N};

  auto read_checked = [&](const std::string& path, const std::vector<std::size_t>& expected,
                          const std::string& names) {
    Array declared;
    declared.shape = detail::declared_shape(f.get(), file, path);
    detail::require_shape(declared, expected, names, file, path);
    std::vector<double> values = detail::read_columns(f.get(), file, path, expected, window);
    detail::require_finite_columns(values, window, expected, file, path);
    return values;
  };

  InitialState s;
  s.W = read_checked("/W", w_shape, "(M,N,K)");
  s.b = read_checked("/b", b_shape, "(M,N)");
  const bool has_wdot = detail::link_exists(f.get(), "/Wdot");
  const bool has_bdot = detail::link_exists(f.get(), "/bdot");
  if (has_wdot != has_bdot)
    detail::fail(file, std::string("has ") + (has_wdot ? "'/Wdot' but not '/bdot'"
                                                        : "'/bdot' but not '/Wdot'") +
                           " (give both velocities or neither)");
  if (has_wdot) {
    s.Wdot = read_checked("/Wdot", w_shape, "(M,N,K)");
    s.bdot = read_checked("/bdot", b_shape, "(M,N)");
  }
  return s;
}

void write_initial_state(const std::string& file, const NetworkShape& shape,
                         const InitialState& s) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  const auto M = static_cast<std::size_t>(shape.M), N = static_cast<std::size_t>(shape.N),
             K = static_cast<std::size_t>(shape.K());
  // Validate before touching the file so a bad call does not truncate anything.
  detail::require_size(s.W.size(), shape.num_weights(), "'/W'", file);
  detail::require_size(s.b.size(), shape.num_biases(), "'/b'", file);
  if (s.Wdot.empty() != s.bdot.empty())
    detail::fail(file, "cannot write a velocity for only one of W and b (give both or neither)");
  if (!s.Wdot.empty()) {
    detail::require_size(s.Wdot.size(), shape.num_weights(), "'/Wdot'", file);
    detail::require_size(s.bdot.size(), shape.num_biases(), "'/bdot'", file);
  }
  detail::write_whole_file(file, [&](hid_t f) {
    detail::write_dataset(f, file, "/W", {M, N, K}, s.W.data(), "M,N,K",
                          "weights W[m,i,k], m = 0..M-1, k = 0..2r (offset k-r)");
    detail::write_dataset(f, file, "/b", {M, N}, s.b.data(), "M,N", "biases b[m,i]");
    if (!s.Wdot.empty()) {
      detail::write_dataset(f, file, "/Wdot", {M, N, K}, s.Wdot.data(), "M,N,K",
                            "weight velocities dW/dt");
      detail::write_dataset(f, file, "/bdot", {M, N}, s.bdot.data(), "M,N",
                            "bias velocities db/dt");
    }
  });
}

// ---- data: /X (S,N), /Y (S,N) ---------------------------------------------------------

DataFile read_data_file(const std::string& file, int expected_N, std::size_t max_samples) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  Handle f = detail::open_for_reading(file);
  auto check_shape = [&](const std::vector<std::size_t>& shape, const std::string& path) {
    const bool ok = shape.size() == 2 && shape[0] >= 1 &&
                    (expected_N <= 0 || shape[1] == static_cast<std::size_t>(expected_N));
    if (!ok)
      detail::fail(file, "dataset " + detail::quoted(path) + " has shape " +
                             detail::shape_text(shape) + ", expected (S,N) with S >= 1" +
                             (expected_N > 0 ? " and N = " + std::to_string(expected_N) : ""));
    if (shape[0] > max_samples)
      detail::fail(file, "dataset " + detail::quoted(path) + " has shape " + detail::shape_text(shape) +
                             ": more than " + std::to_string(max_samples) + " samples");
  };
  const std::vector<std::size_t> x_shape = detail::declared_shape(f.get(), file, "/X");
  const std::vector<std::size_t> y_shape = detail::declared_shape(f.get(), file, "/Y");
  check_shape(x_shape, "/X");
  check_shape(y_shape, "/Y");
  if (x_shape != y_shape)
    detail::fail(file, "datasets '/X' " + detail::shape_text(x_shape) + " and '/Y' " +
                           detail::shape_text(y_shape) + " differ in shape (both must be (S,N))");
  Array x = detail::read_array(f.get(), file, "/X");
  Array y = detail::read_array(f.get(), file, "/Y");
  detail::require_finite(x, file, "/X");
  detail::require_finite(y, file, "/Y");
  DataFile d;
  d.S = static_cast<int>(x.shape[0]);
  d.N = static_cast<int>(x.shape[1]);
  d.X = std::move(x.data);
  d.Y = std::move(y.data);
  return d;
}

void write_data_file(const std::string& file, const DataFile& d) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  if (d.S < 1 || d.N < 1)
    detail::fail(file, "cannot write a data file with S = " + std::to_string(d.S) +
                           ", N = " + std::to_string(d.N) + " (both must be >= 1)");
  const auto S = static_cast<std::size_t>(d.S), N = static_cast<std::size_t>(d.N);
  detail::require_size(d.X.size(), S * N, "'/X'", file);
  detail::require_size(d.Y.size(), S * N, "'/Y'", file);
  detail::write_whole_file(file, [&](hid_t f) {
    detail::write_dataset(f, file, "/X", {S, N}, d.X.data(), "S,N", "input samples X[s,i]");
    detail::write_dataset(f, file, "/Y", {S, N}, d.Y.data(), "S,N", "target samples Y[s,i]");
  });
}

}  // namespace nnfield
