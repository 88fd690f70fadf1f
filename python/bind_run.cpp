// nnfield.Run: a read-only mapping  dataset name -> numpy array  (plus attribute access
// by group, run.trajectory.W), the root attributes and the run's status.
//
// Memory: for a run kept in memory the arrays are views of the MemoryRun's storage
// (no copy); their base is the Run object, which owns the MemoryRun, so an array
// keeps the run alive. They are read-only: a run is a record. For a run file each
// dataset is read once (h5_read, no second copy: the array adopts the buffer) and the
// same array is returned on every access.
#include <algorithm>
#include <stdexcept>

#include "nnfield/io/h5io.hpp"
#include "nnfield/io/h5io_catalog.hpp"
#include "run_data.hpp"

namespace nnfield::python {

namespace {

bool is_time_series(const std::string& index_order) {
  return index_order == "T" || index_order.rfind("T,", 0) == 0;
}

// A group of a run ("/trajectory"): attribute and item access to what is under it.
struct RunGroup {
  py::object run;      // the Run
  std::string prefix;  // "/trajectory/"
};

std::vector<std::string> children(const RunData& run, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& kv : run.entries()) {
    if (kv.first.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = kv.first.substr(prefix.size());
    out.push_back(rest.substr(0, rest.find('/')));
  }
  out.erase(std::unique(out.begin(), out.end()), out.end());  // names are sorted
  return out;
}

// run.<name> / group.<name>: a dataset, or a group when datasets lie below it.
py::object child_object(const py::object& run_object, const std::string& path) {
  RunData& run = run_object.cast<RunData&>();
  if (run.entries().count(path)) return run.array(run_object, path);
  const std::string prefix = path + "/";
  if (!children(run, prefix).empty()) return py::cast(RunGroup{run_object, prefix});
  return py::object();
}

py::dict entry_info(const RunData::Entry& e, std::size_t rows) {
  py::dict d;
  std::vector<std::size_t> shape = e.shape;
  if (e.time_series && !shape.empty()) shape[0] = std::min(shape[0], rows);
  d["shape"] = py::tuple(py::cast(shape));
  d["index_order"] = e.index_order;
  d["description"] = e.description;
  d["time_series"] = e.time_series;
  return d;
}

py::object attribute_value(const H5AttributeValue& a) {
  using Kind = H5AttributeValue::Kind;
  switch (a.kind) {
    case Kind::text: return py::str(a.text);
    case Kind::integer: return a.scalar && a.integers.size() == 1 ? py::object(py::int_(a.integers[0])) : py::cast(a.integers);
    case Kind::unsigned_integer:
      return a.scalar && a.unsigneds.size() == 1 ? py::object(py::int_(a.unsigneds[0])) : py::cast(a.unsigneds);
    case Kind::real: return a.scalar && a.reals.size() == 1 ? py::object(py::float_(a.reals[0])) : py::cast(a.reals);
    case Kind::other: break;
  }
  return py::none();
}

}  // namespace

// ---- RunData --------------------------------------------------------------------

RunData::RunData(std::shared_ptr<MemoryRun> memory) : m_memory(std::move(memory)) {
  if (!m_memory) throw std::invalid_argument("a run in memory needs its MemoryRun");
  for (const std::string& name : m_memory->names()) {
    const MemoryRun::Dataset& d = m_memory->dataset(name);
    m_entries[name] = Entry{d.shape, d.index_order, d.description, is_time_series(d.index_order)};
  }
  for (const auto& kv : m_memory->text_attributes()) m_attrs[py::str(kv.first)] = kv.second;
  for (const auto& kv : m_memory->number_attributes()) m_attrs[py::str(kv.first)] = kv.second;
  // As in a run file: counts, flags and seeds are integers.
  for (const auto& kv : m_memory->integer_attributes()) m_attrs[py::str(kv.first)] = py::int_(kv.second);
  for (const auto& kv : m_memory->unsigned_attributes()) m_attrs[py::str(kv.first)] = py::int_(kv.second);
  finish_entries();
}

RunData::RunData(std::string path) : m_path(std::move(path)) {
  const H5Catalog catalog = h5_catalog(m_path);
  for (const H5DatasetInfo& d : catalog.datasets) {
    if (!d.numeric) continue;
    m_entries[d.name] = Entry{d.shape, d.index_order, d.description, is_time_series(d.index_order)};
  }
  for (const H5AttributeValue& a : catalog.root_attributes) m_attrs[py::str(a.name)] = attribute_value(a);
  finish_entries();
}

void RunData::finish_entries() {
  bool any = false;
  for (const auto& kv : m_entries) {
    const Entry& e = kv.second;
    if (!e.time_series || e.shape.empty()) continue;
    m_rows = any ? std::min(m_rows, e.shape[0]) : e.shape[0];
    any = true;
  }
}

std::string RunData::text_attribute(const std::string& name) const {
  if (!m_attrs.contains(name)) return {};
  py::object v = m_attrs[py::str(name)];
  return py::isinstance<py::str>(v) ? v.cast<std::string>() : std::string();
}

std::string RunData::absolute(const std::string& name) { return !name.empty() && name[0] == '/' ? name : "/" + name; }

py::object RunData::array(const py::object& self, const std::string& name) {
  const std::string key = absolute(name);
  if (m_closed) throw py::value_error("run is closed (close() or the end of its `with` block): cannot read " + key);
  auto it = m_entries.find(key);
  if (it == m_entries.end()) {
    std::string names;
    for (const auto& kv : m_entries) names += (names.empty() ? "" : ", ") + kv.first;
    throw py::key_error("run has no dataset '" + key + "' (it has: " + names + ")");
  }
  const Entry& e = it->second;
  std::vector<std::size_t> shape = e.shape;
  if (e.time_series && !shape.empty()) shape[0] = std::min(shape[0], m_rows);

  if (m_memory) {
    m_views_handed_out = true;
    return view(m_memory->dataset(key).data.data(), shape, self);
  }

  auto cached = m_cache.find(key);
  if (cached == m_cache.end()) {
    Array a = h5_read(m_path, key);
    py::array_t<double> full = adopt(std::move(a.data), a.shape);
    py::detail::array_proxy(full.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    py::object out = full;
    if (e.time_series && !a.shape.empty() && a.shape[0] > m_rows)
      out = full[py::slice(0, py::ssize_t(m_rows), 1)];  // a view of the first rows
    cached = m_cache.emplace(key, out).first;
  }
  return cached->second;
}

void RunData::close() {
  m_closed = true;
  m_cache.clear();
  if (!m_views_handed_out) m_memory.reset();
}

py::object make_run(std::shared_ptr<RunData> run) { return py::cast(std::move(run)); }

const char* run_status_name(RunStatus status) {
  static const char* names[] = {"complete", "interrupted", "blew_up"};
  return names[int(status)];
}

// ---- bindings ---------------------------------------------------------------------

namespace {

void add_run_group(py::module_& m) {
  py::class_<RunGroup>(m, "RunGroup", "A group of a run's datasets: run.trajectory, run.energy, ...")
      .def("__getattr__",
           [](const RunGroup& g, const std::string& name) {
             py::object o = child_object(g.run, g.prefix + name);
             if (!o) throw py::attribute_error("run has no dataset or group '" + g.prefix + name + "'");
             return o;
           },
           py::arg("name"))
      .def("__getitem__",
           [](const RunGroup& g, const std::string& name) {
             RunData& run = g.run.cast<RunData&>();
             return run.array(g.run, g.prefix + name);
           },
           py::arg("name"))
      .def("keys", [](const RunGroup& g) { return children(g.run.cast<RunData&>(), g.prefix); })
      .def("__dir__", [](const RunGroup& g) { return children(g.run.cast<RunData&>(), g.prefix); })
      .def("__contains__",
           [](const RunGroup& g, const std::string& name) {
             const RunData& run = g.run.cast<const RunData&>();  // names only: works on a closed run
             return run.entries().count(g.prefix + name) > 0 || !children(run, g.prefix + name + "/").empty();
           },
           py::arg("name"))
      .def("__repr__", [](const RunGroup& g) {
        std::string names;
        for (const auto& c : children(g.run.cast<RunData&>(), g.prefix)) names += (names.empty() ? "" : ", ") + c;
        return "<nnfield.RunGroup '" + g.prefix.substr(0, g.prefix.size() - 1) + "': " + names + ">";
      });
}

using RunClass = py::class_<RunData, std::shared_ptr<RunData>>;

// Run as a read-only mapping name -> array, with groups as attributes.
void add_mapping(RunClass& run) {
  run.def(
         "__getitem__",
         [](const py::object& self, const std::string& name) { return self.cast<RunData&>().array(self, name); },
         py::arg("name"))
      .def("__contains__",
           [](const RunData& r, const py::object& name) {
             return py::isinstance<py::str>(name) && r.entries().count(RunData::absolute(name.cast<std::string>()));
           },
           py::arg("name"))
      .def("__len__", [](const RunData& r) { return r.entries().size(); })
      .def("__iter__",
           [](const RunData& r) {
             py::list names;
             for (const auto& kv : r.entries()) names.append(kv.first);
             return py::iter(names);
           })
      .def("keys",
           [](const RunData& r) {
             std::vector<std::string> names;
             for (const auto& kv : r.entries()) names.push_back(kv.first);
             return names;
           },
           "Dataset names, e.g. '/trajectory/W'.")
      .def("values",
           [](const py::object& self) {
             RunData& r = self.cast<RunData&>();
             py::list out;
             for (const auto& kv : r.entries()) out.append(r.array(self, kv.first));
             return out;
           })
      .def("items",
           [](const py::object& self) {
             RunData& r = self.cast<RunData&>();
             py::list out;
             for (const auto& kv : r.entries()) out.append(py::make_tuple(kv.first, r.array(self, kv.first)));
             return out;
           })
      .def("get",
           [](const py::object& self, const std::string& name, const py::object& fallback) {
             RunData& r = self.cast<RunData&>();
             if (!r.entries().count(RunData::absolute(name))) return fallback;
             return r.array(self, name);
           },
           py::arg("name"), py::arg("default") = py::none())
      .def("info",
           [](const RunData& r, const std::string& name) {
             auto it = r.entries().find(RunData::absolute(name));
             if (it == r.entries().end()) throw py::key_error("run has no dataset '" + RunData::absolute(name) + "'");
             return entry_info(it->second, r.rows());
           },
           py::arg("name"), "shape, index_order, description and time_series of a dataset.")
      .def("__getattr__",
           [](const py::object& self, const std::string& name) {
             py::object o = child_object(self, "/" + name);
             if (!o) throw py::attribute_error("'Run' object has no attribute, dataset or group '" + name + "'");
             return o;
           },
           py::arg("name"))
      .def("__dir__",
           [](const py::object& self) {
             py::list out = py::module_::import("builtins").attr("object").attr("__dir__")(self);
             for (const auto& c : children(self.cast<RunData&>(), "/")) out.append(c);
             return out;
           });
}

// For a run made by Model.run(): what happened (RunResult) as a dict; None for nnfield.load().
py::object result_dict(const RunData& r) {
  if (!r.result()) return py::none();
  const RunResult& res = *r.result();
  py::dict d;
  d["status"] = run_status_name(res.status);
  d["message"] = res.message;
  d["t_last"] = res.t_last;
  d["rows"] = res.rows;
  d["steps"] = res.steps;
  d["final_loss"] = res.final_loss;
  d["final_energy"] = py::dict(py::arg("kinetic") = res.final_energy.kinetic,
                               py::arg("potential") = res.final_energy.potential,
                               py::arg("dissipated") = res.final_energy.dissipated,
                               py::arg("data_work") = res.final_energy.data_work,
                               py::arg("total") = res.final_energy.total());
  return std::move(d);
}

// Provenance, status and what happened.
void add_properties(RunClass& run) {
  run.def_property_readonly("attrs", [](const RunData& r) { return r.attrs().attr("copy")(); },
                             "The root attributes (a new dict): provenance, geometry, status.")
      .def_property_readonly("status", [](const RunData& r) { return r.text_attribute("status"); },
                             "'complete', 'interrupted', 'failed: <reason>' or 'running' (a file still open "
                             "or killed).")
      .def_property_readonly("config", [](const RunData& r) { return r.text_attribute("resolved_config"); },
                             "The resolved configuration (TOML) the run used.")
      .def_property_readonly("rows", &RunData::rows, "Rows T of the time series (the shortest series).")
      .def_property_readonly("in_memory", &RunData::in_memory)
      .def_property_readonly("path",
                             [](const RunData& r) -> py::object {
                               if (r.in_memory()) return py::none();
                               return py::str(r.path());
                             },
                             "The run file, or None for a run kept in memory.")
      .def_property_readonly("message",
                             [](const RunData& r) -> py::object {
                               if (!r.result()) return py::none();
                               return py::str(r.result()->message);
                             },
                             "What happened (one line), for a run made by Model.run(); None for nnfield.load().")
      .def_property_readonly("result", &result_dict,
                             "For a run made by Model.run(): status, message, t_last, rows, steps, final_loss, "
                             "final_energy (dict); None for nnfield.load().")
      .def("close", &RunData::close,
           "Close the run: reading a dataset raises ValueError from then on; arrays already "
           "read stay valid. Also what the end of `with nnfield.load(path) as run:` does.")
      .def_property_readonly("closed", &RunData::closed, "True once close() was called.")
      .def("__enter__", [](const py::object& self) { return self; })
      .def(
          "__exit__",
          [](RunData& r, const py::object&, const py::object&, const py::object&) {
            r.close();
            return false;  // exceptions from the block propagate
          },
          py::arg("exc_type"), py::arg("exc_value"), py::arg("traceback"))
      .def("__repr__", [](const RunData& r) {
        std::string what = r.text_attribute("model_path");
        if (what.empty()) what = r.path();
        return "<nnfield.Run '" + what + "' " + r.text_attribute("status") + ", " + std::to_string(r.rows()) +
               " rows, " + std::to_string(r.entries().size()) + " datasets" +
               (r.in_memory() ? ", in memory" : ", file " + r.path()) + (r.closed() ? ", closed" : "") + ">";
      });
}

}  // namespace

void add_run(py::module_& m) {
  add_run_group(m);
  RunClass run(m, "Run", R"doc(
The datasets of a run: a read-only mapping  name -> numpy array  in the canonical index
order (docs/theory.md section 1).

    run["/trajectory/W"]      # (T, M, N, K)
    run.trajectory.W          # the same array
    run.attrs["git_hash"]     # root attributes (provenance, geometry)
    run.status                # "complete", "interrupted", "failed: ..."

Time series (first axis T) are truncated to the shortest series (`rows`). For a
run in memory the arrays are read-only views of the run's storage (no copy): their
`base` is the Run, which they keep alive. For a run file each dataset is read on
first access and the same array is returned afterwards.)doc");
  add_mapping(run);
  add_properties(run);

  // isinstance(run, collections.abc.Mapping)
  py::module_::import("collections.abc").attr("Mapping").attr("register")(run);

  m.def(
      "load",
      [](const py::object& path) { return make_run(std::make_shared<RunData>(path_argument(path, "path"))); }, py::arg("path"),
      R"doc(Open an HDF5 run file (written by `nnfield run` or Model.run(output=...)) as a Run.
Datasets are read on first access. Raises FileNotFoundError / OSError.)doc");
}

}  // namespace nnfield::python
