// A network on several threads (Network::set_threads) gives the same numbers to the last
// bit as on one: the loss, every gradient, dl/dX, dl/dY, the neurons, and the weights after
// a few SGD steps, for 1, 2 and 3 threads, batches that split evenly and unevenly, every
// fan-in kernel (K = 3, 5, 7 and a general K) and both losses.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "nnfield/core/network.hpp"
#include "support.hpp"

using namespace nnfield;

namespace {

// Everything a training step produces, after `steps` SGD steps from the same start.
struct Trace {
  std::vector<double> losses, grad, gX, gY, neurons, q;
};

Trace train(const NetworkShape& shape, Activation act, Loss loss, int B, unsigned threads, int steps) {
  Network net(shape, act, loss);
  net.set_threads(threads);
  const std::size_t nw = shape.num_weights();
  Trace t;
  t.q = test::normal_vector(shape.num_params(), 0.6, 21);
  const std::vector<double> X = test::normal_vector(std::size_t(B) * shape.N, 1.0, 22);
  std::vector<double> Y = test::normal_vector(X.size(), 1.0, 23);
  if (loss == Loss::logistic)
    for (double& y : Y) y = y > 0 ? 1.0 : 0.0;
  t.grad.resize(t.q.size());
  t.gX.resize(X.size());
  t.gY.resize(X.size());
  for (int k = 0; k < steps; ++k) {
    t.losses.push_back(net.value_and_gradient(t.q.data(), t.q.data() + nw, X.data(), Y.data(), B, t.grad.data(),
                                              t.grad.data() + nw, t.gX.data(), t.gY.data()));
    for (std::size_t j = 0; j < t.q.size(); ++j) t.q[j] -= 0.05 * t.grad[j];
  }
  net.forward(t.q.data(), t.q.data() + nw, X.data(), B);
  t.losses.push_back(net.loss(Y.data()));
  t.neurons.resize(std::size_t(shape.M) * shape.N);
  net.neurons(B - 1, t.neurons.data());
  return t;
}

bool bitwise_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("a network gives the same bits on 1, 2 and 3 threads", "[network][threads]") {
  // Large enough that the batch is split: M N K B at least the 65536 link terms below which
  // a Network stays on the calling thread (kMinTermsForThreads, src/core/network.cpp).
  const NetworkShape shapes[] = {{8, 80, 1}, {5, 72, 2}, {4, 64, 3}, {3, 80, 4}};
  for (const NetworkShape& shape : shapes)
    for (int B : {64, 37})
      for (Loss loss : {Loss::mse, Loss::logistic}) {
        const Activation act = loss == Loss::mse ? Activation::tanh : Activation::gelu;
        INFO("M " << shape.M << " N " << shape.N << " r " << shape.r << " B " << B << " loss " << loss_name(loss));
        REQUIRE(double(shape.num_weights()) * B >= 65536.0);
        const Trace one = train(shape, act, loss, B, 1, 3);
        for (unsigned threads : {2u, 3u}) {
          INFO(threads << " threads");
          const Trace many = train(shape, act, loss, B, threads, 3);
          CHECK(bitwise_equal(one.losses, many.losses));
          CHECK(bitwise_equal(one.grad, many.grad));
          CHECK(bitwise_equal(one.gX, many.gX));
          CHECK(bitwise_equal(one.gY, many.gY));
          CHECK(bitwise_equal(one.neurons, many.neurons));
          CHECK(bitwise_equal(one.q, many.q));
        }
      }
}

TEST_CASE("a training step that keeps no hidden neurons gives the same bits", "[network][threads]") {
  const NetworkShape shape{5, 72, 2};
  const int B = 37;
  const std::size_t nw = shape.num_weights();
  const std::vector<double> q = test::normal_vector(shape.num_params(), 0.6, 31);
  const std::vector<double> X = test::normal_vector(std::size_t(B) * shape.N, 1.0, 32);
  const std::vector<double> Y = test::normal_vector(X.size(), 1.0, 33);
  std::vector<double> reference;  // keeping no neurons, one thread
  for (int keep = 0; keep < 2; ++keep)
    for (unsigned threads : {1u, 2u}) {
      Network net(shape, Activation::tanh, Loss::mse);
      net.set_threads(threads);
      net.keep_neurons(keep == 1);
      std::vector<double> g(q.size()), gX(X.size()), Z(X.size());
      const double l =
          net.value_and_gradient(q.data(), q.data() + nw, X.data(), Y.data(), B, g.data(), g.data() + nw, gX.data());
      net.output(Z.data());
      std::vector<double> all{l};
      for (const auto* v : {&g, &gX, &Z}) all.insert(all.end(), v->begin(), v->end());
      if (reference.empty()) reference = all;
      INFO("keep_neurons " << keep << ", " << threads << " threads");
      CHECK(bitwise_equal(reference, all));
    }
}
