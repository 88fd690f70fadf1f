// The width halo on one process (core/width_halo.hpp; the exchange between processes is
// tests/mpi/width_halo_check.cpp): how a width is cut into blocks, the periodic ghosts, and
// the running sums that a whole width leaves as they are.
#include <catch2/catch.hpp>

#include <vector>

#include "nnfield/core/link_stencil.hpp"
#include "nnfield/core/width_halo.hpp"
#include "support.hpp"

using namespace nnfield;

TEST_CASE("width blocks are contiguous, cover the width and differ by at most one column") {
  for (int N = 1; N <= 40; ++N)
    for (int parts = 1; parts <= std::min(N, 7); ++parts) {
      int next = 0, widest = 0, narrowest = N;
      for (int p = 0; p < parts; ++p) {
        const WidthBlock b = width_block(N, parts, p);
        REQUIRE(b.N == N);
        REQUIRE(b.first == next);
        REQUIRE(b.left_seam() == (p == 0));
        REQUIRE(b.right_seam() == (p == parts - 1));
        REQUIRE(b.width == N / parts + (p < N % parts ? 1 : 0));  // the wider ones first
        next += b.width;
        widest = std::max(widest, b.width);
        narrowest = std::min(narrowest, b.width);
      }
      REQUIRE(next == N);
      REQUIRE(widest - narrowest <= 1);
    }
}

TEST_CASE("a whole width's halo fills the periodic ghosts and leaves sums as they are") {
  const int N = 13, r = 3, B = 4;
  const LinkStencil stencil(N, r);
  const std::size_t P = stencil.row_stride();
  std::vector<double> rows = test::normal_vector(P * B, 1.0, 5), expected = rows;
  const WidthHalo halo(N, r);
  REQUIRE_FALSE(halo.is_split());
  REQUIRE(halo.block().whole());
  halo.fill_ghosts(rows.data(), B, P);
  stencil.fill_ghosts(expected.data(), B);
  REQUIRE(rows == expected);
  for (int s = 0; s < B; ++s)
    for (int p = 0; p < r; ++p) {
      REQUIRE(rows[s * P + p] == rows[s * P + p + N]);          // site p - r is site p - r + N
      REQUIRE(rows[s * P + N + r + p] == rows[s * P + r + p]);  // site N + p is site p
    }
  std::vector<double> sums{1.5, -2.0};
  halo.sums_from_left(sums.data(), 2);
  REQUIRE(sums == std::vector<double>{0.0, 0.0});  // nothing to the left of site 0
  sums = {1.5, -2.0};
  halo.sums_to_right(sums.data(), 2);
  REQUIRE(sums == std::vector<double>{1.5, -2.0});  // the whole width's sums already
}

TEST_CASE("a whole width's halo fills the ghosts of sites holding several values each") {
  // A link array (N, K): each site's K values are a unit, its ghosts the periodic images' K.
  const int N = 7, r = 2, cells = 5;
  const std::size_t stride = std::size_t(N + 2 * r) * cells;
  std::vector<double> rows = test::normal_vector(2 * stride, 1.0, 8);
  WidthHalo(N, r).fill_ghosts(rows.data(), 2, stride, cells);
  for (int s = 0; s < 2; ++s)
    for (int p = -r; p < N + r; ++p) {
      const int site = (p + N) % N;  // the periodic image
      for (int c = 0; c < cells; ++c)
        REQUIRE(rows[s * stride + std::size_t((p + r) * cells + c)] ==
                rows[s * stride + std::size_t((site + r) * cells + c)]);
    }
}

TEST_CASE("a whole width's sum over lines adds every line's terms in order, from its start") {
  const WidthHalo halo(6, 1);
  std::vector<int> order;
  const double total = halo.sum_over_lines(0.5, 3, [&](double sum, int line) {
    order.push_back(line);
    return sum + double(line + 1);
  });
  REQUIRE(order == std::vector<int>{0, 1, 2});
  REQUIRE(total == 0.5 + 1.0 + 2.0 + 3.0);
  REQUIRE(halo.sum_over_lines(-1.0, 0, [](double sum, int) { return sum + 100.0; }) == -1.0);
}
