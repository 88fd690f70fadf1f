// The discrete network (docs/theory.md section 1): forward pass and gradients on numpy arrays.
#include "bindings.hpp"
#include "nnfield/core/network.hpp"

namespace nnfield::python {

namespace {

struct Arguments {
  DoubleArray W, b, X;
  NetworkShape shape;
  int B = 1;
  bool batched = false;
};

// W (M,N,K), b (M,N), X (N,) or (B,N): checked in that order, each error naming its argument.
Arguments network_arguments(const py::object& W, const py::object& b, const py::object& X) {
  Arguments a;
  a.W = to_double_array(W, "W");
  a.shape = shape_from_weights(a.W);
  a.b = to_double_array(b, "b");
  require_shape(a.b, "b", {a.shape.M, a.shape.N}, "(M, N)");
  a.X = to_double_array(X, "X");
  a.B = require_samples(a.X, "X", a.shape.N, a.batched);
  return a;
}

std::vector<std::size_t> samples_shape(const Arguments& a, std::vector<std::size_t> row) {
  if (a.batched) row.insert(row.begin(), std::size_t(a.B));
  return row;
}

py::tuple forward(const py::object& W, const py::object& b, const py::object& X, const std::string& activation) {
  const Arguments a = network_arguments(W, b, X);
  const Activation act = activation_argument(activation);
  const std::size_t M = std::size_t(a.shape.M), N = std::size_t(a.shape.N), B = std::size_t(a.B);
  std::vector<double> Z(B * N), z(B * M * N);
  {
    py::gil_scoped_release release;
    Network network(a.shape, act, Loss::mse);
    network.forward(a.W.data(), a.b.data(), a.X.data(), a.B);
    network.output(Z.data());
    for (std::size_t s = 0; s < B; ++s) network.neurons(int(s), z.data() + s * M * N);
  }
  return py::make_tuple(adopt(std::move(Z), samples_shape(a, {N})), adopt(std::move(z), samples_shape(a, {M, N})));
}

py::dict gradient(const py::object& W, const py::object& b, const py::object& X, const py::object& Y,
                  const std::string& activation, const std::string& loss) {
  const Arguments a = network_arguments(W, b, X);
  const DoubleArray y = to_double_array(Y, "Y");
  require_shape(y, "Y", std::vector<py::ssize_t>(a.X.shape(), a.X.shape() + a.X.ndim()),
                a.batched ? "(B, N) as X" : "(N,) as X");
  const Activation act = activation_argument(activation);
  const Loss kind = loss_argument(loss);
  const NetworkShape& s = a.shape;
  const std::size_t samples = std::size_t(a.B) * std::size_t(s.N);
  std::vector<double> gW(s.num_weights()), gb(s.num_biases()), gX(samples), gY(samples);
  double value = 0.0;
  {
    py::gil_scoped_release release;
    Network network(s, act, kind);
    value = network.value_and_gradient(a.W.data(), a.b.data(), a.X.data(), y.data(), a.B, gW.data(), gb.data(),
                                       gX.data(), gY.data());
  }
  const std::size_t M = std::size_t(s.M), N = std::size_t(s.N), K = std::size_t(s.K());
  py::dict out;
  out["loss"] = value;
  out["W"] = adopt(std::move(gW), {M, N, K});
  out["b"] = adopt(std::move(gb), {M, N});
  out["X"] = adopt(std::move(gX), samples_shape(a, {N}));
  out["Y"] = adopt(std::move(gY), samples_shape(a, {N}));
  return out;
}

}  // namespace

void add_network(py::module_& m) {
  m.def("forward", &forward, py::arg("W"), py::arg("b"), py::arg("X"), py::arg("activation") = "tanh",
        R"doc(Forward pass of the locally connected network (docs/theory.md section 1, Eq. 1).

W (M, N, K), b (M, N), X (N,) for one sample or (B, N) for a batch. Returns (Z, z):
the output Z, (N,) or (B, N), and the neurons z^(1..M), (M, N) or (B, M, N), row m-1
holding z^(m) (z[..., M-1, :] is Z).)doc");
  m.def("gradient", &gradient, py::arg("W"), py::arg("b"), py::arg("X"), py::arg("Y"),
        py::arg("activation") = "tanh", py::arg("loss") = "mse",
        R"doc(Loss and gradients (backpropagation). The loss of a batch is the mean over samples of
sum_i l_i(Z_i, Y_i). Returns a dict: 'loss' (float), 'W' = dl/dW (M, N, K), 'b' = dl/db
(M, N), 'X' = dl/dX and 'Y' = dl/dY (shaped as X and Y).)doc");
}

}  // namespace nnfield::python
