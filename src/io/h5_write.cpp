// Writing attributes and fixed datasets; a failed write throws WriteFailure so that
// the owner of the file can stop writing to it.
#include "io/h5_axes.hpp"
#include "io/h5_handle.hpp"

#include <algorithm>

namespace nnfield::detail {

namespace {

// A scalar attribute of type `file_type` on disk, `mem_type` describing `value`.
// Rewritten by deleting and recreating: the old one may have another type.
void write_scalar_attribute(hid_t obj, const std::string& file, const std::string& label,
                            const std::string& name, hid_t file_type, hid_t mem_type,
                            const void* value) {
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

}  // namespace

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
  const char* text = value.c_str();
  write_scalar_attribute(obj, file, label, name, type.get(), type.get(), &text);
}

void write_numeric_attribute(hid_t obj, const std::string& file, const std::string& object,
                             const std::string& name, hid_t file_type, hid_t mem_type,
                             const void* value) {
  write_scalar_attribute(obj, file, attribute_label(object, name), name, file_type, mem_type,
                         value);
}

Handle intermediate_groups_lcpl(const std::string& file) {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  if (!lcpl.valid() || H5Pset_create_intermediate_group(lcpl.get(), 1) < 0)
    fail_with_reason(file, "cannot make a link-creation property list");
  return lcpl;
}

void label_dataset(hid_t dset, const std::string& file, const std::string& path,
                   const std::string& index_order, const std::string& description, const DatasetValues& kind) {
  write_string_attribute(dset, file, path, "index_order", index_order);
  write_string_attribute(dset, file, path, "description", description);
  // The names netCDF and CF tools (xarray, ncview, Panoply) read for the same things.
  write_string_attribute(dset, file, path, "long_name", description);
  write_string_attribute(dset, file, path, "units", kind.units);
}

Handle dataset_creation(const std::string& file, const std::string& path, const std::vector<hsize_t>& chunk,
                        bool compress) {
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (!dcpl.valid()) fail_with_reason(file, "cannot set up dataset " + quoted(path));
  if (chunk.empty()) return dcpl;
  if (H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()) < 0)
    fail_with_reason(file, "cannot set up the chunks of dataset " + quoted(path));
  // Shuffle first: it groups the bytes of equal significance of neighbouring doubles,
  // which deflate compresses far better than the interleaved values.
  if (compress && (H5Pset_shuffle(dcpl.get()) < 0 || H5Pset_deflate(dcpl.get(), kDeflateLevel) < 0))
    fail_with_reason(file, "cannot set up the compression of dataset " + quoted(path));
  return dcpl;
}

namespace {

// Large fixed arrays are chunked along their first axis (about kFixedChunkBytes a chunk)
// and compressed; small ones stay contiguous.
std::vector<hsize_t> fixed_chunk(const std::vector<hsize_t>& dims) {
  const std::size_t bytes = element_count(dims) * sizeof(double);
  if (dims.empty() || bytes < kCompressMinBytes) return {};
  std::vector<hsize_t> chunk = dims;
  const std::size_t row_bytes = bytes / std::max<hsize_t>(1, dims[0]);
  chunk[0] = std::max<hsize_t>(1, std::min<hsize_t>(dims[0], kFixedChunkBytes / std::max<std::size_t>(1, row_bytes)));
  return chunk;
}

}  // namespace

void write_dataset(hid_t loc, const std::string& file, const std::string& path,
                   const std::vector<std::size_t>& shape, const double* data,
                   const std::string& index_order, const std::string& description, const DatasetValues& kind,
                   FileDimensions* dimensions) {
  const std::string abs = absolute(path);
  if (link_exists(loc, abs)) fail(file, "dataset " + quoted(abs) + " already exists");
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                            : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
               H5Sclose);
  if (!space.valid()) fail_with_reason(file, "cannot make the dataspace for " + quoted(abs));
  const std::vector<hsize_t> chunk = fixed_chunk(dims);
  const Handle dcpl = dataset_creation(file, abs, chunk, !chunk.empty() && kind.compressible);
  Handle lcpl = intermediate_groups_lcpl(file);
  Handle dset(H5Dcreate2(loc, abs.c_str(), stored_type(kind), space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
              H5Dclose);
  if (!dset.valid()) fail_write(file, "cannot create dataset " + quoted(abs));
  if (element_count(dims) > 0 &&
      H5Dwrite(dset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail_write(file, "cannot write dataset " + quoted(abs));
  label_dataset(dset.get(), file, abs, index_order, description, kind);
  if (dimensions) dimensions->describe(loc, file, dset.get(), abs, dims, index_order, data);
  if (!dset.close()) fail_write(file, "cannot write dataset " + quoted(abs));
}

}  // namespace nnfield::detail
