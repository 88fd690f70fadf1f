// The network's forward pass, loss, gradients and SGD trajectory against an independent
// float64 PyTorch autograd reference (tests/data/torch_reference.h5, made by
// scripts/make_torch_reference.py; see its docstring for the layout).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "nnfield/core/activation.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/core/loss.hpp"
#include "nnfield/core/network.hpp"
#include "nnfield/core/shape.hpp"

#ifndef NNFIELD_TEST_DATA_DIR  // defined by tests/CMakeLists.txt
#define NNFIELD_TEST_DATA_DIR "tests/data"
#endif

namespace {

const double kRelTol = 1e-12;

std::string reference_file() { return std::string(NNFIELD_TEST_DATA_DIR) + "/torch_reference.h5"; }

const std::vector<std::string>& reference_cases() {
  static const std::vector<std::string> cases = {
      "tanh", "sigmoid", "softplus", "erf", "sin", "gelu", "tanh_logistic", "tanh_r1_batch1"};
  return cases;
}

int int_attribute(const std::string& file, const std::string& group, const std::string& name) {
  const double v = nnfield::h5_read_double_attribute(file, group, name);
  REQUIRE(v == std::round(v));
  return static_cast<int>(std::lround(v));
}

// max|a - ref| / max|ref|
double relative_error(const std::vector<double>& a, const std::vector<double>& ref) {
  REQUIRE(a.size() == ref.size());
  double diff = 0.0, scale = 0.0;
  for (std::size_t n = 0; n < ref.size(); ++n) {
    diff = std::max(diff, std::abs(a[n] - ref[n]));
    scale = std::max(scale, std::abs(ref[n]));
  }
  return scale > 0.0 ? diff / scale : diff;
}

void check_close(const std::string& what, const std::vector<double>& a,
                 const std::vector<double>& ref) {
  const double err = relative_error(a, ref);
  INFO(what << ": max|a-ref|/max|ref| = " << err);
  CHECK(err <= kRelTol);
}

struct Reference {
  nnfield::NetworkShape shape;
  int B = 0, steps = 0, S = 0;
  double eta = 0.0;
  std::string activation, loss;
  std::vector<double> W0, b0, X, Y, Z0, grad_W0, grad_b0, grad_X0, losses, W_final, b_final;
  double loss0 = 0.0;
  std::vector<long long> batches;  // (steps, B)
};

nnfield::Array read_array(const std::string& file, const std::string& name,
                          const std::vector<std::size_t>& expected_shape) {
  nnfield::Array a = nnfield::h5_read(file, name);
  INFO("dataset " << name);
  REQUIRE(a.shape == expected_shape);
  return a;
}

Reference load_reference(const std::string& name) {
  const std::string file = reference_file();
  const std::string g = "/" + name;
  Reference ref;
  ref.shape.M = int_attribute(file, g, "M");
  ref.shape.N = int_attribute(file, g, "N");
  ref.shape.r = int_attribute(file, g, "r");
  ref.B = int_attribute(file, g, "B");
  ref.steps = int_attribute(file, g, "steps");
  ref.eta = nnfield::h5_read_double_attribute(file, g, "eta");
  ref.activation = nnfield::h5_read_string_attribute(file, g, "activation");
  ref.loss = nnfield::h5_read_string_attribute(file, g, "loss");

  const std::size_t M = std::size_t(ref.shape.M), N = std::size_t(ref.shape.N);
  const std::size_t K = std::size_t(ref.shape.K()), B = std::size_t(ref.B);
  const std::size_t steps = std::size_t(ref.steps);

  ref.W0 = read_array(file, g + "/W0", {M, N, K}).data;
  ref.b0 = read_array(file, g + "/b0", {M, N}).data;
  nnfield::Array X = nnfield::h5_read(file, g + "/X");
  REQUIRE(X.shape.size() == 2);
  REQUIRE(X.shape[1] == N);
  ref.S = int(X.shape[0]);
  ref.X = X.data;
  ref.Y = read_array(file, g + "/Y", {std::size_t(ref.S), N}).data;
  ref.Z0 = read_array(file, g + "/Z0", {B, N}).data;
  ref.loss0 = read_array(file, g + "/loss0", {1}).data.at(0);
  ref.grad_W0 = read_array(file, g + "/grad_W0", {M, N, K}).data;
  ref.grad_b0 = read_array(file, g + "/grad_b0", {M, N}).data;
  ref.grad_X0 = read_array(file, g + "/grad_X0", {B, N}).data;
  ref.losses = read_array(file, g + "/losses", {steps}).data;
  ref.W_final = read_array(file, g + "/W_final", {M, N, K}).data;
  ref.b_final = read_array(file, g + "/b_final", {M, N}).data;
  ref.batches = nnfield::h5_read_int(file, g + "/batches");
  REQUIRE(ref.batches.size() == steps * B);
  const bool indices_valid = std::all_of(ref.batches.begin(), ref.batches.end(),
                                         [&](long long s) { return s >= 0 && s < ref.S; });
  REQUIRE(indices_valid);
  return ref;
}

// Rows batches[step, :] of a (S, N) array into a contiguous (B, N) buffer.
void gather_batch(const Reference& ref, const std::vector<double>& src, int step,
                  std::vector<double>& dst) {
  const std::size_t N = std::size_t(ref.shape.N);
  dst.resize(std::size_t(ref.B) * N);
  for (int s = 0; s < ref.B; ++s) {
    const std::size_t row = std::size_t(ref.batches[std::size_t(step) * std::size_t(ref.B) + std::size_t(s)]);
    std::copy(src.begin() + std::ptrdiff_t(row * N), src.begin() + std::ptrdiff_t((row + 1) * N),
              dst.begin() + std::ptrdiff_t(std::size_t(s) * N));
  }
}

}  // namespace

TEST_CASE("torch reference: file lists the expected cases", "[network][torch_reference]") {
  const std::string listed = nnfield::h5_read_string_attribute(reference_file(), "/", "cases");
  std::vector<std::string> names;
  std::stringstream ss(listed);
  for (std::string item; std::getline(ss, item, ',');) names.push_back(item);
  CHECK(names == reference_cases());
}

TEST_CASE("torch reference: forward, loss and gradients of batch 0", "[network][torch_reference]") {
  const std::string name = GENERATE(from_range(reference_cases()));
  INFO("case " << name);
  const Reference ref = load_reference(name);
  nnfield::Network net(ref.shape, nnfield::activation_from_name(ref.activation),
                       nnfield::loss_from_name(ref.loss));

  std::vector<double> X, Y;
  gather_batch(ref, ref.X, 0, X);
  gather_batch(ref, ref.Y, 0, Y);

  // forward alone
  net.forward(ref.W0.data(), ref.b0.data(), X.data(), ref.B);
  std::vector<double> Z(std::size_t(ref.B) * std::size_t(ref.shape.N));
  net.output(Z.data());
  check_close("Z0", Z, ref.Z0);
  const double loss_fwd = net.loss(Y.data());
  INFO("loss (forward) " << loss_fwd << " vs reference " << ref.loss0);
  CHECK(std::abs(loss_fwd - ref.loss0) <= kRelTol * std::abs(ref.loss0));

  // forward + backward
  std::vector<double> gW(ref.shape.num_weights()), gb(ref.shape.num_biases()), gX(X.size());
  const double loss = net.value_and_gradient(ref.W0.data(), ref.b0.data(), X.data(), Y.data(),
                                             ref.B, gW.data(), gb.data(), gX.data());
  INFO("loss (value_and_gradient) " << loss << " vs reference " << ref.loss0);
  CHECK(std::abs(loss - ref.loss0) <= kRelTol * std::abs(ref.loss0));
  check_close("grad_W0", gW, ref.grad_W0);
  check_close("grad_b0", gb, ref.grad_b0);
  check_close("grad_X0", gX, ref.grad_X0);
}

TEST_CASE("torch reference: SGD trajectory", "[network][torch_reference][sgd]") {
  const std::string name = GENERATE(from_range(reference_cases()));
  INFO("case " << name);
  const Reference ref = load_reference(name);
  nnfield::Network net(ref.shape, nnfield::activation_from_name(ref.activation),
                       nnfield::loss_from_name(ref.loss));

  std::vector<double> W = ref.W0, b = ref.b0;
  std::vector<double> gW(W.size()), gb(b.size()), X, Y;
  double worst_loss_error = 0.0;
  int worst_step = -1;
  for (int t = 0; t < ref.steps; ++t) {
    gather_batch(ref, ref.X, t, X);
    gather_batch(ref, ref.Y, t, Y);
    const double loss =
        net.value_and_gradient(W.data(), b.data(), X.data(), Y.data(), ref.B, gW.data(), gb.data());
    const double err = std::abs(loss - ref.losses[std::size_t(t)]) / std::abs(ref.losses[std::size_t(t)]);
    if (!std::isnan(worst_loss_error) && !(err <= worst_loss_error)) {  // a NaN sticks
      worst_loss_error = err;
      worst_step = t;
    }
    for (std::size_t n = 0; n < W.size(); ++n) W[n] -= ref.eta * gW[n];
    for (std::size_t n = 0; n < b.size(); ++n) b[n] -= ref.eta * gb[n];
  }
  INFO("worst per-step loss relative error " << worst_loss_error << " at step " << worst_step);
  CHECK(worst_loss_error <= kRelTol);
  check_close("W_final", W, ref.W_final);
  check_close("b_final", b, ref.b_final);
}
