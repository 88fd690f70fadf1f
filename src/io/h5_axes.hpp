#pragma once
// The axes of nnfield's files as netCDF-4 dimensions (docs/output-schema.md, "Dimensions"):
// every axis label of an `index_order` ("T", "M", "nx-1", ...) names one dimension, and
// every dataset's axes are attached (HDF5 dimension scales, H5DS) to that dimension's
// coordinate, so that netCDF readers (xarray with h5netcdf, netCDF-C) see named axes.
#include "io/h5_handle.hpp"

#include <string>
#include <vector>

namespace nnfield::detail {

// For a coordinate written in a group that serves the whole file (/trajectory/time,
// /grid/x, ... with their index orders "T", "nx", ...), the path of its copy at the root
// ("/time", "/depth"); "" for any other.
std::string file_coordinate_copy(const std::string& path, const std::string& index_order);

// The labels of an index order, outermost first; "scalar" (a 0-d dataset) has none.
std::vector<std::string> axis_labels(const std::string& index_order);

// The dimension scales of one file being written. Coordinates are either datasets the
// writer is given (time, the field grid, seeds, sigma_w) or, for index axes, a dataset
// this class writes at the root the first time the dimension is used (e.g. /depth = 1..M).
class FileDimensions {
 public:
  // Turns `dset` (just created at `path` with the given shape and index order) into a
  // coordinate, or attaches each of its axes to its dimension's coordinate. `values`: the
  // dataset's values when it is a fixed array (nullptr for a time series). A label no
  // dimension has, an axis whose length differs from its dimension's, or a time axis
  // with no time coordinate yet is an H5Error naming the dataset (a bug in the writer).
  void describe(hid_t file, const std::string& file_name, hid_t dset, const std::string& path,
                const std::vector<hsize_t>& shape, const std::string& index_order, const double* values);
  // Deletes `group` and its datasets, each detached from its dimensions first (their
  // coordinates list the datasets attached to them), then the coordinates nothing is
  // attached to any more: a resumed run rewrites what an earlier end of the run wrote.
  static void remove_group(hid_t file, const std::string& file_name, const std::string& group);
  // Closes every coordinate it holds open (before the file is closed).
  bool close() noexcept;

 private:
  struct Scale {
    std::string group;      // where it is visible: "/" or the group of a local coordinate
    std::string dimension;  // "time", "depth", ...
    hsize_t length = 0;
    bool unlimited = false;  // a time series: its length grows
    Handle dset;
  };
  const Scale* find(const std::string& group, const std::string& dimension) const;
  void add_scale(hid_t dset, const std::string& file_name, const std::string& path, const std::string& group,
                 const std::string& dimension, hsize_t length);
  const Scale& index_coordinate(hid_t file, const std::string& file_name, const std::string& path,
                                const std::string& label, hsize_t length);
  // The coordinate `name` of `dimension` the file already holds (a resumed run's).
  const Scale& existing_coordinate(hid_t file, const std::string& file_name, const std::string& name,
                                   const std::string& dimension);
  bool make_coordinate(hid_t file, const std::string& file_name, hid_t dset, const std::string& path,
                       const std::vector<hsize_t>& shape, const std::string& index_order, const double* values);
  std::vector<Scale> m_scales;
};

}  // namespace nnfield::detail
