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

}  // namespace

bool raise_end_of_allocation(const std::string& path) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  if (!file) return false;  // opening it as HDF5 then says why
  unsigned char head[64] = {};
  file.read(reinterpret_cast<char*>(head), sizeof head);
  if (file.gcount() < 64 || std::memcmp(head, kSignature, sizeof kSignature) != 0) return false;
  const int version = head[8], offset_size = head[13];
  if (version > 1 || (offset_size != 4 && offset_size != 8)) return false;
  const int base_at = version == 0 ? 24 : 28;
  const int eoa_at = base_at + 2 * offset_size;
  if (little_endian(head + base_at, offset_size) != 0) return false;  // addresses relative to a user block
  const std::uint64_t eoa = little_endian(head + eoa_at, offset_size);
  file.seekg(0, std::ios::end);
  const std::uint64_t size = static_cast<std::uint64_t>(file.tellg());
  if (eoa >= size) return false;
  unsigned char bytes[8] = {};
  for (int i = 0; i < offset_size; ++i) bytes[i] = static_cast<unsigned char>(size >> (8 * i));
  file.seekp(eoa_at);
  file.write(reinterpret_cast<const char*>(bytes), offset_size);
  file.flush();
  if (!file) throw H5Error(path + ": cannot write its superblock to repair the end of allocation");
  return true;
}

}  // namespace nnfield::detail
