// Dimension scales (h5_axes.hpp): the table of axis labels and the coordinates of a file.
#include "io/h5_axes.hpp"

#include <hdf5_hl.h>

#include <numeric>

#include "nnfield/io/series_sink.hpp"

namespace nnfield::detail {

namespace {

// One axis label as a dimension. `first`: the first value of its index coordinate
// (kCentered: -(n-1)/2, the link offsets k - r); `coordinate_written`: its coordinate is a
// dataset of the file (time, the field grid, seeds, sigma_w) rather than an index.
constexpr long long kCentered = -1000000;
struct AxisDimension {
  const char* label;
  const char* dimension;
  const char* long_name;
  long long first;
  bool coordinate_written;
};

// Every label of every index order nnfield writes (docs/output-schema.md, "Dimensions").
constexpr AxisDimension kAxes[] = {
    {"T", "time", "time t", 0, true},
    {"T+1", "output_row", "row: 0 at t = 0, then the chosen times", 0, false},
    {"M", "depth", "layer m (row m-1 of a depth axis)", 1, false},
    {"M1", "depth_1", "first layer m of a pair (m, m')", 1, false},
    {"M2", "depth_2", "second layer m' of a pair (m, m')", 1, false},
    {"M-1", "link_layer", "bulk link layer m = 1..M-1 (row m-1)", 1, false},
    {"N", "width", "width site i", 0, false},
    {"K", "offset", "link offset k - r", kCentered, false},
    {"D", "separation", "width separation d", 0, false},
    {"Q", "wavenumber", "wavenumber index q (k_q = 2 pi q / N)", 0, false},
    {"S", "sample", "training sample s", 0, false},
    {"nx", "depth", "depth x of the grid's lines", 0, true},
    {"ny", "width", "width y of the grid's nodes", 0, true},
    {"nx-1", "interval", "depth interval a (lines a, a+1)", 0, false},
    {"stencil", "stencil", "node of a depth interval's stencil", 0, false},
    {"P", "parameter", "parameter index (layout w_in, b_in, w, beta)", 0, false},
    {"L", "level", "refinement level l", 0, false},
    {"L-1", "level_pair", "pair of levels (l, l+1)", 0, false},
    {"L-2", "level_triple", "three successive levels (l, l+1, l+2)", 0, false},
    {"quantity", "quantity", "compared quantity: response, phi, w, adjoint", 0, false},
    {"seed", "seed", "master seed", 0, true},
    {"sigma_w", "sigma_w", "weight scale sigma_w", 0, true},
    {"network", "network", "random network index n", 0, true},
    {"sum", "sum", "per-network sum: z1 z1, z2 z2, z1 z2, (z1-z2)^2, (z1-z2)(z1+z2), t^2", 0, false},
    {"lag", "lag", "lag tau in selected rows", 0, false},
    {"1", "single", "the one value", 0, false},
};

// Coordinates written in a group that serve the whole file: a copy at the root under the
// dimension's name is the dimension scale (a copy, not a second HDF5 link: readers that
// walk objects, h5py's visititems, would see only one of the two names, and netCDF readers
// name a dimension after whichever path HDF5 finds first). Time series are copied row by
// row by the writer (RunWriter::append), fixed arrays here.
struct FileCoordinate {
  const char* path;
  const char* label;
  const char* dimension;
};
constexpr FileCoordinate kFileCoordinates[] = {
    {"/trajectory/time", "T", "time"},
    {"/times", "T", "time"},
    {"/grid/x", "nx", "depth"},
    {"/grid/y", "ny", "width"},
};

const AxisDimension& axis(const std::string& file, const std::string& path, const std::string& label) {
  for (const AxisDimension& a : kAxes)
    if (label == a.label) return a;
  fail(file, "dataset " + quoted(path) + " has the axis label '" + label + "', which names no dimension");
}

std::string group_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

std::string file_coordinate_copy(const std::string& path, const std::string& index_order) {
  for (const FileCoordinate& c : kFileCoordinates)
    if (path == c.path && index_order == c.label) return std::string("/") + c.dimension;
  return {};
}

std::vector<std::string> axis_labels(const std::string& index_order) {
  std::vector<std::string> labels;
  if (index_order == "scalar") return labels;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = index_order.find(',', start);
    labels.push_back(index_order.substr(start, comma - start));
    if (comma == std::string::npos) return labels;
    start = comma + 1;
  }
}

const FileDimensions::Scale* FileDimensions::find(const std::string& group, const std::string& dimension) const {
  // The group itself, then its parents up to the root: netCDF-4's scoping of dimensions.
  for (std::string g = group;; g = group_of(g)) {
    for (const Scale& s : m_scales)
      if (s.group == g && s.dimension == dimension) return &s;
    if (g == "/") return nullptr;
  }
}

void FileDimensions::add_scale(hid_t dset, const std::string& file_name, const std::string& path,
                               const std::string& group, const std::string& dimension, hsize_t length) {
  if (find(group, dimension) && find(group, dimension)->group == group)
    fail(file_name, "dataset " + quoted(path) + " would be a second coordinate of dimension '" + dimension + "'");
  if (H5DSset_scale(dset, dimension.c_str()) < 0)
    fail_write(file_name, "cannot make " + quoted(path) + " a dimension scale");
  Handle space(H5Dget_space(dset), H5Sclose);
  hsize_t maxdim = 0;
  if (!space.valid() || H5Sget_simple_extent_dims(space.get(), nullptr, &maxdim) < 0)
    fail_with_reason(file_name, "cannot read the shape of " + quoted(path));
  // A handle of its own: the caller closes `dset`, and attaching needs the scale open.
  const hid_t own = H5Oopen(dset, ".", H5P_DEFAULT);
  if (own < 0) fail_with_reason(file_name, "cannot open " + quoted(path));
  m_scales.push_back(Scale{group, dimension, length, maxdim == H5S_UNLIMITED, Handle(own, H5Oclose)});
}

const FileDimensions::Scale& FileDimensions::existing_coordinate(hid_t file, const std::string& file_name,
                                                                 const std::string& name,
                                                                 const std::string& dimension) {
  const hid_t dset = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
  if (dset < 0) fail_with_reason(file_name, "cannot open " + quoted(name));
  Handle own(dset, H5Dclose);
  Handle space(H5Dget_space(dset), H5Sclose);
  hsize_t length = 0, maxdim = 0;
  if (!space.valid() || H5Sget_simple_extent_ndims(space.get()) != 1 ||
      H5Sget_simple_extent_dims(space.get(), &length, &maxdim) < 0 || H5DSis_scale(dset) <= 0)
    fail(file_name, quoted(name) + " is not the one-dimensional coordinate of dimension '" + dimension + "'");
  m_scales.push_back(Scale{"/", dimension, length, maxdim == H5S_UNLIMITED, std::move(own)});
  return m_scales.back();
}

bool FileDimensions::make_coordinate(hid_t file, const std::string& file_name, hid_t dset, const std::string& path,
                                     const std::vector<hsize_t>& shape, const std::string& index_order,
                                     const double* values) {
  const std::vector<std::string> labels = axis_labels(index_order);
  if (shape.size() != 1 || labels.size() != 1) return false;
  const std::string dimension = axis(file_name, path, labels[0]).dimension;
  const std::string root_copy = file_coordinate_copy(path, index_order);
  if (!root_copy.empty()) {
    // A time series' copy was made by the writer before it; a fixed array's is made here.
    // Either way the copy is the coordinate (by the rule below) and `dset` is attached to it.
    if (values)
      write_dataset(file, file_name, root_copy, {std::size_t(shape[0])}, values, index_order,
                    "the " + dimension + " coordinate (a copy of " + path + ")", {}, this);
    return false;
  }
  // netCDF's rule: a 1-D dataset named after its dimension is that dimension's
  // coordinate, for its group and the groups below it (/correlators/time, /seeds/seed).
  if (base_name(path) != dimension) return false;
  add_scale(dset, file_name, path, group_of(path), dimension, shape[0]);
  return true;
}

const FileDimensions::Scale& FileDimensions::index_coordinate(hid_t file, const std::string& file_name,
                                                              const std::string& path, const std::string& label,
                                                              hsize_t length) {
  const AxisDimension& a = axis(file_name, path, label);
  const std::string name = std::string("/") + a.dimension;
  // A reopened file (run --resume) has the coordinates of its first part already.
  if (H5Lexists(file, name.c_str(), H5P_DEFAULT) > 0) return existing_coordinate(file, file_name, name, a.dimension);
  if (a.coordinate_written)
    fail(file_name, "dataset " + quoted(path) + " has a '" + label + "' axis but the file has no " + a.dimension +
                        " coordinate yet");
  const long long first = a.first == kCentered ? -static_cast<long long>(length - 1) / 2 : a.first;
  std::vector<double> values(length);
  std::iota(values.begin(), values.end(), double(first));
  write_dataset(file, file_name, name, {std::size_t(length)}, values.data(), label, a.long_name,
                integer_values(), this);
  return *find("/", a.dimension);
}

void FileDimensions::describe(hid_t file, const std::string& file_name, hid_t dset, const std::string& path,
                              const std::vector<hsize_t>& shape, const std::string& index_order,
                              const double* values) {
  const std::vector<std::string> labels = axis_labels(index_order);
  if (labels.size() != shape.size())
    fail(file_name, "dataset " + quoted(path) + " has " + std::to_string(shape.size()) + " axes but index order '" +
                        index_order + "'");
  if (make_coordinate(file, file_name, dset, path, shape, index_order, values)) return;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string dimension = axis(file_name, path, labels[i]).dimension;
    const Scale* scale = find(group_of(path), dimension);
    if (!scale) scale = &index_coordinate(file, file_name, path, labels[i], shape[i]);
    if (!scale->unlimited && scale->length != shape[i])
      fail(file_name, "dataset " + quoted(path) + " axis '" + labels[i] + "' has length " + std::to_string(shape[i]) +
                          " but dimension '" + dimension + "' has length " + std::to_string(scale->length));
    if (H5DSattach_scale(dset, scale->dset.get(), static_cast<unsigned>(i)) < 0)
      fail_write(file_name, "cannot attach dimension '" + dimension + "' to " + quoted(path));
  }
}

namespace {

// Detaches dataset `path` from every coordinate of every axis; adds their names to `scales`.
void detach_all(hid_t file, const std::string& file_name, const std::string& path, std::vector<std::string>& scales) {
  const hid_t id = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (id < 0) fail_with_reason(file_name, "cannot open " + quoted(path));
  Handle dset(id, H5Dclose);
  Handle space(H5Dget_space(id), H5Sclose);
  const int rank = space.valid() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  if (rank < 0) fail_with_reason(file_name, "cannot read the shape of " + quoted(path));
  for (unsigned i = 0; i < unsigned(rank); ++i) {
    // By name: the iteration's handles live only in the callback.
    std::vector<std::string> names;
    const auto visit = [](hid_t, unsigned, hid_t scale, void* out) -> herr_t {
      char name[256];
      if (H5Iget_name(scale, name, sizeof name) <= 0) return -1;
      static_cast<std::vector<std::string>*>(out)->push_back(name);
      return 0;
    };
    if (H5DSiterate_scales(id, i, nullptr, visit, &names) < 0)
      fail_write(file_name, "cannot list the dimensions of " + quoted(path));
    for (const std::string& n : names) {
      Handle scale(H5Dopen2(file, n.c_str(), H5P_DEFAULT), H5Dclose);
      if (!scale.valid() || H5DSdetach_scale(id, scale.get(), i) < 0)
        fail_write(file_name, "cannot detach " + quoted(n) + " from " + quoted(path));
      scales.push_back(n);
    }
  }
}

}  // namespace

void FileDimensions::remove_group(hid_t file, const std::string& file_name, const std::string& group) {
  std::vector<std::string> datasets, scales;
  const auto list = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->push_back(name);
    return 0;
  };
  if (H5Literate_by_name(file, group.c_str(), H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, list, &datasets,
                          H5P_DEFAULT) < 0)
    fail_with_reason(file_name, "cannot list " + quoted(group));
  for (const std::string& d : datasets) detach_all(file, file_name, group + "/" + d, scales);
  if (H5Ldelete(file, group.c_str(), H5P_DEFAULT) < 0) fail_write(file_name, "cannot replace " + quoted(group));
  // A coordinate keeps the list of what is attached to it in REFERENCE_LIST, gone with the last.
  for (const std::string& n : scales)
    if (H5Lexists(file, n.c_str(), H5P_DEFAULT) > 0 &&
        H5Aexists_by_name(file, n.c_str(), "REFERENCE_LIST", H5P_DEFAULT) == 0 &&
        H5Ldelete(file, n.c_str(), H5P_DEFAULT) < 0)
      fail_write(file_name, "cannot remove the coordinate " + quoted(n));
}

bool FileDimensions::close() noexcept {
  bool ok = true;
  for (Scale& s : m_scales) ok = s.dset.close() && ok;
  return ok;
}

}  // namespace nnfield::detail
