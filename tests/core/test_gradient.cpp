// Backpropagation against central finite differences, every activation and loss.
#include <catch2/catch.hpp>

#include <cstring>

#include "nnfield/core/activation.hpp"
#include "nnfield/core/network.hpp"
#include "support.hpp"

using namespace nnfield;

TEST_CASE("activation derivatives match finite differences and array kernels match scalars", "[network]") {
  for (const auto& name : activation_names()) {
    const Activation a = activation_from_name(name);
    std::vector<double> z;
    for (double x = -6.0; x <= 6.0; x += 0.37) z.push_back(x);
    std::vector<double> h(z.size()), dh(z.size()), d2(z.size());
    sigma_and_d1(a, z.data(), h.data(), dh.data(), z.size());
    sigma_d2(a, z.data(), d2.data(), z.size());
    const double eps = 1e-5;
    for (std::size_t i = 0; i < z.size(); ++i) {
      INFO(name << " at z = " << z[i]);
      CHECK(h[i] == Approx(sigma(a, z[i])).epsilon(1e-14).margin(1e-15));
      CHECK(dh[i] == Approx(sigma_d1(a, z[i])).epsilon(1e-13).margin(1e-15));
      const double fd1 = (sigma(a, z[i] + eps) - sigma(a, z[i] - eps)) / (2 * eps);
      const double fd2 = (sigma_d1(a, z[i] + eps) - sigma_d1(a, z[i] - eps)) / (2 * eps);
      CHECK(std::fabs(fd1 - sigma_d1(a, z[i])) < 1e-8);
      CHECK(std::fabs(fd2 - d2[i]) < 1e-8);
    }
  }
}

TEST_CASE("sigma' taken from sigma's value equals sigma_and_d1's to the last bit", "[network]") {
  // A network keeps h alone for these activations (Network::dsigma_rows); any length, so
  // that vector registers and the scalar remainder are both checked.
  for (const auto& name : activation_names()) {
    const Activation a = activation_from_name(name);
    if (!d1_from_value(a)) continue;
    for (std::size_t n : {1, 7, 8, 29, 64}) {
      INFO(name << ", n = " << n);
      const std::vector<double> z = test::normal_vector(n, 2.0, 40 + n);
      std::vector<double> h(n), d1(n), h2(n), d2(n);
      sigma_and_d1(a, z.data(), h.data(), d1.data(), n);
      sigma_values(a, z.data(), h2.data(), n);
      sigma_d1_of_value(a, h2.data(), d2.data(), n);
      CHECK(std::memcmp(h.data(), h2.data(), n * sizeof(double)) == 0);
      CHECK(std::memcmp(d1.data(), d2.data(), n * sizeof(double)) == 0);
    }
  }
}

TEST_CASE("backpropagation equals central finite differences (relative 1e-7)", "[network]") {
  const NetworkShape shape{3, 7, 2};
  const int B = 3;
  for (const auto& loss_name_ : loss_names())
    for (const auto& name : activation_names()) {
      INFO("activation " << name << ", loss " << loss_name_);
      const Loss loss = loss_from_name(loss_name_);
      Network net(shape, activation_from_name(name), loss);
      std::vector<double> q = test::normal_vector(shape.num_params(), 0.8, 11);
      const std::vector<double> X = test::normal_vector(std::size_t(B) * shape.N, 1.0, 12);
      std::vector<double> Y = test::normal_vector(X.size(), 1.0, 13);
      if (loss == Loss::logistic)
        for (auto& y : Y) y = 0.5 + 0.4 * std::tanh(y);
      const std::size_t nw = shape.num_weights();
      std::vector<double> g(q.size()), gX(X.size()), gY(X.size()), scratch(q.size());
      net.value_and_gradient(q.data(), q.data() + nw, X.data(), Y.data(), B, g.data(), g.data() + nw, gX.data(),
                             gY.data());

      auto loss_at = [&](const std::vector<double>& qq, const std::vector<double>& XX, const std::vector<double>& YY) {
        net.forward(qq.data(), qq.data() + nw, XX.data(), B);
        return net.loss(YY.data());
      };
      const double h = 1e-5;
      std::vector<double> fd(q.size());
      for (std::size_t j = 0; j < q.size(); ++j) {
        auto qp = q, qm = q;
        qp[j] += h;
        qm[j] -= h;
        fd[j] = (loss_at(qp, X, Y) - loss_at(qm, X, Y)) / (2 * h);
      }
      CHECK(test::max_abs_diff(fd.data(), g.data(), g.size()) <= 1e-7 * test::max_abs(g));
      std::vector<double> fdX(X.size()), fdY(X.size());
      for (std::size_t j = 0; j < X.size(); ++j) {
        auto Xp = X, Xm = X, Yp = Y, Ym = Y;
        Xp[j] += h;
        Xm[j] -= h;
        Yp[j] += h;
        Ym[j] -= h;
        fdX[j] = (loss_at(q, Xp, Y) - loss_at(q, Xm, Y)) / (2 * h);
        fdY[j] = (loss_at(q, X, Yp) - loss_at(q, X, Ym)) / (2 * h);
      }
      CHECK(test::max_abs_diff(fdX.data(), gX.data(), gX.size()) <= 1e-7 * test::max_abs(gX));
      CHECK(test::max_abs_diff(fdY.data(), gY.data(), gY.size()) <= 1e-7 * test::max_abs(gY));
    }
}

TEST_CASE("a batch gradient is the mean of single-sample gradients", "[network]") {
  const NetworkShape shape{4, 9, 1};
  Network net(shape, Activation::tanh, Loss::mse);
  const int B = 5;
  const auto q = test::normal_vector(shape.num_params(), 1.0, 3);
  const auto X = test::normal_vector(std::size_t(B) * shape.N, 1.0, 4);
  const auto Y = test::normal_vector(X.size(), 1.0, 5);
  const std::size_t nw = shape.num_weights();
  std::vector<double> g(q.size()), mean(q.size(), 0.0), gs(q.size());
  const double l = net.value_and_gradient(q.data(), q.data() + nw, X.data(), Y.data(), B, g.data(), g.data() + nw);
  double lsum = 0.0;
  for (int s = 0; s < B; ++s) {
    lsum += net.value_and_gradient(q.data(), q.data() + nw, X.data() + s * shape.N, Y.data() + s * shape.N, 1,
                                   gs.data(), gs.data() + nw);
    for (std::size_t j = 0; j < q.size(); ++j) mean[j] += gs[j] / B;
  }
  CHECK(l == Approx(lsum / B).epsilon(1e-14));
  CHECK(test::max_abs_diff(g.data(), mean.data(), g.size()) <= 1e-14 * test::max_abs(g));
}

TEST_CASE("a sample gets the same bits alone as in a batch", "[network]") {
  // Apply and the transpose of one sample are the batched kernels at B = 1, and every sum
  // of a sample's own numbers runs in the same order at any batch size. With B = 4 the
  // batch mean's factor 1/4 is exact, so dl/dX of the batch is a quarter of each sample's
  // to the last bit; a kernel that summed a site's terms in another order for one sample
  // (or fused its multiply-adds differently) would fail this. Widths with and without
  // whole vectors of sites, K = 3, 5, 7 and one K without a specialised kernel (9).
  for (const auto& shape : {NetworkShape{3, 37, 1}, NetworkShape{4, 64, 2}, NetworkShape{3, 29, 3},
                            NetworkShape{2, 40, 4}}) {
    for (const Activation a : {Activation::tanh, Activation::gelu}) {
      const int B = 4, N = shape.N, M = shape.M;
      const auto q = test::normal_vector(shape.num_params(), 0.7, 11);
      const auto X = test::normal_vector(std::size_t(B) * N, 1.0, 12);
      const auto Y = test::normal_vector(X.size(), 1.0, 13);
      const std::size_t nw = shape.num_weights();
      Network batch(shape, a, Loss::mse), one(shape, a, Loss::mse);
      std::vector<double> g(q.size()), gX(X.size()), g1(q.size()), gX1(static_cast<std::size_t>(N));
      batch.value_and_gradient(q.data(), q.data() + nw, X.data(), Y.data(), B, g.data(), g.data() + nw, gX.data());
      std::vector<double> zb(std::size_t(M) * N), z1(zb.size());
      for (int s = 0; s < B; ++s) {
        const std::size_t at = std::size_t(s) * N;
        one.value_and_gradient(q.data(), q.data() + nw, X.data() + at, Y.data() + at, 1, g1.data(), g1.data() + nw,
                               gX1.data());
        batch.neurons(s, zb.data());
        one.neurons(0, z1.data());
        CHECK(std::memcmp(zb.data(), z1.data(), zb.size() * sizeof(double)) == 0);
        for (int i = 0; i < N; ++i) CHECK(4.0 * gX[at + std::size_t(i)] == gX1[std::size_t(i)]);
      }
    }
  }
}
