// CheckpointFile (include/nnfield/io/checkpoint_file.hpp). Layout: the magic "NNFCKPT1",
// then records (kind byte 'r' doubles | 'i' int64 | 't' text, name length u32, name,
// element count u64, payload), then the FNV-1a 64 checksum of everything before it. The
// numbers are stored in the machine's byte order: a checkpoint resumes on the machine kind
// that wrote it (bitwise restart needs the same arithmetic anyway).
#include "nnfield/io/checkpoint_file.hpp"
#include "nnfield/io/h5io.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace nnfield {

namespace {

constexpr char kMagic[] = "NNFCKPT1";
constexpr std::size_t kMagicSize = 8;

constexpr std::uint64_t kFnvStart = 1469598103934665603ULL;

std::uint64_t fnv1a(const char* data, std::size_t n, std::uint64_t h = kFnvStart) {
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

[[noreturn]] void fail_write(const std::string& path, const std::string& what) {
  throw H5Error(path + ": " + what + " (" + std::strerror(errno) + ")");
}

// The bytes of a checkpoint on their way to its file descriptor, with the checksum of all
// of them so far: written in buffers of about 1 MiB, so that an entry given in pieces is
// never whole in memory.
class ImageOut {
 public:
  ImageOut(int fd, const std::string& path) : m_fd(fd), m_path(path) {}
  void append(const void* data, std::size_t n) {
    if (n == 0) return;  // an empty vector's data() may be null
    const char* bytes = static_cast<const char*>(data);
    m_hash = fnv1a(bytes, n, m_hash);
    m_buffer.append(bytes, n);
    if (m_buffer.size() >= (1u << 20)) flush();
  }
  template <class T>
  void put(const T& value) {
    append(&value, sizeof(T));
  }
  void header(char kind, const std::string& name, std::uint64_t count) {
    put(kind);
    put(static_cast<std::uint32_t>(name.size()));
    append(name.data(), name.size());
    put(count);
  }
  void finish() {
    const std::uint64_t hash = m_hash;
    m_buffer.append(reinterpret_cast<const char*>(&hash), sizeof hash);
    flush();
  }

 private:
  void flush() {
    std::size_t done = 0;
    while (done < m_buffer.size()) {
      const ssize_t n = ::write(m_fd, m_buffer.data() + done, m_buffer.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail_write(m_path, "cannot write checkpoint");
      done += std::size_t(n);
    }
    m_buffer.clear();
  }
  int m_fd;
  const std::string& m_path;
  std::string m_buffer;
  std::uint64_t m_hash = kFnvStart;
};

// Reads a checkpoint's records from its file, the checksum of what it read so far alongside;
// throws std::out_of_range past the records (a truncated file).
class ImageIn {
 public:
  // `body`: the bytes of the records; `hash`: the checksum of the bytes before them.
  ImageIn(std::ifstream& in, std::uint64_t body, std::uint64_t hash) : m_in(in), m_left(body), m_hash(hash) {}
  bool done() const { return m_left == 0; }
  std::uint64_t hash() const { return m_hash; }
  void read(void* to, std::size_t n) {
    if (n > m_left) throw std::out_of_range("truncated");
    m_in.read(static_cast<char*>(to), std::streamsize(n));
    if (!m_in) throw std::out_of_range("truncated");
    m_hash = fnv1a(static_cast<const char*>(to), n, m_hash);
    m_left -= n;
  }
  void skip(std::size_t n) {
    char buffer[1 << 16];
    while (n > 0) {
      const std::size_t part = std::min(n, sizeof buffer);
      read(buffer, part);
      n -= part;
    }
  }
  template <class T>
  T get() {
    T value;
    read(&value, sizeof(T));
    return value;
  }
  std::string text(std::size_t n) {
    std::string out;
    char buffer[1 << 12];
    while (out.size() < n) {
      const std::size_t part = std::min(n - out.size(), sizeof buffer);
      read(buffer, part);
      out.append(buffer, part);
    }
    return out;
  }
  template <class T>
  std::vector<T> values(std::size_t count) {
    if (count > m_left / sizeof(T)) throw std::out_of_range("truncated");
    std::vector<T> v(count);
    if (count > 0) read(v.data(), count * sizeof(T));  // an empty vector's data() may be null
    return v;
  }
  // `ranges` of `count` reals, one after another; the rest is read past. None when a range
  // lies outside them (an entry of another size than the reader's: the reader says so).
  std::vector<double> ranges_of(std::size_t count, const std::vector<ValueRange>& ranges) {
    std::size_t size = 0, at = 0;
    for (const ValueRange& r : ranges) {
      if (r.first < at || r.first + r.count > count) {
        skip(count * sizeof(double));
        return {};
      }
      size += r.count;
      at = r.first + r.count;
    }
    at = 0;
    std::vector<double> v(size);
    double* to = v.data();
    for (const ValueRange& r : ranges) {
      skip((r.first - at) * sizeof(double));
      if (r.count > 0) read(to, r.count * sizeof(double));
      to += r.count;
      at = r.first + r.count;
    }
    skip((count - at) * sizeof(double));
    return v;
  }

 private:
  std::ifstream& m_in;
  std::uint64_t m_left;
  std::uint64_t m_hash;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw CheckpointError(path + ": " + what);
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

void CheckpointFile::set_streamed(const std::string& name, std::size_t count, ValuePieces pieces) {
  m_streamed[name] = Streamed{count, std::move(pieces)};
}

void CheckpointFile::write_image(int fd, const std::string& path) const {
  ImageOut out(fd, path);
  out.append(kMagic, kMagicSize);
  // The reals by name, those given in pieces among them (the order of a std::map of all).
  auto real = m_reals.begin();
  auto streamed = m_streamed.begin();
  while (real != m_reals.end() || streamed != m_streamed.end()) {
    if (streamed == m_streamed.end() || (real != m_reals.end() && real->first < streamed->first)) {
      out.header('r', real->first, real->second.size());
      out.append(real->second.data(), real->second.size() * sizeof(double));
      ++real;
      continue;
    }
    out.header('r', streamed->first, streamed->second.count);
    std::size_t given = 0;
    streamed->second.pieces([&](const double* values, std::size_t count) {
      out.append(values, count * sizeof(double));
      given += count;
    });
    if (given != streamed->second.count)
      throw std::logic_error("checkpoint entry '" + streamed->first + "': " + std::to_string(given) +
                             " values given for " + std::to_string(streamed->second.count));
    ++streamed;
  }
  for (const auto& [name, v] : m_integers) {
    out.header('i', name, v.size());
    out.append(v.data(), v.size() * sizeof(std::int64_t));
  }
  for (const auto& [name, v] : m_texts) {
    out.header('t', name, v.size());
    out.append(v.data(), v.size());
  }
  out.finish();
}

void CheckpointFile::pass_streamed() const {
  for (const auto& entry : m_streamed) entry.second.pieces([](const double*, std::size_t) {});
}

void CheckpointFile::write(const std::string& path) const {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_write(path, "cannot create checkpoint");
  try {
    write_image(fd, path);
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

CheckpointFile CheckpointFile::read(const std::string& path,
                                   const std::map<std::string, std::vector<ValueRange>>& keep) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "no checkpoint (the run was not checkpointed, or the file was moved)");
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  const std::uint64_t body = !ec && size >= kMagicSize + 8 ? size - 8 : 0;
  char magic[kMagicSize] = {};
  if (body == 0 || !in.read(magic, kMagicSize) || std::memcmp(magic, kMagic, kMagicSize) != 0)
    fail(path, "not a complete nnfield checkpoint (truncated or corrupt)");
  CheckpointFile file;
  file.m_path = path;
  ImageIn r(in, body - kMagicSize, fnv1a(magic, kMagicSize));
  try {
    while (!r.done()) {
      const char kind = r.get<char>();
      const std::uint32_t name_size = r.get<std::uint32_t>();
      const std::string name = r.text(name_size);
      const std::uint64_t count = r.get<std::uint64_t>();
      const auto wanted = keep.find(name);
      if (kind == 'r' && wanted != keep.end()) {
        file.m_reals[name] = r.ranges_of(count, wanted->second);
      } else if (kind == 'r') {
        file.m_reals[name] = r.values<double>(count);
      } else if (kind == 'i') {
        file.m_integers[name] = r.values<std::int64_t>(count);
      } else if (kind == 't') {
        file.m_texts[name] = r.text(count);
      } else {
        fail(path, "not a complete nnfield checkpoint (unknown record kind)");
      }
    }
  } catch (const std::out_of_range&) {
    fail(path, "not a complete nnfield checkpoint (truncated record)");
  }
  std::uint64_t stored = 0;
  if (!in.read(reinterpret_cast<char*>(&stored), 8) || stored != r.hash())
    fail(path, "not a complete nnfield checkpoint (truncated or corrupt)");
  return file;
}

std::string checkpoint_path_for(const std::string& run_path) { return run_path + ".ckpt"; }

std::uint64_t text_hash(const std::string& text) { return fnv1a(text.data(), text.size()); }

}  // namespace nnfield
