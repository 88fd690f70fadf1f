#pragma once
// The provenance a run file carries as attributes of "/" (h5_provenance.cpp).
#include <string>

#include "io/h5_handle.hpp"
#include "nnfield/io/provenance.hpp"

namespace nnfield::detail {

// Writes the build entries, then the model, config, seed, command line, creation
// time, HDF5 version and status "running" (the fixed keys win any name clash).
void write_provenance_attributes(hid_t file, const std::string& path,
                                 const Provenance& provenance);

}  // namespace nnfield::detail
