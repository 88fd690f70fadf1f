#include "io/end_of_allocation.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>

#include "nnfield/io/h5io.hpp"

namespace nnfield::detail {
namespace {

// HDF5 file format specification, superblock versions 0 and 1, at offset 0 (no user block):
// signature (8 bytes), versions and sizes (8: byte 13 is the size of offsets), B-tree K
// values and consistency flags (8; version 1 adds 4), then four addresses: base, free
// space, end of file (the EOA), driver block. Little-endian.
constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

std::uint64_t little_endian(const unsigned char* bytes, int size) {
  std::uint64_t value = 0;
  for (int i = size - 1; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

// Where the superblock keeps the end of allocation, its value and the file's size; false
// for files this does not handle (see the header).
struct RecordedEnd {
  int at = 0, size_of_offsets = 0;
  std::uint64_t eoa = 0, file_size = 0;
};

bool read_recorded_end(std::fstream& file, RecordedEnd& end) {
  unsigned char head[64] = {};
  file.read(reinterpret_cast<char*>(head), sizeof head);
  if (file.gcount() < 64 || std::memcmp(head, kSignature, sizeof kSignature) != 0) return false;
  const int version = head[8], offset_size = head[13];
  if (version > 1 || (offset_size != 4 && offset_size != 8)) return false;
  const int base_at = version == 0 ? 24 : 28;
  if (little_endian(head + base_at, offset_size) != 0) return false;  // addresses relative to a user block
  end.at = base_at + 2 * offset_size;
  end.size_of_offsets = offset_size;
  end.eoa = little_endian(head + end.at, offset_size);
  file.seekg(0, std::ios::end);
  end.file_size = static_cast<std::uint64_t>(file.tellg());
  return bool(file);
}

}  // namespace

bool end_of_allocation_lags(const std::string& path) {
  std::fstream file(path, std::ios::in | std::ios::binary);
  RecordedEnd end;
  return file && read_recorded_end(file, end) && end.eoa < end.file_size;
}

bool raise_end_of_allocation(const std::string& path) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  if (!file) return false;  // opening it as HDF5 then says why
  RecordedEnd end;
  if (!read_recorded_end(file, end) || end.eoa >= end.file_size) return false;
  unsigned char bytes[8] = {};
  for (int i = 0; i < end.size_of_offsets; ++i) bytes[i] = static_cast<unsigned char>(end.file_size >> (8 * i));
  file.seekp(end.at);
  file.write(reinterpret_cast<const char*>(bytes), end.size_of_offsets);
  file.flush();
  if (!file) throw H5Error(path + ": cannot write its superblock to repair the end of allocation");
  return true;
}

}  // namespace nnfield::detail

namespace nnfield {

bool h5_end_of_allocation_lags(const std::string& file) { return detail::end_of_allocation_lags(file); }

}  // namespace nnfield
