#pragma once
// The Python `nnfield.Run`: the datasets of a run, in memory (a MemoryRun made by
// Model.run()) or in an HDF5 run file (nnfield.load, Model.run(output=...)).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "nnfield/run/run.hpp"
#include "nnfield/io/series_sink.hpp"

namespace nnfield::python {

class RunData {
 public:
  struct Entry {
    std::vector<std::size_t> shape;  // as stored (time series: all rows)
    std::string index_order, description;
    bool time_series = false;        // first axis is T
  };

  // A run kept in memory: arrays handed to Python view its storage.
  explicit RunData(std::shared_ptr<MemoryRun> memory);
  // A run file: arrays are read on first access and cached.
  explicit RunData(std::string path);

  void set_result(const RunResult& result) { m_result = result; }
  const std::optional<RunResult>& result() const { return m_result; }

  bool in_memory() const { return m_path.empty(); }  // a file run always has its path
  const std::string& path() const { return m_path; }
  // Rows of the time series: the shortest series (readers truncate to it, see
  // docs/output-schema.md).
  std::size_t rows() const { return m_rows; }
  const std::map<std::string, Entry>& entries() const { return m_entries; }
  const py::dict& attrs() const { return m_attrs; }
  std::string text_attribute(const std::string& name) const;

  // "trajectory/W" -> "/trajectory/W"
  static std::string absolute(const std::string& name);
  // The dataset as a numpy array; `self` is this run's Python object (the base of
  // memory views). KeyError when there is no such dataset.
  // ValueError once the run is closed.
  py::object array(const py::object& self, const std::string& name);

  // Run.close() and the end of a `with` block: dataset access raises ValueError from then
  // on; the Run lets go of the arrays it read from a file and, when it never handed out a
  // view of it, of a run kept in memory. Arrays already handed out stay valid (numpy owns
  // them, or they keep the run's storage alive as their base). Metadata stays readable.
  void close();
  bool closed() const { return m_closed; }

 private:
  void finish_entries();

  std::shared_ptr<MemoryRun> m_memory;
  std::string m_path;
  std::map<std::string, Entry> m_entries;
  std::map<std::string, py::object> m_cache;  // file runs: name -> array
  py::dict m_attrs;
  std::size_t m_rows = 0;
  std::optional<RunResult> m_result;
  bool m_closed = false;
  bool m_views_handed_out = false;  // memory runs: some array may view m_memory's storage
};

// The Python object of a run (pybind11 holds it by shared_ptr).
py::object make_run(std::shared_ptr<RunData> run);

// "complete", "interrupted" or "blew_up": Run.result["status"] and run_ensemble's per-seed status.
const char* run_status_name(RunStatus status);

}  // namespace nnfield::python
