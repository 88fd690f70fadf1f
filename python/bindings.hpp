#pragma once
// The Python module `nnfield` (docs/python.md). One add_xxx(module) per area, each in
// its own bind_xxx.cpp; module.cpp calls them in order. Helpers shared by the areas:
// argument checking (shapes and dtypes are validated here, before any C++ call, so a
// bad argument is a Python exception and never a crash) and arrays returned to Python.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nnfield/core/activation.hpp"
#include "nnfield/core/loss.hpp"
#include "nnfield/core/shape.hpp"
#include "nnfield/numerics/statistics.hpp"

namespace nnfield::python {

namespace py = pybind11;

// A float64, C-contiguous array (owned or a view of the caller's, no copy when it
// already is one).
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

void add_errors(py::module_& m);    // exception types and the C++ -> Python translation
void add_core(py::module_& m);      // Model, load, version
void add_run(py::module_& m);       // Run: the datasets of a run as numpy arrays
void add_network(py::module_& m);   // forward, gradient
void add_bbd(py::module_& m);       // to_bbd, from_bbd, velocities, kinematics, energy flow, Lagrangian
void add_correlators(py::module_& m);  // correlators.hpp; nnfield.direct: the direct sums
void add_mean_field(py::module_& m);   // MeanField, critical_sigma_w (mean_field.hpp)
void add_propagation(py::module_& m);  // propagate: long-range order across depth (propagation.hpp)
void add_statistics(py::module_& m);   // jackknife, bootstrap, their means, column_means_and_errors
void add_ensemble(py::module_& m);     // run_ensemble, parse_seed_list (ensemble.hpp)
void add_compare(py::module_& m);      // compare: the field limit against networks (compare.hpp)
// Last: every function's docstring in the form inspect.signature reads (signatures.cpp).
void add_text_signatures(py::module_& m);

// ---- arguments ----------------------------------------------------------------

// `value` as a float64 C-contiguous array. TypeError (naming `name`) unless it is a
// real number array (bool, integer, float) or something numpy converts to one.
DoubleArray to_double_array(const py::handle& value, const std::string& name);

// A file name: str or os.PathLike (TypeError naming `name` otherwise).
std::string path_argument(const py::handle& value, const std::string& name);

// Model-file overrides as `--set` strings: a dict {"section.key": value} (values written as
// TOML: bool, int, float, str, list/tuple, dict, numpy scalars and arrays) or a list of
// "section.key=value" strings; None: empty. TypeError naming the key otherwise (overrides.cpp).
std::vector<std::string> override_list(const py::object& overrides);

// Numbers: ValueError naming `name` unless positive (finite), non-negative (finite),
// lo <= v <= hi, a non-negative seed, or a correlation in [-1, 1]. Return the value.
double positive_argument(double v, const std::string& name);
double non_negative_argument(double v, const std::string& name);
void require_range(long long v, long long lo, long long hi, const std::string& name);
std::uint64_t seed_argument(long long v, const std::string& name);
double correlation_argument(double c, const std::string& name);

ErrorMethod error_method_argument(const std::string& name);  // "jackknife" | "bootstrap"; ValueError otherwise

// `work(stop)` on a worker thread while this thread, with the GIL released, waits and
// answers signals: Ctrl-C sets stop. Once the worker has returned: the Python exception
// a signal raised (KeyboardInterrupt), if any; an exception from `work` is left in
// `error` (interruptible.cpp).
std::optional<py::error_already_set> run_answering_signals(
    const std::function<void(const std::atomic<bool>& stop)>& work, std::exception_ptr& error);

// run_answering_signals, then raises the signal's exception, else the one from `work`.
void run_interruptible(const std::function<void(const std::atomic<bool>& stop)>& work);

// "(3, 4)"
std::string shape_text(const std::vector<py::ssize_t>& shape);
std::string shape_text(const py::array& a);

// Shape of the network from W (M, N, K): ValueError naming W unless 3D, M, N >= 1,
// K = 2r+1 odd and K <= N.
NetworkShape shape_from_weights(const DoubleArray& W);

// ValueError "<name>: expected shape <expected_text> = <expected>, got <shape>".
void require_shape(const DoubleArray& a, const std::string& name, const std::vector<py::ssize_t>& expected,
                   const std::string& expected_text);

// Samples X of width N: (N,) for one sample or (B, N) with B >= 1. Returns B;
// `batched` says which. ValueError naming `name` otherwise.
int require_samples(const DoubleArray& X, const std::string& name, int N, bool& batched);

Activation activation_argument(const std::string& name);  // ValueError listing the valid names
Loss loss_argument(const std::string& name);

// ---- results --------------------------------------------------------------------

// A new numpy array that owns `data` (moved, not copied).
py::array_t<double> adopt(std::vector<double>&& data, const std::vector<std::size_t>& shape);
// A new numpy array holding a copy of `data`: of `shape`, or 1-D.
py::array_t<double> copy_array(const std::vector<double>& data, const std::vector<std::size_t>& shape);
py::array_t<double> copy_array(const std::vector<double>& data);

// A read-only view of memory owned by `owner` (kept alive as the array's base).
py::array_t<double> view(const double* data, const std::vector<std::size_t>& shape, const py::handle& owner);

}  // namespace nnfield::python
