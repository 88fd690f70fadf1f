// Opening files, datasets and attributes for reading, and reading them as typed
// values, each failure an H5Error naming the file and the object.
#include "io/end_of_allocation.hpp"
#include "io/h5_handle.hpp"

#include <filesystem>
#include <system_error>

namespace nnfield::detail {

Handle unlocked_file_access() {
  Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (access.valid()) H5Pset_file_locking(access.get(), false, true);
  return access;
}

void require_file(const std::string& file) {
  // Judged from the path alone: opening a FIFO would block until a writer comes.
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (!std::filesystem::exists(status)) fail(file, "no such file");
  if (std::filesystem::is_directory(status)) fail(file, "is a directory, not an HDF5 file");
  if (!std::filesystem::is_regular_file(status)) fail(file, "is not a regular file (a pipe or device?)");
}

void fail_to_open(const std::string& file) {
  if (end_of_allocation_lags(file))
    fail_with_reason(file, "cannot open as an HDF5 file: its superblock records an end before its data, as a "
                           "writer killed inside a flush leaves it; `nnfield run --resume` repairs a run file "
                           "with a checkpoint");
  fail_with_reason(file, "cannot open as an HDF5 file");
}

Handle open_for_reading(const std::string& file) {
  quiet_hdf5();
  require_file(file);
  const Handle access = unlocked_file_access();
  const hid_t id = H5Fopen(file.c_str(), H5F_ACC_RDONLY, access.get());
  if (id < 0) fail_to_open(file);
  return Handle(id, H5Fclose);
}

// H5Lexists fails (rather than answering false) when an intermediate group is
// missing, hence the walk.
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

std::vector<std::size_t> declared_shape(hid_t loc, const std::string& file, const std::string& path) {
  const Handle dset = open_dataset(loc, file, path);
  const std::vector<hsize_t> dims = dataset_shape(dset.get(), file, absolute(path));
  return {dims.begin(), dims.end()};
}

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

Handle open_object(hid_t loc, const std::string& file, const std::string& object) {
  const std::string abs = absolute(object);
  if (!link_exists(loc, abs)) fail(file, "missing object " + quoted(abs));
  const hid_t id = H5Oopen(loc, abs.c_str(), H5P_DEFAULT);
  if (id < 0) fail_with_reason(file, "cannot open " + quoted(abs));
  return Handle(id, H5Oclose);
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

std::string read_single_string(hid_t attr, const std::string& file, const std::string& label) {
  Handle type(H5Aget_type(attr), H5Tclose);
  if (!type.valid()) fail_with_reason(file, "cannot read the type of " + label);
  if (H5Tget_class(type.get()) != H5T_STRING) fail(file, label + " is not a string");
  if (attribute_points(attr) != 1) fail(file, label + " is not a single string");

  const htri_t variable = H5Tis_variable_str(type.get());
  if (variable < 0) fail_with_reason(file, "cannot read the type of " + label);
  if (variable > 0) {
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    if (!mem.valid() || H5Tset_size(mem.get(), H5T_VARIABLE) < 0 ||
        H5Tset_cset(mem.get(), H5Tget_cset(type.get())) < 0)
      fail_with_reason(file, "cannot read " + label);
    char* text = nullptr;
    if (H5Aread(attr, mem.get(), &text) < 0) fail_with_reason(file, "cannot read " + label);
    std::string out = text ? std::string(text) : std::string();
    if (text) H5free_memory(text);
    return out;
  }
  // Fixed length: read the raw bytes in the file's own string type, then strip
  // the padding (NUL-terminated, NUL-padded or space-padded).
  const std::size_t size = H5Tget_size(type.get());
  std::string raw(size, '\0');
  if (size > 0 && H5Aread(attr, type.get(), &raw[0]) < 0)
    fail_with_reason(file, "cannot read " + label);
  const auto nul = raw.find('\0');
  if (nul != std::string::npos) raw.resize(nul);
  if (H5Tget_strpad(type.get()) == H5T_STR_SPACEPAD) {
    const auto last = raw.find_last_not_of(' ');
    raw.resize(last == std::string::npos ? 0 : last + 1);
  }
  return raw;
}

}  // namespace nnfield::detail
