// inspect.signature for the module's functions and methods. pybind11 (2.10) writes each
// function's signature as the first line of its docstring ("forward(W: object, b: object,
// X: object, activation: str = 'tanh') -> tuple"), which inspect cannot read: CPython reads a
// builtin's signature only from a docstring that starts "name(params)\n--\n\n" (the
// __text_signature__ convention of Argument Clinic). This pass rewrites every function's
// docstring into that form once the module is complete: the parameter names with their
// defaults (annotations stay in the stub file nnfield.pyi); the rest of the docstring is
// unchanged. Methods keep a plain `self` (not Argument Clinic's "$self": pybind11's functions
// are bound to a capsule, so inspect would drop a "$self" and show methods without it). A
// function whose signature cannot be written that way (an overload set, a default without a
// literal repr) keeps its docstring as it was; python/tests/test_stubs.py finds it.
#include <Python.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"

namespace nnfield::python {

namespace {

// The top-level comma-separated parts of `text` (brackets and quotes nest).
std::vector<std::string> split_top_level(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 0) {
      parts.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  if (!current.empty()) parts.push_back(current);
  return parts;
}

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

bool is_literal(const std::string& text) {
  try {
    py::module_::import("ast").attr("literal_eval")(text);
    return true;
  } catch (const py::error_already_set&) {
    return false;
  }
}

// "x: float = 0.5" -> "x=0.5"; "self: nnfield.Run" -> "self".
std::optional<std::string> text_parameter(const std::string& param) {
  const std::string p = trim(param);
  if (p == "*" || p.rfind("*args", 0) == 0 || p.rfind("**kwargs", 0) == 0) return p.substr(0, p.find(':'));
  const std::string name = trim(p.substr(0, p.find_first_of(":=")));
  const auto eq = p.find(" = ");
  if (eq == std::string::npos) return name;
  const std::string value = trim(p.substr(eq + 3));
  if (!is_literal(value)) return std::nullopt;
  return name + "=" + value;
}

// "(a, b=1)" from pybind11's first docstring line "name(a: int, b: int = 1) -> str".
std::optional<std::string> text_signature(const std::string& doc, const std::string& name) {
  if (doc.rfind(name + "(", 0) != 0) return std::nullopt;  // overloads: "name(*args, **kwargs)\nOverloaded..."
  const std::string line = doc.substr(0, doc.find('\n'));
  const auto open = name.size();
  const auto close = line.rfind(") -> ");
  if (close == std::string::npos || close < open) return std::nullopt;
  std::string out = "(";
  const std::vector<std::string> params = split_top_level(line.substr(open + 1, close - open - 1));
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::optional<std::string> p = text_parameter(params[i]);
    if (!p) return std::nullopt;
    out += (i ? ", " : "") + *p;
  }
  return out + ")";
}

// Rewrites the docstring of one pybind11 function (a PyCFunction whose PyMethodDef pybind11
// allocated: ml_doc is malloc'd and freed by pybind11 with std::free).
void rewrite(const py::handle& function, const std::string& name) {
  if (!PyCFunction_Check(function.ptr())) return;
  auto* f = reinterpret_cast<PyCFunctionObject*>(function.ptr());
  const char* doc = f->m_ml->ml_doc;
  if (doc == nullptr || std::strstr(doc, "\n--\n\n") != nullptr) return;
  const std::string text = doc;
  const std::optional<std::string> signature = text_signature(text, name);
  if (!signature) return;
  const auto body = text.find_first_not_of('\n', text.find('\n'));  // after pybind11's line
  const std::string rewritten = name + *signature + "\n--\n\n" + (body == std::string::npos ? "" : text.substr(body));
  std::free(const_cast<char*>(doc));
  f->m_ml->ml_doc = strdup(rewritten.c_str());
}

// A pybind11 method is an instancemethod around a PyCFunction; a static method a staticmethod.
void rewrite_class(const py::handle& cls) {
  py::dict members = cls.attr("__dict__").cast<py::dict>().attr("copy")();
  for (auto item : members) {
    const std::string name = item.first.cast<std::string>();
    py::handle value = item.second;
    if (PyInstanceMethod_Check(value.ptr())) {
      rewrite(PyInstanceMethod_GET_FUNCTION(value.ptr()), name);
    } else if (py::isinstance(value, py::module_::import("builtins").attr("staticmethod"))) {
      rewrite(value.attr("__func__"), name);
    }
  }
}

void rewrite_module(const py::module_& m) {
  for (auto item : m.attr("__dict__").cast<py::dict>()) {
    const std::string name = item.first.cast<std::string>();
    if (name.rfind("__", 0) == 0) continue;
    py::handle value = item.second;
    if (PyCFunction_Check(value.ptr())) {
      rewrite(value, name);
    } else if (PyType_Check(value.ptr()) && value.attr("__module__").cast<std::string>() == m.attr("__name__").cast<std::string>()) {
      rewrite_class(value);
    }
  }
}

}  // namespace

void add_text_signatures(py::module_& m) {
  rewrite_module(m);
  for (auto item : m.attr("__dict__").cast<py::dict>())
    if (py::isinstance<py::module_>(item.second)) rewrite_module(item.second.cast<py::module_>());
}

}  // namespace nnfield::python
