#pragma once
// Reproducible random numbers: xoshiro256** seeded through SplitMix64, with our own
// normal sampler, so a seed gives the same run on every platform and compiler
// (std::normal_distribution is implementation-defined).
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nnfield {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t next_u64();
  double uniform();                   // [0, 1)
  double normal();                    // N(0, 1), Box-Muller
  std::size_t index(std::size_t n);   // uniform in [0, n)

 private:
  std::uint64_t m_s[4];
  bool m_has_spare = false;
  double m_spare = 0.0;
};

// An independent sub-stream seed for a named component ("init", "data", "teacher", ...):
// changing what one component draws never shifts another's numbers.
std::uint64_t derive_seed(std::uint64_t master, std::string_view stream);
// The index-th member of a family of independent seeds (epochs, draws): no allocation.
std::uint64_t derive_seed(std::uint64_t master, std::uint64_t index);

}  // namespace nnfield
