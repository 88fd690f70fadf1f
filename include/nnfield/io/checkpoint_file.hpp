#pragma once
// A checkpoint file (docs/output-schema.md, "Checkpoint file"): named arrays of doubles and
// 64-bit integers and named strings, stored bit for bit with a checksum, and replaced
// atomically: written to a temporary name, fsynced, renamed over the old one, the folder
// fsynced. A crash at any moment leaves either the previous checkpoint or the new one.
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"

namespace nnfield {

// A checkpoint that cannot be read: missing, truncated, corrupt, or lacking an entry. Bad
// input (exit 2), like a bad model file; failing to write one is an output error (H5Error).
class CheckpointError : public ConfigError {
 public:
  using ConfigError::ConfigError;
};

// Consecutive values of an entry, [first, first + count).
struct ValueRange {
  std::size_t first = 0, count = 0;
};

// Values handed over in consecutive pieces (the whole of an entry, in order).
using ValuePiece = std::function<void(const double* values, std::size_t count)>;
using ValuePieces = std::function<void(const ValuePiece& piece)>;

class CheckpointFile {
 public:
  void set(const std::string& name, std::vector<double> values) { m_reals[name] = std::move(values); }
  void set(const std::string& name, std::vector<std::int64_t> values) { m_integers[name] = std::move(values); }
  void set(const std::string& name, std::string text) { m_texts[name] = std::move(text); }
  void set_real(const std::string& name, double value) { set(name, std::vector<double>{value}); }
  void set_integer(const std::string& name, std::int64_t value) { set(name, std::vector<std::int64_t>{value}); }
  // An entry of `count` reals that write() takes from `pieces` as it writes them, so that
  // no one holds them all (a network split along its width: process 0 receives its
  // processes' blocks one at a time, docs/cluster.md). The file is the one set() would write.
  void set_streamed(const std::string& name, std::size_t count, ValuePieces pieces);

  // Throw CheckpointError naming the file and the entry when it is missing.
  const std::vector<double>& reals(const std::string& name) const;
  const std::vector<std::int64_t>& integers(const std::string& name) const;
  const std::string& text(const std::string& name) const;
  double real(const std::string& name) const;
  std::int64_t integer(const std::string& name) const;

  // On the processes that hand pieces to the one that writes: runs the streamed entries'
  // pieces in the order write() takes them (by name), writing nothing.
  void pass_streamed() const;
  // Replaces `path` atomically (see above); H5Error (an output error) when it cannot.
  void write(const std::string& path) const;
  // CheckpointError naming `path` when it is missing, truncated or corrupt. The file is read
  // in pieces; of the real entries named in `keep`, only the ranges given (ascending, within
  // the entry) are kept, one after another: a process of a split run reads its block alone.
  static CheckpointFile read(const std::string& path,
                             const std::map<std::string, std::vector<ValueRange>>& keep = {});

 private:
  // The file's bytes (magic, records, checksum) to `fd`, in buffers.
  void write_image(int fd, const std::string& path) const;
  std::string m_path;  // where it was read from, for messages
  std::map<std::string, std::vector<double>> m_reals;
  std::map<std::string, std::vector<std::int64_t>> m_integers;
  std::map<std::string, std::string> m_texts;
  struct Streamed {
    std::size_t count = 0;
    ValuePieces pieces;
  };
  std::map<std::string, Streamed> m_streamed;
};

// The checkpoint of a run file: "RUN.h5.ckpt" next to it.
std::string checkpoint_path_for(const std::string& run_path);

// FNV-1a 64 of a text: how a checkpoint names the run file it belongs to.
std::uint64_t text_hash(const std::string& text);

}  // namespace nnfield
