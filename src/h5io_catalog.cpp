// The catalog of an HDF5 file (h5io_catalog.hpp): its datasets and root attributes.
// Part of the HDF5 reader: with h5io.cpp, the only code that includes HDF5.
// Read-only; messages follow h5io.cpp ("<file>: <what>").
#include "nnfield/h5io_catalog.hpp"

#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "nnfield/h5io.hpp"

namespace nnfield {

namespace detail {

// h5io.cpp: the lock every HDF5 call of the reader/writer holds (the library is not thread-safe).
std::recursive_mutex& library_mutex();

namespace {

// Owns one HDF5 identifier.
class CatalogHandle {
 public:
  using Closer = herr_t (*)(hid_t);
  CatalogHandle(hid_t id, Closer closer) : m_id(id), m_closer(closer) {}
  CatalogHandle(const CatalogHandle&) = delete;
  CatalogHandle& operator=(const CatalogHandle&) = delete;
  ~CatalogHandle() {
    if (m_id >= 0) m_closer(m_id);
  }
  hid_t get() const { return m_id; }
  bool valid() const { return m_id >= 0; }

 private:
  hid_t m_id;
  Closer m_closer;
};

[[noreturn]] void fail(const std::string& file, const std::string& what) { throw H5Error(file + ": " + what); }

std::string quoted(const std::string& name) { return "'" + name + "'"; }

// A string attribute of `obj` ("" when absent or not a single string).
std::string string_attribute(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return {};
  CatalogHandle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) return {};
  CatalogHandle type(H5Aget_type(attr.get()), H5Tclose);
  CatalogHandle space(H5Aget_space(attr.get()), H5Sclose);
  if (!type.valid() || !space.valid() || H5Tget_class(type.get()) != H5T_STRING ||
      H5Sget_simple_extent_npoints(space.get()) != 1)
    return {};
  const htri_t variable = H5Tis_variable_str(type.get());
  if (variable < 0) return {};
  if (variable > 0) {
    CatalogHandle mem(H5Tcopy(H5T_C_S1), H5Tclose);
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
  CatalogHandle attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) fail(file, "cannot open attribute " + quoted(name) + " of '/'");
  CatalogHandle type(H5Aget_type(attr.get()), H5Tclose);
  CatalogHandle space(H5Aget_space(attr.get()), H5Sclose);
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
  CatalogHandle dset(H5Dopen2(file_id, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!dset.valid()) fail(file, "cannot open dataset " + quoted(path));
  CatalogHandle space(H5Dget_space(dset.get()), H5Sclose);
  CatalogHandle type(H5Dget_type(dset.get()), H5Tclose);
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
  using detail::CatalogHandle;
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // our one-line errors, not HDF5's stack dump
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) detail::fail(file, "no such file");
  if (std::filesystem::is_directory(file, ec)) detail::fail(file, "is a directory, not an HDF5 file");
  // Same access as h5io.cpp (no file lock): HDF5 refuses mixed locking flags.
  CatalogHandle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_file_locking(access.get(), false, true);
  CatalogHandle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, access.get()), H5Fclose);
  if (!f.valid()) detail::fail(file, "cannot open as an HDF5 file");

  H5Catalog catalog;
  detail::Visit visit;
  if (H5Lvisit(f.get(), H5_INDEX_NAME, H5_ITER_INC, detail::collect_dataset, &visit) < 0)
    detail::fail(file, "cannot list the datasets");
  std::sort(visit.names.begin(), visit.names.end());
  for (const std::string& name : visit.names) catalog.datasets.push_back(detail::describe_dataset(f.get(), file, name));

  CatalogHandle root(H5Oopen(f.get(), "/", H5P_DEFAULT), H5Oclose);
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
