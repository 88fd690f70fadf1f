// HDF5 input and output (SPEC section 6; layout in docs/output-schema.md).
//
// The only file in nnfield that includes HDF5. It uses the HDF5 C API rather than
// the C++ wrapper (H5Cpp.h) for two reasons: every call's return value can be
// checked and turned into one H5Error naming the file and object, and the C++
// wrapper's destructors print to std::cerr when a close fails (e.g. on a full
// disk), which would break the "one line per error" rule.
#include "nnfield/io/h5io.hpp"
#include "nnfield/io/h5io_catalog.hpp"

#include <hdf5.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <set>
#include <sstream>
#include <utility>

namespace nnfield {

namespace detail {

// ---- small utilities --------------------------------------------------------

// HDF5 1.10 (fixed in 1.14.1) leaves a dangling file ID behind when H5Fclose fails
// because the final flush cannot be written (disk full): the library's own
// atexit() clean-up then dereferences freed memory, turning a clean "disk full"
// error into a segmentation fault at exit. So the library's atexit hook is turned
// off here, during static initialisation (it only works before the first HDF5
// call), and close_hdf5_at_exit() below does its job instead.
const bool g_hdf5_atexit_disabled = (H5dont_atexit() >= 0);

// ---- thread safety ---------------------------------------------------------------

// The HDF5 library is built without its thread-safe option: every public function of
// this file holds this lock, so that several runs on worker threads (ensembles) may read
// their data and initial-state files concurrently. Recursive: public functions may nest.
std::recursive_mutex& library_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

// ---- run files still open at exit ----------------------------------------------------

// A run file that can be closed from the exit handler. RunWriter::Impl is one;
// the base class lets the registry below name it without breaking encapsulation.
class OpenRun {
 public:
  virtual void close_for_exit() noexcept = 0;

 protected:
  virtual ~OpenRun() = default;
};

struct OpenRunRegistry {
  std::mutex mutex;
  std::set<OpenRun*> open;
};

OpenRunRegistry& open_runs() {
  static OpenRunRegistry registry;
  return registry;
}

// Installed with std::atexit in place of HDF5's own hook (see
// g_hdf5_atexit_disabled). A run file whose writer was never destroyed (the
// program called exit() without unwinding) still gets status "interrupted" and a
// clean close. Then the library is shut down as its own hook would, unless a file
// is still open: that is the broken-ID case, where shutting down would crash.
void close_hdf5_at_exit() {
  OpenRunRegistry& registry = open_runs();
  std::set<OpenRun*> open;
  {
    std::lock_guard<std::mutex> lock(registry.mutex);
    open.swap(registry.open);
  }
  for (OpenRun* run : open) run->close_for_exit();
  if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE) == 0) H5close();
}

void register_open_run(OpenRun* run) {
  OpenRunRegistry& registry = open_runs();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.open.insert(run);
}

void unregister_open_run(OpenRun* run) {
  OpenRunRegistry& registry = open_runs();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.open.erase(run);
}

// Called at every entry point. Silences HDF5's automatic error-stack printing
// (what H5::Exception::dontPrint() does in the C++ API): users see our one-line
// H5Error instead of a 20-line dump. The first call also installs the exit hook.
void quiet_hdf5() {
  static const bool exit_hook_installed = [] {
    open_runs();  // constructed before the hook is registered, so it outlives it
    return std::atexit(close_hdf5_at_exit) == 0;
  }();
  (void)exit_hook_installed;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : m_id(id), m_closer(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : m_id(o.m_id), m_closer(o.m_closer) { o.m_id = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      m_id = o.m_id;
      m_closer = o.m_closer;
      o.m_id = H5I_INVALID_HID;
    }
    return *this;
  }
  ~Handle() { reset(); }

  hid_t get() const { return m_id; }
  bool valid() const { return m_id >= 0; }
  // Close now and report whether the close succeeded (used where a failed close
  // means data did not reach the disk).
  bool close() {
    if (m_id < 0) return true;
    const herr_t status = m_closer(m_id);
    m_id = H5I_INVALID_HID;
    return status >= 0;
  }
  void reset() { close(); }

 private:
  hid_t m_id = H5I_INVALID_HID;
  Closer m_closer = nullptr;
};

// The most useful sentence on the current HDF5 error stack: the operating system's
// message when there is one ("No space left on device"), else the innermost
// description. Must be called straight after the failing call: every HDF5 API
// call clears the stack.
std::string hdf5_reason() {
  struct Walk {
    std::string innermost;
    std::string os_message;
  } walk;
  auto visit = [](unsigned n, const H5E_error2_t* err, void* data) -> herr_t {
    auto* w = static_cast<Walk*>(data);
    if (err == nullptr || err->desc == nullptr) return 0;
    const std::string desc = err->desc;
    if (n == 0) w->innermost = desc;
    // The sec2 driver reports "... errno = 28, error message = 'No space left on device' ...".
    const std::string key = "error message = '";
    const auto at = desc.find(key);
    if (w->os_message.empty() && at != std::string::npos) {
      const auto start = at + key.size();
      const auto end = desc.find('\'', start);
      if (end != std::string::npos) w->os_message = desc.substr(start, end - start);
    }
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, visit, &walk);
  return walk.os_message.empty() ? walk.innermost : walk.os_message;
}

// "<file>: <what>" plus the HDF5 reason in parentheses when there is one.
[[noreturn]] void fail_with_reason(const std::string& file, const std::string& what) {
  const std::string reason = hdf5_reason();
  throw H5Error(file + ": " + what + (reason.empty() ? "" : " (" + reason + ")"));
}

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw H5Error(file + ": " + what);
}

// A write that did not reach the disk. Callers that own the file catch it to stop
// writing to that file (discard_further_writes); everyone else sees an H5Error.
class WriteFailure : public H5Error {
 public:
  using H5Error::H5Error;
};

// A failed write: say "disk full?" because that is by far the likeliest cause
// and the OS message alone ("No space left on device") may be missing.
[[noreturn]] void fail_write(const std::string& file, const std::string& what) {
  const std::string reason = hdf5_reason();
  throw WriteFailure(file + ": " + what + " (disk full?" + (reason.empty() ? "" : " " + reason) +
                     ")");
}

// After a failed write, points the file's descriptor at an anonymous in-memory
// file, so that nothing more reaches the real file. Why: HDF5 1.10 has no
// journal, and the metadata it writes while closing a file whose data could not
// be written leaves the file unopenable ("addr overflow"); without those writes
// the file stays as it was after the last successful flush. It also lets the close
// succeed, avoiding the 1.10 bug described at g_hdf5_atexit_disabled. Only for the
// default sec2 driver, whose handle is a pointer to its int descriptor.
void discard_further_writes(hid_t file) noexcept {
  Handle fapl(H5Fget_access_plist(file), H5Pclose);
  if (!fapl.valid() || H5Pget_driver(fapl.get()) != H5FD_SEC2) return;
  void* handle = nullptr;
  if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || handle == nullptr) return;
  const int fd = *static_cast<int*>(handle);
#if defined(__linux__)
  const int scratch = memfd_create("nnfield-discarded", 0);
#else
  char name[] = "/tmp/nnfield-discarded-XXXXXX";
  const int scratch = mkstemp(name);
  if (scratch >= 0) ::unlink(name);
#endif
  if (scratch < 0) return;
  ::dup2(scratch, fd);
  ::close(scratch);
}

template <class T>
std::string shape_text(const std::vector<T>& shape) {
  std::ostringstream out;
  out << '(';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? "," : "") << shape[i];
  out << ')';
  return out.str();
}

// Dataset and attribute paths are reported and stored absolute ("/trajectory/W").
std::string absolute(const std::string& name) {
  if (!name.empty() && name[0] == '/') return name;
  return "/" + name;
}

std::string quoted(const std::string& name) { return "'" + name + "'"; }

// ---- files and objects --------------------------------------------------------

// File access without HDF5's file lock, for every open and create: run files are read
// while they are written (the flushed rows are consistent), and HDF5 refuses to open a
// file twice in one process with different locking flags.
Handle unlocked_file_access() {
  Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (access.valid()) H5Pset_file_locking(access.get(), false, true);
  return access;
}

Handle open_for_reading(const std::string& file) {
  quiet_hdf5();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) fail(file, "no such file");
  if (std::filesystem::is_directory(file, ec)) fail(file, "is a directory, not an HDF5 file");
  const Handle access = unlocked_file_access();
  const hid_t id = H5Fopen(file.c_str(), H5F_ACC_RDONLY, access.get());
  if (id < 0) fail_with_reason(file, "cannot open as an HDF5 file");
  return Handle(id, H5Fclose);
}

// Whether every component of `path` exists as a link. H5Lexists fails (rather than
// answering false) when an intermediate group is missing, hence the walk.
bool link_exists(hid_t loc, const std::string& path) {
  const std::string abs = absolute(path);
  if (abs == "/") return true;
  std::size_t pos = 1;
  while (true) {
    const std::size_t slash = abs.find('/', pos);
    const std::string prefix = abs.substr(0, slash);
    if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos || slash + 1 >= abs.size()) return true;
    pos = slash + 1;
  }
}

// Type of the object at an existing path (H5I_DATASET, H5I_GROUP, ...).
H5I_type_t object_type(hid_t loc, const std::string& path) {
  const hid_t obj = H5Oopen(loc, absolute(path).c_str(), H5P_DEFAULT);
  if (obj < 0) return H5I_BADID;
  const H5I_type_t type = H5Iget_type(obj);
  H5Oclose(obj);
  return type;
}

Handle open_dataset(hid_t loc, const std::string& file, const std::string& path) {
  const std::string abs = absolute(path);
  if (!link_exists(loc, abs)) fail(file, "missing dataset " + quoted(abs));
  if (object_type(loc, abs) != H5I_DATASET) fail(file, quoted(abs) + " is not a dataset");
  const hid_t id = H5Dopen2(loc, abs.c_str(), H5P_DEFAULT);
  if (id < 0) fail_with_reason(file, "cannot open dataset " + quoted(abs));
  return Handle(id, H5Dclose);
}

std::vector<hsize_t> dataset_shape(hid_t dset, const std::string& file, const std::string& path) {
  Handle space(H5Dget_space(dset), H5Sclose);
  if (!space.valid()) fail_with_reason(file, "cannot read the shape of dataset " + quoted(path));
  if (H5Sget_simple_extent_type(space.get()) == H5S_NULL)
    fail(file, "dataset " + quoted(path) + " has no data (null dataspace)");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail_with_reason(file, "cannot read the shape of dataset " + quoted(path));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
    fail_with_reason(file, "cannot read the shape of dataset " + quoted(path));
  return dims;
}

H5T_class_t dataset_class(hid_t dset) {
  Handle type(H5Dget_type(dset), H5Tclose);
  return type.valid() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
}

std::size_t element_count(const std::vector<hsize_t>& dims) {
  std::size_t n = 1;
  for (hsize_t d : dims) n *= static_cast<std::size_t>(d);
  return n;
}

// Reads any integer or floating-point dataset as float64 (HDF5 converts).
Array read_array(hid_t loc, const std::string& file, const std::string& path) {
  const std::string abs = absolute(path);
  Handle dset = open_dataset(loc, file, abs);
  const H5T_class_t cls = dataset_class(dset.get());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    fail(file, "dataset " + quoted(abs) + " is not numeric");
  const std::vector<hsize_t> dims = dataset_shape(dset.get(), file, abs);
  Array out;
  out.shape.assign(dims.begin(), dims.end());
  out.data.resize(element_count(dims));
  if (!out.data.empty() &&
      H5Dread(dset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data.data()) < 0)
    fail_with_reason(file, "cannot read dataset " + quoted(abs));
  return out;
}

// Opens a group or dataset for its attributes.
Handle open_object(hid_t loc, const std::string& file, const std::string& object) {
  const std::string abs = absolute(object);
  if (!link_exists(loc, abs)) fail(file, "missing object " + quoted(abs));
  const hid_t id = H5Oopen(loc, abs.c_str(), H5P_DEFAULT);
  if (id < 0) fail_with_reason(file, "cannot open " + quoted(abs));
  return Handle(id, H5Oclose);
}

std::string attribute_label(const std::string& object, const std::string& attribute) {
  return "attribute " + quoted(attribute) + " of " + quoted(absolute(object));
}

Handle open_attribute(hid_t obj, const std::string& file, const std::string& object,
                      const std::string& attribute) {
  const htri_t exists = H5Aexists(obj, attribute.c_str());
  if (exists < 0) fail_with_reason(file, "cannot look up " + attribute_label(object, attribute));
  if (exists == 0) fail(file, "missing " + attribute_label(object, attribute));
  const hid_t id = H5Aopen(obj, attribute.c_str(), H5P_DEFAULT);
  if (id < 0) fail_with_reason(file, "cannot open " + attribute_label(object, attribute));
  return Handle(id, H5Aclose);
}

hssize_t attribute_points(hid_t attr) {
  Handle space(H5Aget_space(attr), H5Sclose);
  return space.valid() ? H5Sget_simple_extent_npoints(space.get()) : -1;
}

// ---- writing --------------------------------------------------------------------

// Variable-length UTF-8: h5py reads it as str, and the attribute itself holds only
// a heap reference, so long texts (the model file) do not hit the 64 KiB limit on
// attributes stored in an object header of an "earliest"-format file.
void write_string_attribute(hid_t obj, const std::string& file, const std::string& object,
                            const std::string& name, const std::string& value) {
  const std::string label = attribute_label(object, name);
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  if (!type.valid() || H5Tset_size(type.get(), H5T_VARIABLE) < 0 ||
      H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0)
    fail_with_reason(file, "cannot make the string type for " + label);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  if (!space.valid()) fail_with_reason(file, "cannot make the dataspace for " + label);
  const htri_t exists = H5Aexists(obj, name.c_str());
  if (exists < 0) fail_with_reason(file, "cannot look up " + label);
  // Rewritten by deleting and recreating: the old one may have another type.
  if (exists > 0 && H5Adelete(obj, name.c_str()) < 0)
    fail_write(file, "cannot replace " + label);
  Handle attr(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr.valid()) fail_write(file, "cannot write " + label);
  const char* text = value.c_str();
  if (H5Awrite(attr.get(), type.get(), &text) < 0) fail_write(file, "cannot write " + label);
  if (!attr.close()) fail_write(file, "cannot write " + label);
}

// A scalar numeric attribute: `file_type` on disk, `mem_type` describing `value`.
void write_numeric_attribute(hid_t obj, const std::string& file, const std::string& object,
                             const std::string& name, hid_t file_type, hid_t mem_type,
                             const void* value) {
  const std::string label = attribute_label(object, name);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  if (!space.valid()) fail_with_reason(file, "cannot make the dataspace for " + label);
  const htri_t exists = H5Aexists(obj, name.c_str());
  if (exists < 0) fail_with_reason(file, "cannot look up " + label);
  if (exists > 0 && H5Adelete(obj, name.c_str()) < 0)
    fail_write(file, "cannot replace " + label);
  Handle attr(H5Acreate2(obj, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr.valid()) fail_write(file, "cannot write " + label);
  if (H5Awrite(attr.get(), mem_type, value) < 0) fail_write(file, "cannot write " + label);
  if (!attr.close()) fail_write(file, "cannot write " + label);
}

// Link-creation property list that makes missing parent groups ("/trajectory").
Handle intermediate_groups_lcpl(const std::string& file) {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  if (!lcpl.valid() || H5Pset_create_intermediate_group(lcpl.get(), 1) < 0)
    fail_with_reason(file, "cannot make a link-creation property list");
  return lcpl;
}

void label_dataset(hid_t dset, const std::string& file, const std::string& path,
                   const std::string& index_order, const std::string& description) {
  write_string_attribute(dset, file, path, "index_order", index_order);
  write_string_attribute(dset, file, path, "description", description);
}

// A fixed-size float64 dataset written in one go (contiguous layout).
void write_dataset(hid_t loc, const std::string& file, const std::string& path,
                   const std::vector<std::size_t>& shape, const double* data,
                   const std::string& index_order, const std::string& description) {
  const std::string abs = absolute(path);
  if (link_exists(loc, abs)) fail(file, "dataset " + quoted(abs) + " already exists");
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                            : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
               H5Sclose);
  if (!space.valid()) fail_with_reason(file, "cannot make the dataspace for " + quoted(abs));
  Handle lcpl = intermediate_groups_lcpl(file);
  Handle dset(H5Dcreate2(loc, abs.c_str(), H5T_IEEE_F64LE, space.get(), lcpl.get(), H5P_DEFAULT,
                         H5P_DEFAULT),
              H5Dclose);
  if (!dset.valid()) fail_write(file, "cannot create dataset " + quoted(abs));
  if (element_count(dims) > 0 &&
      H5Dwrite(dset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail_write(file, "cannot write dataset " + quoted(abs));
  label_dataset(dset.get(), file, abs, index_order, description);
  if (!dset.close()) fail_write(file, "cannot write dataset " + quoted(abs));
}

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

// ---- input validation -----------------------------------------------------------

// Row-major multi-index of flat position `flat` in `shape`, as "(i,j,k)".
std::string index_text(std::size_t flat, const std::vector<std::size_t>& shape) {
  std::vector<std::size_t> idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  return shape_text(idx);
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

}  // namespace detail

using detail::Handle;

// ---- generic reading -------------------------------------------------------------

bool h5_has(const std::string& file, const std::string& dataset) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  Handle f = detail::open_for_reading(file);
  return detail::link_exists(f.get(), dataset) &&
         detail::object_type(f.get(), dataset) == H5I_DATASET;
}

Array h5_read(const std::string& file, const std::string& dataset) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  Handle f = detail::open_for_reading(file);
  return detail::read_array(f.get(), file, dataset);
}

std::vector<long long> h5_read_int(const std::string& file, const std::string& dataset) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  Handle f = detail::open_for_reading(file);
  const std::string abs = detail::absolute(dataset);
  Handle dset = detail::open_dataset(f.get(), file, abs);
  const H5T_class_t cls = detail::dataset_class(dset.get());
  if (cls == H5T_INTEGER) {
    const std::vector<hsize_t> dims = detail::dataset_shape(dset.get(), file, abs);
    std::vector<long long> out(detail::element_count(dims));
    if (!out.empty() &&
        H5Dread(dset.get(), H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
      detail::fail_with_reason(file, "cannot read dataset " + detail::quoted(abs));
    return out;
  }
  if (cls != H5T_FLOAT) detail::fail(file, "dataset " + detail::quoted(abs) + " is not numeric");
  // Floating-point data is accepted when every value is an exact integer (our own
  // run files store the step counter as float64); anything else would silently round.
  dset.reset();
  const Array a = detail::read_array(f.get(), file, abs);
  std::vector<long long> out(a.data.size());
  for (std::size_t i = 0; i < a.data.size(); ++i) {
    const double v = a.data[i];
    if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9.2e18)
      detail::fail(file, "dataset " + detail::quoted(abs) + " has a non-integer value at index " +
                             detail::index_text(i, a.shape));
    out[i] = static_cast<long long>(v);
  }
  return out;
}

std::string h5_read_string_attribute(const std::string& file, const std::string& object,
                                     const std::string& attribute) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  Handle f = detail::open_for_reading(file);
  Handle obj = detail::open_object(f.get(), file, object);
  Handle attr = detail::open_attribute(obj.get(), file, object, attribute);
  const std::string label = detail::attribute_label(object, attribute);
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  if (!type.valid()) detail::fail_with_reason(file, "cannot read the type of " + label);
  if (H5Tget_class(type.get()) != H5T_STRING) detail::fail(file, label + " is not a string");
  if (detail::attribute_points(attr.get()) != 1)
    detail::fail(file, label + " is not a single string");

  const htri_t variable = H5Tis_variable_str(type.get());
  if (variable < 0) detail::fail_with_reason(file, "cannot read the type of " + label);
  if (variable > 0) {
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    if (!mem.valid() || H5Tset_size(mem.get(), H5T_VARIABLE) < 0 ||
        H5Tset_cset(mem.get(), H5Tget_cset(type.get())) < 0)
      detail::fail_with_reason(file, "cannot read " + label);
    char* text = nullptr;
    if (H5Aread(attr.get(), mem.get(), &text) < 0)
      detail::fail_with_reason(file, "cannot read " + label);
    std::string out = text ? std::string(text) : std::string();
    if (text) H5free_memory(text);
    return out;
  }
  // Fixed length: read the raw bytes in the file's own string type, then strip
  // the padding (NUL-terminated, NUL-padded or space-padded).
  const std::size_t size = H5Tget_size(type.get());
  std::string raw(size, '\0');
  if (size > 0 && H5Aread(attr.get(), type.get(), &raw[0]) < 0)
    detail::fail_with_reason(file, "cannot read " + label);
  const auto nul = raw.find('\0');
  if (nul != std::string::npos) raw.resize(nul);
  if (H5Tget_strpad(type.get()) == H5T_STR_SPACEPAD) {
    const auto last = raw.find_last_not_of(' ');
    raw.resize(last == std::string::npos ? 0 : last + 1);
  }
  return raw;
}

double h5_read_double_attribute(const std::string& file, const std::string& object,
                                const std::string& attribute) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  Handle f = detail::open_for_reading(file);
  Handle obj = detail::open_object(f.get(), file, object);
  Handle attr = detail::open_attribute(obj.get(), file, object, attribute);
  const std::string label = detail::attribute_label(object, attribute);
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  if (!type.valid()) detail::fail_with_reason(file, "cannot read the type of " + label);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) detail::fail(file, label + " is not numeric");
  if (detail::attribute_points(attr.get()) != 1) detail::fail(file, label + " is not a scalar");
  double value = 0.0;
  if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0)
    detail::fail_with_reason(file, "cannot read " + label);
  return value;
}

// ---- the fixed input formats -------------------------------------------------------

InitialState read_initial_state(const std::string& file, const NetworkShape& shape) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  Handle f = detail::open_for_reading(file);
  const auto M = static_cast<std::size_t>(shape.M), N = static_cast<std::size_t>(shape.N),
             K = static_cast<std::size_t>(shape.K());
  const std::vector<std::size_t> w_shape{M, N, K}, b_shape{M, N};

  auto read_checked = [&](const std::string& path, const std::vector<std::size_t>& expected,
                          const std::string& names) {
    Array a = detail::read_array(f.get(), file, path);
    detail::require_shape(a, expected, names, file, path);
    detail::require_finite(a, file, path);
    return std::move(a.data);
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

DataFile read_data_file(const std::string& file, int expected_N) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  Handle f = detail::open_for_reading(file);
  Array x = detail::read_array(f.get(), file, "/X");
  Array y = detail::read_array(f.get(), file, "/Y");
  auto check_shape = [&](const Array& a, const std::string& path) {
    const bool ok = a.shape.size() == 2 && a.shape[0] >= 1 &&
                    (expected_N <= 0 || a.shape[1] == static_cast<std::size_t>(expected_N));
    if (!ok)
      detail::fail(file, "dataset " + detail::quoted(path) + " has shape " +
                             detail::shape_text(a.shape) + ", expected (S,N) with S >= 1" +
                             (expected_N > 0 ? " and N = " + std::to_string(expected_N) : ""));
  };
  check_shape(x, "/X");
  check_shape(y, "/Y");
  if (x.shape != y.shape)
    detail::fail(file, "datasets '/X' " + detail::shape_text(x.shape) + " and '/Y' " +
                           detail::shape_text(y.shape) + " differ in shape (both must be (S,N))");
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

// ---- run output ----------------------------------------------------------------------

struct RunWriter::Impl final : detail::OpenRun {
  struct Series {
    std::string name;
    Handle dset;
    std::vector<hsize_t> row_shape;
    std::size_t row_size = 1;
    hsize_t rows = 0;
    hsize_t rows_per_chunk = 1;
    hsize_t rows_since_flush = 0;
  };

  std::string path;
  Handle file;
  std::vector<Series> series;
  bool closed = false;
  // Set by the first failed write: from then on nothing more is written (see
  // detail::discard_further_writes), so the file keeps its last flushed state.
  bool write_failed = false;

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
    ok = file.close() && ok;
    closed = true;
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

std::string hdf5_library_version() {
  unsigned major = 0, minor = 0, release = 0;
  if (H5get_libversion(&major, &minor, &release) < 0) return "unknown";
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

}  // namespace

RunWriter::RunWriter(const std::string& path, bool force, const Provenance& provenance)
    : m_impl(std::make_unique<Impl>()), m_path(path) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  detail::quiet_hdf5();
  m_impl->path = path;
  std::error_code ec;
  if (!force && std::filesystem::exists(path, ec))
    detail::fail(path, "exists (use --force to overwrite)");
  if (std::filesystem::is_directory(path, ec)) detail::fail(path, "is a directory");
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
    detail::fail(path, "cannot create: directory '" + parent.string() + "' does not exist");

  // EXCL also catches a file that appeared since the check above. The default
  // ("earliest") file format is kept on purpose: a file written with libver
  // latest or SWMR is left unopenable when the writer crashes.
  // No file lock: analysis tools may read a run file while it is being written.
  const Handle access = detail::unlocked_file_access();
  if (!access.valid()) detail::fail(path, "cannot set up file access");
  const hid_t id = H5Fcreate(path.c_str(), force ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT,
                             access.get());
  if (id < 0) {
    if (!force && std::filesystem::exists(path, ec))
      detail::fail(path, "exists (use --force to overwrite)");
    detail::fail_with_reason(path, "cannot create");
  }
  m_impl->file = Handle(id, H5Fclose);
  detail::register_open_run(m_impl.get());

  m_impl->writing([&] {
    // Build entries first so the fixed keys below win any name clash.
    for (const auto& [key, value] : provenance.build)
      detail::write_string_attribute(id, path, "/", key, value);
    const std::pair<const char*, std::string> fixed[] = {
        {"model_text", provenance.model_text},
        {"model_path", provenance.model_path},
        {"resolved_config", provenance.resolved_toml},
        {"seed_string", std::to_string(provenance.seed)},
        {"command_line", provenance.command_line},
        {"created", utc_timestamp()},
        {"hdf5_version", hdf5_library_version()},
        {"status", "running"},
    };
    for (const auto& [key, value] : fixed) detail::write_string_attribute(id, path, "/", key, value);
    const std::uint64_t seed = provenance.seed;
    detail::write_numeric_attribute(id, path, "/", "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                                    &seed);
    // A run killed from here on still leaves a file with its provenance.
    m_impl->flush_checked();
  });
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
                          const std::string& index_order, const std::string& description) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  return m_impl->writing([&] {
    const std::string& file = m_path;
    const std::string abs = detail::absolute(name);
    const hid_t fid = m_impl->file.get();
    if (detail::link_exists(fid, abs))
      detail::fail(file, "dataset " + detail::quoted(abs) + " already exists");

    Impl::Series s;
    s.name = abs;
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
    std::vector<hsize_t> dims{0}, maxdims{H5S_UNLIMITED}, chunk{s.rows_per_chunk};
    for (hsize_t d : s.row_shape) {
      dims.push_back(d);
      maxdims.push_back(d);
      chunk.push_back(d);
    }
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data()),
                 H5Sclose);
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (!space.valid() || !dcpl.valid() ||
        H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()) < 0)
      detail::fail_with_reason(file, "cannot set up time series " + detail::quoted(abs));
    Handle lcpl = detail::intermediate_groups_lcpl(file);
    s.dset = Handle(H5Dcreate2(fid, abs.c_str(), H5T_IEEE_F64LE, space.get(), lcpl.get(),
                               dcpl.get(), H5P_DEFAULT),
                    H5Dclose);
    if (!s.dset.valid())
      detail::fail_write(file, "cannot create time series " + detail::quoted(abs));
    detail::label_dataset(s.dset.get(), file, abs, index_order, description);
    m_impl->series.push_back(std::move(s));
    return static_cast<int>(m_impl->series.size() - 1);
  });
}

void RunWriter::append(int series, const double* row) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  m_impl->writing([&] {
    if (series < 0 || static_cast<std::size_t>(series) >= m_impl->series.size())
      detail::fail(m_path, "no time series with handle " + std::to_string(series));
    Impl::Series& s = m_impl->series[static_cast<std::size_t>(series)];
    const std::string what =
        "cannot write row " + std::to_string(s.rows) + " of " + detail::quoted(s.name);

    std::vector<hsize_t> dims{s.rows + 1}, start{s.rows}, count{1};
    for (hsize_t d : s.row_shape) {
      dims.push_back(d);
      start.push_back(0);
      count.push_back(d);
    }
    if (H5Dset_extent(s.dset.get(), dims.data()) < 0) detail::fail_write(m_path, what);
    Handle file_space(H5Dget_space(s.dset.get()), H5Sclose);
    if (!file_space.valid() ||
        H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                            count.data(), nullptr) < 0)
      detail::fail_write(m_path, what);
    const hsize_t n = s.row_size;
    Handle mem_space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    if (!mem_space.valid() ||
        H5Dwrite(s.dset.get(), H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(),
                 H5P_DEFAULT, row) < 0)
      detail::fail_write(m_path, what);
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

void RunWriter::write_array(const std::string& name, const std::vector<std::size_t>& shape,
                            const double* data, const std::string& index_order,
                            const std::string& description) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  m_impl->writing([&] {
    detail::write_dataset(m_impl->file.get(), m_path, name, shape, data, index_order,
                          description);
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


// ---- the catalog of a file (h5io_catalog.hpp): its datasets and root attributes ----

namespace detail {
namespace {

// A string attribute of `obj` ("" when absent or not a single string).
std::string string_attribute(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return {};
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) return {};
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  if (!type.valid() || !space.valid() || H5Tget_class(type.get()) != H5T_STRING ||
      H5Sget_simple_extent_npoints(space.get()) != 1)
    return {};
  const htri_t variable = H5Tis_variable_str(type.get());
  if (variable < 0) return {};
  if (variable > 0) {
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    if (!mem.valid() || H5Tset_size(mem.get(), H5T_VARIABLE) < 0 ||
        H5Tset_cset(mem.get(), H5Tget_cset(type.get())) < 0)
      return {};
    char* text = nullptr;
    if (H5Aread(attr.get(), mem.get(), &text) < 0) return {};
    std::string out = text ? std::string(text) : std::string();
    if (text) H5free_memory(text);
    return out;
  }
  const std::size_t size = H5Tget_size(type.get());
  std::string raw(size, '\0');
  if (size > 0 && H5Aread(attr.get(), type.get(), &raw[0]) < 0) return {};
  const auto nul = raw.find('\0');
  if (nul != std::string::npos) raw.resize(nul);
  if (H5Tget_strpad(type.get()) == H5T_STR_SPACEPAD) {
    const auto last = raw.find_last_not_of(' ');
    raw.resize(last == std::string::npos ? 0 : last + 1);
  }
  return raw;
}

H5AttributeValue read_attribute(hid_t obj, const std::string& file, const std::string& name) {
  H5AttributeValue out;
  out.name = name;
  Handle attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) fail(file, "cannot open attribute " + quoted(name) + " of '/'");
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  if (!type.valid() || !space.valid()) fail(file, "cannot read attribute " + quoted(name) + " of '/'");
  const hssize_t points = H5Sget_simple_extent_npoints(space.get());
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (points < 0 || rank < 0) fail(file, "cannot read attribute " + quoted(name) + " of '/'");
  out.scalar = rank == 0;
  const auto n = static_cast<std::size_t>(points);
  const char* label = name.c_str();
  switch (H5Tget_class(type.get())) {
    case H5T_STRING:
      out.kind = H5AttributeValue::Kind::text;
      out.text = string_attribute(obj, label);
      break;
    case H5T_INTEGER:
      if (H5Tget_sign(type.get()) == H5T_SGN_NONE) {
        out.kind = H5AttributeValue::Kind::unsigned_integer;
        out.unsigneds.resize(n);
        if (n && H5Aread(attr.get(), H5T_NATIVE_UINT64, out.unsigneds.data()) < 0)
          fail(file, "cannot read attribute " + quoted(name) + " of '/'");
      } else {
        out.kind = H5AttributeValue::Kind::integer;
        out.integers.resize(n);
        if (n && H5Aread(attr.get(), H5T_NATIVE_INT64, out.integers.data()) < 0)
          fail(file, "cannot read attribute " + quoted(name) + " of '/'");
      }
      break;
    case H5T_FLOAT:
      out.kind = H5AttributeValue::Kind::real;
      out.reals.resize(n);
      if (n && H5Aread(attr.get(), H5T_NATIVE_DOUBLE, out.reals.data()) < 0)
        fail(file, "cannot read attribute " + quoted(name) + " of '/'");
      break;
    default:
      out.kind = H5AttributeValue::Kind::other;
      break;
  }
  return out;
}

struct Visit {
  std::vector<std::string> names;
};

// H5Lvisit callback: collect every link that leads to a dataset.
herr_t collect_dataset(hid_t group, const char* name, const H5L_info_t* info, void* data) {
  if (info == nullptr || info->type != H5L_TYPE_HARD) return 0;
  auto* visit = static_cast<Visit*>(data);
  const hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
  if (obj < 0) return 0;
  const bool is_dataset = H5Iget_type(obj) == H5I_DATASET;
  H5Oclose(obj);
  if (is_dataset) visit->names.push_back("/" + std::string(name));
  return 0;
}

H5DatasetInfo describe_dataset(hid_t file_id, const std::string& file, const std::string& path) {
  H5DatasetInfo info;
  info.name = path;
  Handle dset(H5Dopen2(file_id, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!dset.valid()) fail(file, "cannot open dataset " + quoted(path));
  Handle space(H5Dget_space(dset.get()), H5Sclose);
  Handle type(H5Dget_type(dset.get()), H5Tclose);
  if (!space.valid() || !type.valid()) fail(file, "cannot read the shape of dataset " + quoted(path));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail(file, "cannot read the shape of dataset " + quoted(path));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
    fail(file, "cannot read the shape of dataset " + quoted(path));
  info.shape.assign(dims.begin(), dims.end());
  const H5T_class_t cls = H5Tget_class(type.get());
  info.numeric = (cls == H5T_FLOAT || cls == H5T_INTEGER) &&
                 H5Sget_simple_extent_type(space.get()) != H5S_NULL;
  info.index_order = string_attribute(dset.get(), "index_order");
  info.description = string_attribute(dset.get(), "description");
  return info;
}

}  // namespace
}  // namespace detail

H5Catalog h5_catalog(const std::string& file) {
  using detail::Handle;
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // our one-line errors, not HDF5's stack dump
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) detail::fail(file, "no such file");
  if (std::filesystem::is_directory(file, ec)) detail::fail(file, "is a directory, not an HDF5 file");
  const Handle access = detail::unlocked_file_access();
  Handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, access.get()), H5Fclose);
  if (!f.valid()) detail::fail(file, "cannot open as an HDF5 file");

  H5Catalog catalog;
  detail::Visit visit;
  if (H5Lvisit(f.get(), H5_INDEX_NAME, H5_ITER_INC, detail::collect_dataset, &visit) < 0)
    detail::fail(file, "cannot list the datasets");
  std::sort(visit.names.begin(), visit.names.end());
  for (const std::string& name : visit.names) catalog.datasets.push_back(detail::describe_dataset(f.get(), file, name));

  Handle root(H5Oopen(f.get(), "/", H5P_DEFAULT), H5Oclose);
  if (!root.valid()) detail::fail(file, "cannot open '/'");
  std::vector<std::string> names;
  auto collect_name = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
  };
  if (H5Aiterate2(root.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names) < 0)
    detail::fail(file, "cannot list the attributes of '/'");
  for (const std::string& name : names) catalog.root_attributes.push_back(detail::read_attribute(root.get(), file, name));
  return catalog;
}

}  // namespace nnfield
