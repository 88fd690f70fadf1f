// The Python module `nnfield` (docs/python.md): one add_xxx per area (bindings.hpp).
#include "bindings.hpp"

PYBIND11_MODULE(nnfield, m) {
  m.doc() = R"doc(nnfield: lattice field theory of neural-network training (docs/python.md).

Arrays are float64 numpy arrays in the canonical index order (docs/theory.md section 1):
W (M, N, K), b (M, N), X (N,) or (B, N), neurons z (M, N) with row m-1 holding z^(m). Errors from the C++ library keep
their messages: ConfigError (ValueError), UnknownKeyError (KeyError), OSError for HDF5.)doc";
  nnfield::python::add_errors(m);
  nnfield::python::add_core(m);
  nnfield::python::add_run(m);
  nnfield::python::add_network(m);
  nnfield::python::add_bbd(m);
  nnfield::python::add_correlators(m);
  nnfield::python::add_mean_field(m);
  nnfield::python::add_propagation(m);
  nnfield::python::add_statistics(m);
  nnfield::python::add_ensemble(m);
  nnfield::python::add_compare(m);
  nnfield::python::add_text_signatures(m);
}
