#pragma once
// Repairing the end-of-allocation address a killed HDF5 writer can leave behind its data.
#include <string>

namespace nnfield::detail {

// HDF5 keeps the file's end of allocation (EOA) in the superblock and rewrites it only
// when it flushes; a writer killed between writing metadata or chunks past the old EOA
// and rewriting the superblock leaves a file whose objects lie beyond its recorded end.
// HDF5 then refuses to read them or write there ("addr overflow"). Raises the recorded
// EOA to the file's size, as `h5clear --increment=0` does, and returns true if it did.
// Only superblock versions 0 and 1 (no checksum; the format nnfield writes) are
// repaired; other files, and files that cannot be opened, are left alone. Throws
// H5Error naming `path` if the repair cannot be written. The caller holds the file's
// OutputLock.
bool raise_end_of_allocation(const std::string& path);

// True if the superblock records an end of allocation before the file's end: what a writer
// killed inside a flush leaves (also seen while a writer is running). Read only.
bool end_of_allocation_lags(const std::string& path);

}  // namespace nnfield::detail
