#pragma once
// What every piece of the HDF5 code shares: the RAII handle, the library lock and
// error-stack silencing, the one-line errors, and the small typed read/write helpers.
//
// The only header in nnfield that includes HDF5, and only src/io/ includes it. It
// uses the HDF5 C API rather than the C++ wrapper (H5Cpp.h) for two reasons: every
// call's return value can be checked and turned into one H5Error naming the file and
// object, and the C++ wrapper's destructors print to std::cerr when a close fails
// (e.g. on a full disk), which would break the "one line per error" rule.
#include <hdf5.h>

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "nnfield/io/h5io.hpp"

namespace nnfield::detail {

// ---- the library (h5_library.cpp) ---------------------------------------------------

// The HDF5 library is built without its thread-safe option: every public function of
// src/io/ that calls HDF5 holds this lock, so that several runs on worker threads
// (ensembles) may read their data and initial-state files concurrently. Recursive:
// public functions may nest.
std::recursive_mutex& library_mutex();

// Called at every entry point. Silences HDF5's automatic error-stack printing (what
// H5::Exception::dontPrint() does in the C++ API): users see our one-line H5Error
// instead of a 20-line dump. The first call also installs the exit hook.
void quiet_hdf5();

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

// ---- errors and their text (h5_errors.cpp) -------------------------------------------

// "<file>: <what>".
[[noreturn]] void fail(const std::string& file, const std::string& what);
// "<file>: <what>" plus the HDF5 reason in parentheses when there is one. Must be
// called straight after the failing call: every HDF5 API call clears the error stack.
[[noreturn]] void fail_with_reason(const std::string& file, const std::string& what);

// A write that did not reach the disk. Callers that own the file catch it to stop
// writing to that file (discard_further_writes); everyone else sees an H5Error.
class WriteFailure : public H5Error {
 public:
  using H5Error::H5Error;
};

// A failed write (throws WriteFailure): says "disk full?" because that is by far the
// likeliest cause and the OS message alone ("No space left on device") may be missing.
[[noreturn]] void fail_write(const std::string& file, const std::string& what);

// After a failed write, stops anything more from reaching `file` on disk, so that it
// keeps its state after the last successful flush (see h5_errors.cpp for why).
void discard_further_writes(hid_t file) noexcept;

std::string shape_text(const std::vector<std::size_t>& shape);                // "(2,3)"
std::string index_text(std::size_t flat, const std::vector<std::size_t>& shape);  // "(i,j)"
// Dataset and attribute paths are reported and stored absolute ("/trajectory/W").
std::string absolute(const std::string& name);
std::string quoted(const std::string& name);
// "attribute 'name' of '/object'".
std::string attribute_label(const std::string& object, const std::string& attribute);

// ---- files, datasets and attributes for reading (h5_objects.cpp) ---------------------

// File access without HDF5's file lock, for every open and create: run files are read
// while they are written (the flushed rows are consistent), and HDF5 refuses to open a
// file twice in one process with different locking flags.
Handle unlocked_file_access();
// Refuses a missing path or a directory with a clearer message than HDF5's.
void require_file(const std::string& file);
Handle open_for_reading(const std::string& file);
// Throws H5Error: `file` cannot be opened (HDF5's reason), saying so when a killed writer
// left the superblock's end of allocation behind the data (end_of_allocation.hpp).
[[noreturn]] void fail_to_open(const std::string& file);

// Whether every component of `path` exists as a link.
bool link_exists(hid_t loc, const std::string& path);
// Type of the object at an existing path (H5I_DATASET, H5I_GROUP, ...).
H5I_type_t object_type(hid_t loc, const std::string& path);

Handle open_dataset(hid_t loc, const std::string& file, const std::string& path);
std::vector<hsize_t> dataset_shape(hid_t dset, const std::string& file, const std::string& path);
H5T_class_t dataset_class(hid_t dset);
// The shape a dataset declares, from the file's metadata alone: checked before reading,
// so that a dataset declared (1e9, 32, 3) fails on its shape instead of being allocated.
std::vector<std::size_t> declared_shape(hid_t loc, const std::string& file, const std::string& path);
std::size_t element_count(const std::vector<hsize_t>& dims);
// Reads any integer or floating-point dataset as float64 (HDF5 converts).
Array read_array(hid_t loc, const std::string& file, const std::string& path);

// Opens a group or dataset for its attributes.
Handle open_object(hid_t loc, const std::string& file, const std::string& object);
Handle open_attribute(hid_t obj, const std::string& file, const std::string& object,
                      const std::string& attribute);
hssize_t attribute_points(hid_t attr);
// The value of `attr` when it is a single string, variable or fixed length (padding
// stripped); otherwise an H5Error "<file>: ..." naming `label`.
std::string read_single_string(hid_t attr, const std::string& file, const std::string& label);

// ---- writing (h5_write.cpp) ----------------------------------------------------------

// A variable-length UTF-8 string attribute, replacing any old one.
void write_string_attribute(hid_t obj, const std::string& file, const std::string& object,
                            const std::string& name, const std::string& value);
// A scalar numeric attribute: `file_type` on disk, `mem_type` describing `value`.
void write_numeric_attribute(hid_t obj, const std::string& file, const std::string& object,
                             const std::string& name, hid_t file_type, hid_t mem_type,
                             const void* value);
// Link-creation property list that makes missing parent groups ("/trajectory").
Handle intermediate_groups_lcpl(const std::string& file);
// The attributes every dataset carries: "index_order", "description", and for netCDF
// and CF tools "long_name" (the description) and "units".
void label_dataset(hid_t dset, const std::string& file, const std::string& path,
                   const std::string& index_order, const std::string& description, const DatasetValues& kind);

// Compression (docs/output-schema.md, "Storage"): shuffle + deflate at this level, for
// fixed arrays of at least kCompressMinBytes (chunks of about kFixedChunkBytes) and for
// time series whose rows hold at least kCompressMinRowBytes. Level 4: most of level 9's
// gain on float64 fields at a fraction of its time.
constexpr unsigned kDeflateLevel = 4;
constexpr std::size_t kCompressMinBytes = 64 * 1024;
constexpr std::size_t kFixedChunkBytes = 1024 * 1024;
constexpr std::size_t kCompressMinRowBytes = 4 * 1024;
// A dataset-creation property list: contiguous when `chunk` is empty, else chunked and,
// if `compress`, shuffled and deflated.
Handle dataset_creation(const std::string& file, const std::string& path, const std::vector<hsize_t>& chunk,
                        bool compress);
// The file type of a dataset's values: int64 for integers, float64 otherwise.
inline hid_t stored_type(const DatasetValues& kind) { return kind.integer ? H5T_STD_I64LE : H5T_IEEE_F64LE; }

class FileDimensions;
// A fixed-size dataset written in one go (float64, or int64 for integer values;
// chunked and compressed when large). With `dimensions`, its axes get their
// dimension scales (h5_axes.hpp).
void write_dataset(hid_t loc, const std::string& file, const std::string& path,
                   const std::vector<std::size_t>& shape, const double* data,
                   const std::string& index_order, const std::string& description,
                   const DatasetValues& kind = {}, FileDimensions* dimensions = nullptr);

}  // namespace nnfield::detail
