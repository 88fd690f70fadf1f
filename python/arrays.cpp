// Argument checking and numpy results shared by the bindings (bindings.hpp).
#include <cmath>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "bindings.hpp"

namespace nnfield::python {

DoubleArray to_double_array(const py::handle& value, const std::string& name) {
  if (value.is_none()) throw py::type_error(name + ": expected an array of real numbers, got None");
  // Through numpy so that the check sees the dtype the value would have: lists of
  // numbers are fine, strings, objects and complex numbers are refused (forcecast
  // would drop the imaginary part or fail with a message that does not name the argument).
  py::object numpy = py::module_::import("numpy");
  py::array a;
  try {
    a = numpy.attr("asarray")(value);
  } catch (py::error_already_set& e) {
    throw py::type_error(name + ": expected an array of real numbers (" + std::string(e.what()) + ")");
  }
  const char kind = a.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b')
    throw py::type_error(name + ": expected an array of real numbers (float64), got dtype " +
                         std::string(py::str(a.dtype())));
  return DoubleArray::ensure(a);  // no copy for a float64 C-contiguous array
}

std::string path_argument(const py::handle& value, const std::string& name) {
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  try {
    py::object p = py::module_::import("os").attr("fspath")(value);
    if (py::isinstance<py::str>(p)) return p.cast<std::string>();
  } catch (py::error_already_set&) {
  }
  throw py::type_error(name + ": expected a path (str or os.PathLike), got " +
                       std::string(py::str(value.get_type().attr("__name__"))));
}

std::string shape_text(const std::vector<py::ssize_t>& shape) {
  std::ostringstream out;
  out << '(';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  if (shape.size() == 1) out << ',';
  out << ')';
  return out.str();
}

std::string shape_text(const py::array& a) {
  return shape_text(std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim()));
}

NetworkShape shape_from_weights(const DoubleArray& W) {
  if (W.ndim() != 3) throw py::value_error("W: expected shape (M, N, K), got " + shape_text(W));
  NetworkShape s;
  const py::ssize_t M = W.shape(0), N = W.shape(1), K = W.shape(2);
  if (M < 1 || N < 1 || K < 1)
    throw py::value_error("W: expected shape (M, N, K) with M, N, K >= 1, got " + shape_text(W));
  if (K % 2 == 0)
    throw py::value_error("W: expected shape (M, N, K) with an odd fan-in K = 2r+1, got " + shape_text(W));
  if (K > N)
    throw py::value_error("W: the fan-in K = 2r+1 = " + std::to_string(K) + " must not exceed the width N = " +
                          std::to_string(N) + " (r < N/2), got " + shape_text(W));
  if (M > (1 << 24) || N > (1 << 24))
    throw py::value_error("W: shape " + shape_text(W) + " is too large");
  s.M = int(M);
  s.N = int(N);
  s.r = int((K - 1) / 2);
  return s;
}

void require_shape(const DoubleArray& a, const std::string& name, const std::vector<py::ssize_t>& expected,
                   const std::string& expected_text) {
  const std::vector<py::ssize_t> got(a.shape(), a.shape() + a.ndim());
  if (got != expected)
    throw py::value_error(name + ": expected shape " + expected_text + " = " + shape_text(expected) + ", got " +
                          shape_text(got));
}

int require_samples(const DoubleArray& X, const std::string& name, int N, bool& batched) {
  if (X.ndim() == 1 && X.shape(0) == N) {
    batched = false;
    return 1;
  }
  if (X.ndim() == 2 && X.shape(1) == N && X.shape(0) >= 1 && X.shape(0) <= (1 << 30)) {
    batched = true;
    return int(X.shape(0));
  }
  throw py::value_error(name + ": expected shape (N,) or (B, N) with N = " + std::to_string(N) + " and B >= 1, got " +
                        shape_text(X));
}

Activation activation_argument(const std::string& name) {
  try {
    return activation_from_name(name);
  } catch (const std::invalid_argument& e) {
    throw py::value_error(e.what());
  }
}

Loss loss_argument(const std::string& name) {
  try {
    return loss_from_name(name);
  } catch (const std::invalid_argument& e) {
    throw py::value_error(e.what());
  }
}

double positive_argument(double v, const std::string& name) {
  if (!(v > 0.0) || !std::isfinite(v)) throw py::value_error(name + ": expected a positive number, got " + std::to_string(v));
  return v;
}

double non_negative_argument(double v, const std::string& name) {
  if (!(v >= 0.0) || !std::isfinite(v))
    throw py::value_error(name + ": expected a non-negative number, got " + std::to_string(v));
  return v;
}

void require_range(long long v, long long lo, long long hi, const std::string& name) {
  if (v < lo || v > hi)
    throw py::value_error(name + ": expected " + std::to_string(lo) + " <= " + name + " <= " + std::to_string(hi) +
                          ", got " + std::to_string(v));
}

std::uint64_t seed_argument(long long v, const std::string& name) {
  if (v < 0) throw py::value_error(name + ": expected a non-negative integer, got " + std::to_string(v));
  return std::uint64_t(v);
}

double correlation_argument(double c, const std::string& name) {
  if (!(c >= -1.0 && c <= 1.0)) throw py::value_error(name + ": expected a correlation in [-1, 1], got " + std::to_string(c));
  return c;
}

ErrorMethod error_method_argument(const std::string& name) {
  try {
    return error_method_from_name(name);
  } catch (const std::invalid_argument& e) {
    throw py::value_error(std::string("error: ") + e.what());
  }
}

namespace {
std::vector<py::ssize_t> strides_of(const std::vector<std::size_t>& shape) {
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t stride = sizeof(double);
  for (std::size_t d = shape.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= py::ssize_t(shape[d]);
  }
  return strides;
}
}  // namespace

py::array_t<double> adopt(std::vector<double>&& data, const std::vector<std::size_t>& shape) {
  auto* owned = new std::vector<double>(std::move(data));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<double>*>(p); });
  const std::vector<py::ssize_t> dims(shape.begin(), shape.end());
  return py::array_t<double>(dims, strides_of(shape), owned->data(), owner);
}

py::array_t<double> copy_array(const std::vector<double>& data, const std::vector<std::size_t>& shape) {
  return adopt(std::vector<double>(data), shape);
}

py::array_t<double> copy_array(const std::vector<double>& data) { return copy_array(data, {data.size()}); }

py::array_t<double> view(const double* data, const std::vector<std::size_t>& shape, const py::handle& owner) {
  const std::vector<py::ssize_t> dims(shape.begin(), shape.end());
  // pybind11 takes a mutable pointer; the array is made read-only straight away.
  py::array_t<double> a(dims, strides_of(shape), const_cast<double*>(data), owner);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

}  // namespace nnfield::python
