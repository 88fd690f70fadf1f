// Overrides of model-file keys from Python: the one conversion every binding that takes
// `overrides` uses (Model.from_file, Model.from_string, compare, run_ensemble), so a dict and
// a list of "section.key=value" strings are accepted everywhere alike.
#include <cmath>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "nnfield/config/toml_quote.hpp"

namespace nnfield::python {

namespace {

std::string toml_value(const py::handle& v, const std::string& key) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::int_>(v)) return std::string(py::str(v));
  if (py::isinstance<py::float_>(v)) {
    const double x = v.cast<double>();
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    std::string text = py::repr(py::float_(x));  // shortest round-trip text: "0.5", "1e-08"
    return text;
  }
  if (py::isinstance<py::str>(v)) return toml_quote(v.cast<std::string>());
  if (py::isinstance<py::dict>(v)) {  // an inline table, e.g. one entry of init.smooth.modes
    std::string out = "{";
    bool first = true;
    for (auto item : v.cast<py::dict>()) {
      if (!py::isinstance<py::str>(item.first))
        throw py::type_error("overrides['" + key + "']: table keys must be strings");
      out += std::string(first ? " " : ", ") + item.first.cast<std::string>() + " = " +
             toml_value(item.second, key);
      first = false;
    }
    return out + (first ? "}" : " }");
  }
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    std::string out = "[";
    bool first = true;
    for (auto item : v) {
      out += std::string(first ? "" : ", ") + toml_value(item, key);
      first = false;
    }
    return out + "]";
  }
  // numpy scalars and arrays: as the Python values they hold.
  py::object numpy = py::module_::import("numpy");
  if (py::isinstance(v, numpy.attr("ndarray"))) return toml_value(v.attr("tolist")(), key);
  if (py::isinstance(v, numpy.attr("generic"))) return toml_value(v.attr("item")(), key);
  throw py::type_error("overrides['" + key + "']: cannot write a value of type " +
                       std::string(py::str(v.get_type().attr("__name__"))) +
                       " as TOML (use bool, int, float, str, list or dict)");
}

}  // namespace

std::vector<std::string> override_list(const py::object& overrides) {
  std::vector<std::string> out;
  if (overrides.is_none()) return out;
  if (py::isinstance<py::dict>(overrides) ||
      py::isinstance(overrides, py::module_::import("collections.abc").attr("Mapping"))) {
    for (py::handle key : overrides) {
      if (!py::isinstance<py::str>(key))
        throw py::type_error("overrides: keys must be strings 'section.key', got " +
                             std::string(py::repr(key)));
      const std::string k = key.cast<std::string>();
      out.push_back(k + "=" + toml_value(overrides[key], k));
    }
    return out;
  }
  if (py::isinstance<py::str>(overrides) || !py::hasattr(overrides, "__iter__"))
    throw py::type_error("overrides: expected a dict {'section.key': value} (or a list of 'section.key=value'), "
                         "got a " + std::string(py::str(overrides.get_type().attr("__name__"))));
  for (py::handle item : overrides) {
    if (!py::isinstance<py::str>(item))
      throw py::type_error("overrides: expected a dict {'section.key': value} or a list of 'section.key=value' "
                           "strings");
    out.push_back(item.cast<std::string>());
  }
  return out;
}

}  // namespace nnfield::python
