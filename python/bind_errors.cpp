// C++ exceptions -> Python exceptions, with the C++ message unchanged.
//
//   nnfield::ConfigError          -> nnfield.ConfigError (a ValueError)
//   nnfield::ResourceError        -> MemoryError (a run that would not fit, refused up front)
//     ... "unknown key/section"   -> nnfield.UnknownKeyError (a ConfigError and a KeyError)
//     ... model file not found    -> FileNotFoundError
//   nnfield::H5Error              -> OSError (FileNotFoundError for a missing file)
//   std::invalid_argument         -> ValueError, std::out_of_range -> IndexError (pybind11)
//   any other std::exception      -> RuntimeError (pybind11)
#include <Python.h>

#include <string>

#include "bindings.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/run/resources.hpp"

namespace nnfield::python {

namespace {

// Owned for the life of the process: module-level exception types are never freed
// (a static py::object would be destroyed after the interpreter).
PyObject* g_config_error = nullptr;
PyObject* g_unknown_key_error = nullptr;

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

PyObject* new_exception_type(py::module_& m, const char* name, PyObject* bases, const char* doc) {
  const std::string full = std::string(PyModule_GetName(m.ptr())) + "." + name;
  PyObject* type = PyErr_NewExceptionWithDoc(full.c_str(), doc, bases, nullptr);
  if (type == nullptr) throw py::error_already_set();
  m.add_object(name, py::handle(type));  // add_object takes its own reference
  return type;
}

}  // namespace

void add_errors(py::module_& m) {
  g_config_error = new_exception_type(m, "ConfigError", PyExc_ValueError,
                                      "A model-file problem (or a bad override); the message names the file, "
                                      "line and key, as the command line prints it.");
  py::tuple bases = py::make_tuple(py::handle(g_config_error), py::handle(PyExc_KeyError));
  g_unknown_key_error = new_exception_type(m, "UnknownKeyError", bases.ptr(),
                                           "An unknown key or section in a model file or in overrides. "
                                           "Both a ConfigError (ValueError) and a KeyError.");
  // str(e) is the message itself, not KeyError's repr() of it.
  py::handle(g_unknown_key_error).attr("__str__") = py::handle(PyExc_Exception).attr("__str__");

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      if (contains(what, ": error: unknown key '") || contains(what, ": error: unknown section '")) {
        PyErr_SetString(g_unknown_key_error, e.what());
      } else if (contains(what, ": error: cannot open model file: No such file")) {
        PyErr_SetString(PyExc_FileNotFoundError, e.what());
      } else {
        PyErr_SetString(g_config_error, e.what());
      }
    } catch (const ResourceError& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    } catch (const H5Error& e) {
      const std::string what = e.what();
      const bool missing = what.size() >= 14 && what.compare(what.size() - 14, 14, ": no such file") == 0;
      PyErr_SetString(missing ? PyExc_FileNotFoundError : PyExc_OSError, e.what());
    }
  });
}

}  // namespace nnfield::python
