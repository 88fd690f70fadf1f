#include "nnfield/numerics/rng.hpp"

#include <cmath>

namespace nnfield {

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Rng::Rng(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& s : m_s) s = splitmix64(x);
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
  const std::uint64_t t = m_s[1] << 17;
  m_s[2] ^= m_s[0];
  m_s[3] ^= m_s[1];
  m_s[1] ^= m_s[2];
  m_s[0] ^= m_s[3];
  m_s[2] ^= t;
  m_s[3] = rotl(m_s[3], 45);
  return result;
}

double Rng::uniform() { return double(next_u64() >> 11) * 0x1.0p-53; }

double Rng::normal() {
  if (m_has_spare) {
    m_has_spare = false;
    return m_spare;
  }
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * M_PI * u2;
  m_spare = radius * std::sin(angle);
  m_has_spare = true;
  return radius * std::cos(angle);
}

std::size_t Rng::index(std::size_t n) { return std::size_t(uniform() * double(n)) % n; }

std::uint64_t derive_seed(std::uint64_t master, std::string_view stream) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of the stream name
  for (char c : stream) h = (h ^ std::uint64_t(static_cast<unsigned char>(c))) * 0x100000001b3ull;
  std::uint64_t x = master ^ h;
  return splitmix64(x);
}

std::uint64_t derive_seed(std::uint64_t master, std::uint64_t index) {
  std::uint64_t x = master ^ (index * 0xD1B54A32D192ED03ull + 0x8BB84B93962EACC9ull);
  splitmix64(x);
  return splitmix64(x);
}

}  // namespace nnfield
