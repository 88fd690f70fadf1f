#pragma once
// A zero-filled array of doubles for large workspaces: 64-byte aligned, so rows of whole
// vectors start on a cache line, and on Linux backed by transparent huge pages once it
// spans one. A network's layers are tens of MB streamed every training step; with 4 kB
// pages they cost a TLB miss every 4 kB (measured 6-8% of a step at M = 64, N = 1024,
// B = 32). Move-only.
#include <cstddef>

namespace nnfield {

class BigArray {
 public:
  BigArray() = default;
  explicit BigArray(std::size_t n);
  BigArray(BigArray&& other) noexcept;
  BigArray& operator=(BigArray&& other) noexcept;
  BigArray(const BigArray&) = delete;
  BigArray& operator=(const BigArray&) = delete;
  ~BigArray();

  double* data() { return m_data; }
  const double* data() const { return m_data; }
  std::size_t size() const { return m_size; }

 private:
  double* m_data = nullptr;
  std::size_t m_size = 0;
};

}  // namespace nnfield
