// The catalog of a file (h5io_catalog.hpp): its datasets with their shapes and labels,
// and its root attributes, for readers that do not know the layout in advance.
#include "nnfield/io/h5io_catalog.hpp"

#include "io/h5_handle.hpp"

#include <algorithm>

namespace nnfield {

namespace detail {
namespace {

// A string attribute of `obj` ("" when absent or not a single string).
std::string string_attribute(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return {};
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) return {};
  try {
    return read_single_string(attr.get(), "", name);
  } catch (const H5Error&) {
    return {};  // a label that cannot be read is shown as none
  }
}

H5AttributeValue read_attribute(hid_t obj, const std::string& file, const std::string& name) {
  H5AttributeValue out;
  out.name = name;
  Handle attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) fail(file, "cannot open attribute " + quoted(name) + " of '/'");
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  const std::string cannot_read = "cannot read attribute " + quoted(name) + " of '/'";
  if (!type.valid() || !space.valid()) fail(file, cannot_read);
  const hssize_t points = H5Sget_simple_extent_npoints(space.get());
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (points < 0 || rank < 0) fail(file, cannot_read);
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
          fail(file, cannot_read);
      } else {
        out.kind = H5AttributeValue::Kind::integer;
        out.integers.resize(n);
        if (n && H5Aread(attr.get(), H5T_NATIVE_INT64, out.integers.data()) < 0)
          fail(file, cannot_read);
      }
      break;
    case H5T_FLOAT:
      out.kind = H5AttributeValue::Kind::real;
      out.reals.resize(n);
      if (n && H5Aread(attr.get(), H5T_NATIVE_DOUBLE, out.reals.data()) < 0)
        fail(file, cannot_read);
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
  const std::string cannot_read = "cannot read the shape of dataset " + quoted(path);
  if (!space.valid() || !type.valid()) fail(file, cannot_read);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail(file, cannot_read);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
    fail(file, cannot_read);
  info.shape.assign(dims.begin(), dims.end());
  const H5T_class_t cls = H5Tget_class(type.get());
  info.numeric = (cls == H5T_FLOAT || cls == H5T_INTEGER) &&
                 H5Sget_simple_extent_type(space.get()) != H5S_NULL;
  info.index_order = string_attribute(dset.get(), "index_order");
  info.description = string_attribute(dset.get(), "description");
  info.dimension_scale = string_attribute(dset.get(), "CLASS") == "DIMENSION_SCALE";
  return info;
}

}  // namespace
}  // namespace detail

H5Catalog h5_catalog(const std::string& file) {
  using detail::Handle;
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // our one-line errors, not HDF5's stack dump
  detail::require_file(file);
  const Handle access = detail::unlocked_file_access();
  Handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, access.get()), H5Fclose);
  if (!f.valid()) detail::fail_to_open(file);

  H5Catalog catalog;
  detail::Visit visit;
  if (H5Lvisit(f.get(), H5_INDEX_NAME, H5_ITER_INC, detail::collect_dataset, &visit) < 0)
    detail::fail(file, "cannot list the datasets");
  std::sort(visit.names.begin(), visit.names.end());
  for (const std::string& name : visit.names)
    catalog.datasets.push_back(detail::describe_dataset(f.get(), file, name));

  Handle root(H5Oopen(f.get(), "/", H5P_DEFAULT), H5Oclose);
  if (!root.valid()) detail::fail(file, "cannot open '/'");
  std::vector<std::string> names;
  auto collect_name = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
  };
  if (H5Aiterate2(root.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names) < 0)
    detail::fail(file, "cannot list the attributes of '/'");
  for (const std::string& name : names)
    catalog.root_attributes.push_back(detail::read_attribute(root.get(), file, name));
  return catalog;
}

}  // namespace nnfield
