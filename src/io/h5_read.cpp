// Reading any HDF5 file (h5io.hpp, "generic reading"): datasets as float64 or
// integers, and single string or numeric attributes.
#include "io/h5_handle.hpp"

#include <cmath>

namespace nnfield {

using detail::Handle;

namespace {

// An attribute of a group or dataset of `file`, with the file and object it keeps
// open (closed in reverse order).
struct OpenAttribute {
  Handle file, object, attribute;
  OpenAttribute(const std::string& path, const std::string& object_name,
                const std::string& attribute_name)
      : file(detail::open_for_reading(path)),
        object(detail::open_object(file.get(), path, object_name)),
        attribute(detail::open_attribute(object.get(), path, object_name, attribute_name)) {}
};

}  // namespace

bool h5_has(const std::string& file, const std::string& dataset) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  Handle f = detail::open_for_reading(file);
  return detail::link_exists(f.get(), dataset) &&
         detail::object_type(f.get(), dataset) == H5I_DATASET;
}

std::vector<std::size_t> h5_shape(const std::string& file, const std::string& dataset) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  Handle f = detail::open_for_reading(file);
  return detail::declared_shape(f.get(), file, dataset);
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
  const OpenAttribute opened(file, object, attribute);
  const hid_t attr = opened.attribute.get();
  return detail::read_single_string(attr, file, detail::attribute_label(object, attribute));
}

double h5_read_double_attribute(const std::string& file, const std::string& object,
                                const std::string& attribute) {
  std::lock_guard<std::recursive_mutex> lock(detail::library_mutex());
  const OpenAttribute opened(file, object, attribute);
  const hid_t attr = opened.attribute.get();
  const std::string label = detail::attribute_label(object, attribute);
  Handle type(H5Aget_type(attr), H5Tclose);
  if (!type.valid()) detail::fail_with_reason(file, "cannot read the type of " + label);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) detail::fail(file, label + " is not numeric");
  if (detail::attribute_points(attr) != 1) detail::fail(file, label + " is not a scalar");
  double value = 0.0;
  if (H5Aread(attr, H5T_NATIVE_DOUBLE, &value) < 0)
    detail::fail_with_reason(file, "cannot read " + label);
  return value;
}

}  // namespace nnfield
