// Mean-field theory of signal propagation (docs/theory.md section 5; mean_field.hpp): MeanField and
// critical_sigma_w on Python numbers.
#include <cmath>
#include <stdexcept>

#include "bindings.hpp"
#include "nnfield/analysis/mean_field.hpp"

namespace nnfield::python {

namespace {

int order_argument(int order) {
  require_range(order, 2, 1000, "order");
  return order;
}

struct PyMeanField {
  Activation activation;
  double sigma_w, sigma_b;
  int order;
  MeanField mf;
  PyMeanField(const std::string& a, double sw, double sb, int o)
      : activation(activation_argument(a)),
        sigma_w(positive_argument(sw, "sigma_w")),
        sigma_b(non_negative_argument(sb, "sigma_b")),
        order(order_argument(o)),
        mf(activation, sigma_w, sigma_b, order) {}
};

double q_argument(double q) { return non_negative_argument(q, "q"); }

py::dict point_dict(const MeanFieldPoint& p) {
  py::dict d;
  d["q_star"] = p.q_star;
  d["chi_1"] = p.chi_1;
  d["c_star"] = p.c_star;
  d["chi_c"] = p.chi_c;
  d["xi_c"] = p.xi_c;
  d["chi_q"] = p.chi_q;
  d["xi_q"] = p.xi_q;
  d["phase"] = p.ordered() ? "ordered" : "chaotic";
  return d;
}

void add_critical_sigma_w(py::module_& m) {
  m.def(
      "critical_sigma_w",
      [](const std::string& a, double sigma_b, double q0, double lo, double hi, int order) {
        const Activation act = activation_argument(a);
        non_negative_argument(sigma_b, "sigma_b");
        positive_argument(q0, "q0");
        positive_argument(lo, "lo");
        positive_argument(hi, "hi");
        if (!(lo < hi)) throw py::value_error("lo, hi: expected lo < hi");
        order_argument(order);
        try {
          return critical_sigma_w(act, sigma_b, q0, lo, hi, order);
        } catch (const std::domain_error& e) {
          throw py::value_error(e.what());
        }
      },
      py::arg("activation"), py::arg("sigma_b"), py::arg("q0") = 1.0, py::arg("lo") = 0.05, py::arg("hi") = 20.0,
      py::arg("order") = int(MeanField::default_order),
      "sigma_w on the order-to-chaos line chi_1(q*) = 1 (ValueError when there is none in [lo, hi]).");
}

}  // namespace

void add_mean_field(py::module_& m) {
  py::class_<PyMeanField>(m, "MeanField", R"doc(
Mean-field theory of signal propagation through random networks (docs/theory.md section 5;
scripts/meanfield.py is its Python twin): W ~ N(0, sigma_w^2/K), b ~ N(0, sigma_b^2).

    mf = nnfield.MeanField("tanh", sigma_w=1.5, sigma_b=0.3)
    mf.depth_scale(q0=1.0, c0=0.5)["xi_c"]
    q, c = mf.trajectory(q0=1.0, c0=0.5, M=32)     # (M,) each, layer m in row m-1)doc")
      .def(py::init<const std::string&, double, double, int>(), py::arg("activation"), py::arg("sigma_w"),
           py::arg("sigma_b"), py::arg("order") = int(MeanField::default_order),
           "order: Gauss-Hermite quadrature points (2..1000).")
      .def_property_readonly("activation", [](const PyMeanField& f) { return activation_name(f.activation); })
      .def_readonly("sigma_w", &PyMeanField::sigma_w)
      .def_readonly("sigma_b", &PyMeanField::sigma_b)
      .def_readonly("order", &PyMeanField::order)
      .def("q_map", [](const PyMeanField& f, double q) { return f.mf.q_map(q_argument(q)); }, py::arg("q"),
           "q' = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2")
      .def(
          "q_star", [](const PyMeanField& f, double q) { return f.mf.q_star(q_argument(q)); }, py::arg("q_start"),
          "The fixed point the q recursion reaches from q_start (ValueError when q diverges).")
      .def("chi_1", [](const PyMeanField& f, double q) { return f.mf.chi_1(q_argument(q)); }, py::arg("q"),
           "sigma_w^2 E[phi'(sqrt(q) z)^2]")
      .def("chi_q", [](const PyMeanField& f, double q) { return f.mf.chi_q(q_argument(q)); }, py::arg("q"),
           "The q map's slope.")
      .def(
          "c_map", [](const PyMeanField& f, double q, double c) { return f.mf.c_map(q_argument(q), correlation_argument(c, "c")); },
          py::arg("q"), py::arg("c"), "c' = (sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2) / q")
      .def(
          "chi_c", [](const PyMeanField& f, double q, double c) { return f.mf.chi_c(q_argument(q), correlation_argument(c, "c")); },
          py::arg("q"), py::arg("c"), "sigma_w^2 E[phi'(u1) phi'(u2)]: the c map's slope.")
      .def(
          "c_star",
          [](const PyMeanField& f, double q, double c) {
            return f.mf.c_star(q_argument(q), correlation_argument(c, "c_start"));
          },
          py::arg("q"), py::arg("c_start"), "The fixed point the c recursion at length q reaches from c_start.")
      .def(
          "depth_scale",
          [](const PyMeanField& f, double q0, double c0) {
            return point_dict(f.mf.depth_scale(positive_argument(q0, "q0"), correlation_argument(c0, "c0")));
          },
          py::arg("q0") = 1.0, py::arg("c0") = 0.5,
          "dict: q_star, chi_1, c_star, chi_c, xi_c, chi_q, xi_q (inf when chi >= 1), phase ('ordered'/'chaotic').")
      .def(
          "trajectory",
          [](const PyMeanField& f, double q0, double c0, int M) {
            positive_argument(q0, "q0");
            correlation_argument(c0, "c0");
            require_range(M, 1, 1 << 24, "M");
            std::vector<double> q, c;
            f.mf.trajectory(q0, c0, M, q, c);
            return py::make_tuple(adopt(std::move(q), {std::size_t(M)}), adopt(std::move(c), {std::size_t(M)}));
          },
          py::arg("q0"), py::arg("c0"), py::arg("M"),
          "(q, c), each (M,): the layer-by-layer recursion for a pair of inputs, m = 1..M in row m-1.")
      .def("__repr__", [](const PyMeanField& f) {
        return "<nnfield.MeanField " + activation_name(f.activation) + " sigma_w=" + std::to_string(f.sigma_w) +
               " sigma_b=" + std::to_string(f.sigma_b) + ">";
      });
  add_critical_sigma_w(m);
}

}  // namespace nnfield::python
