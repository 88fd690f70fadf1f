// CheckpointFile (include/nnfield/io/checkpoint_file.hpp). Layout: the magic "NNFCKPT1",
// then records (kind byte 'r' doubles | 'i' int64 | 't' text, name length u32, name,
// element count u64, payload), then the FNV-1a 64 checksum of everything before it. The
// numbers are stored in the machine's byte order: a checkpoint resumes on the machine kind
// that wrote it (bitwise restart needs the same arithmetic anyway).
#include "nnfield/io/checkpoint_file.hpp"
#include "nnfield/io/h5io.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace nnfield {

namespace {

constexpr char kMagic[] = "NNFCKPT1";
constexpr std::size_t kMagicSize = 8;

std::uint64_t fnv1a(const char* data, std::size_t n) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

template <class T>
void put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

void put_record(std::string& out, char kind, const std::string& name, const void* data, std::uint64_t count,
                std::size_t element_size) {
  out.push_back(kind);
  put(out, static_cast<std::uint32_t>(name.size()));
  out += name;
  put(out, count);
  out.append(static_cast<const char*>(data), count * element_size);
}

// Reads the records of a checksummed image; throws std::out_of_range when truncated.
class Reader {
 public:
  explicit Reader(const std::string& bytes) : m_bytes(bytes) {}
  bool done() const { return m_at == m_bytes.size(); }
  template <class T>
  T get() {
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }
  const char* take(std::size_t n) {
    if (n > m_bytes.size() - m_at) throw std::out_of_range("truncated");
    const char* p = m_bytes.data() + m_at;
    m_at += n;
    return p;
  }

 private:
  const std::string& m_bytes;
  std::size_t m_at = 0;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw CheckpointError(path + ": " + what);
}

[[noreturn]] void fail_write(const std::string& path, const std::string& what) {
  throw H5Error(path + ": " + what + " (" + std::strerror(errno) + ")");
}

void write_all(int fd, const std::string& bytes, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail_write(path, "cannot write checkpoint");
    done += std::size_t(n);
  }
}

// fsync of the folder, so that the rename itself survives a power cut.
void sync_folder(const std::string& path) {
  const std::filesystem::path folder = std::filesystem::absolute(path).parent_path();
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

const std::vector<double>& CheckpointFile::reals(const std::string& name) const {
  const auto it = m_reals.find(name);
  if (it == m_reals.end()) fail(m_path, "checkpoint has no entry '" + name + "'");
  return it->second;
}

const std::vector<std::int64_t>& CheckpointFile::integers(const std::string& name) const {
  const auto it = m_integers.find(name);
  if (it == m_integers.end()) fail(m_path, "checkpoint has no entry '" + name + "'");
  return it->second;
}

const std::string& CheckpointFile::text(const std::string& name) const {
  const auto it = m_texts.find(name);
  if (it == m_texts.end()) fail(m_path, "checkpoint has no entry '" + name + "'");
  return it->second;
}

double CheckpointFile::real(const std::string& name) const {
  const std::vector<double>& v = reals(name);
  if (v.size() != 1) fail(m_path, "checkpoint entry '" + name + "' is not one number");
  return v[0];
}

std::int64_t CheckpointFile::integer(const std::string& name) const {
  const std::vector<std::int64_t>& v = integers(name);
  if (v.size() != 1) fail(m_path, "checkpoint entry '" + name + "' is not one number");
  return v[0];
}

void CheckpointFile::write(const std::string& path) const {
  std::string bytes(kMagic, kMagicSize);
  for (const auto& [name, v] : m_reals) put_record(bytes, 'r', name, v.data(), v.size(), sizeof(double));
  for (const auto& [name, v] : m_integers)
    put_record(bytes, 'i', name, v.data(), v.size(), sizeof(std::int64_t));
  for (const auto& [name, v] : m_texts) put_record(bytes, 't', name, v.data(), v.size(), 1);
  put(bytes, fnv1a(bytes.data(), bytes.size()));

  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_write(path, "cannot create checkpoint");
  try {
    write_all(fd, bytes, path);
    if (::fsync(fd) != 0) fail_write(path, "cannot sync checkpoint");
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    errno = error;
    fail_write(path, "cannot replace checkpoint");
  }
  sync_folder(path);
}

CheckpointFile CheckpointFile::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "no checkpoint (the run was not checkpointed, or the file was moved)");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  const std::size_t body = bytes.size() >= kMagicSize + 8 ? bytes.size() - 8 : 0;
  std::uint64_t stored = 0;
  if (body > 0) std::memcpy(&stored, bytes.data() + body, 8);
  if (body == 0 || bytes.compare(0, kMagicSize, kMagic) != 0 || stored != fnv1a(bytes.data(), body))
    fail(path, "not a complete nnfield checkpoint (truncated or corrupt)");
  CheckpointFile file;
  file.m_path = path;
  const std::string records = bytes.substr(kMagicSize, body - kMagicSize);
  Reader r(records);
  try {
    while (!r.done()) {
      const char kind = r.get<char>();
      const std::uint32_t name_size = r.get<std::uint32_t>();
      const std::string name(r.take(name_size), name_size);
      const std::uint64_t count = r.get<std::uint64_t>();
      if (kind == 'r') {
        std::vector<double> v(count);
        const char* values = r.take(count * sizeof(double));
        if (count > 0) std::memcpy(v.data(), values, count * sizeof(double));  // an empty vector's data() may be null
        file.m_reals[name] = std::move(v);
      } else if (kind == 'i') {
        std::vector<std::int64_t> v(count);
        const char* values = r.take(count * sizeof(std::int64_t));
        if (count > 0) std::memcpy(v.data(), values, count * sizeof(std::int64_t));
        file.m_integers[name] = std::move(v);
      } else if (kind == 't') {
        file.m_texts[name] = std::string(r.take(count), count);
      } else {
        fail(path, "not a complete nnfield checkpoint (unknown record kind)");
      }
    }
  } catch (const std::out_of_range&) {
    fail(path, "not a complete nnfield checkpoint (truncated record)");
  }
  return file;
}

std::string checkpoint_path_for(const std::string& run_path) { return run_path + ".ckpt"; }

std::uint64_t text_hash(const std::string& text) { return fnv1a(text.data(), text.size()); }

}  // namespace nnfield
