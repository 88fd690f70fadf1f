// Large aligned workspaces (include/nnfield/numerics/big_array.hpp).
#include "nnfield/numerics/big_array.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace nnfield {

namespace {
constexpr std::size_t kLine = 64;
constexpr std::size_t kHugePage = std::size_t(2) << 20;
}  // namespace

BigArray::BigArray(std::size_t n) : m_size(n) {
  if (n == 0) return;
  const std::size_t bytes = n * sizeof(double);
  const std::size_t align = bytes >= kHugePage ? kHugePage : kLine;
  const std::size_t padded = (bytes + align - 1) / align * align;  // aligned_alloc wants a multiple
  m_data = static_cast<double*>(std::aligned_alloc(align, padded));
  if (!m_data) throw std::bad_alloc();
#ifdef __linux__
  if (align == kHugePage) madvise(m_data, padded, MADV_HUGEPAGE);  // a hint: fine if refused
#endif
  std::memset(m_data, 0, bytes);
}

BigArray::BigArray(BigArray&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)) {}

BigArray& BigArray::operator=(BigArray&& other) noexcept {
  if (this != &other) {
    std::free(m_data);
    m_data = std::exchange(other.m_data, nullptr);
    m_size = std::exchange(other.m_size, 0);
  }
  return *this;
}

BigArray::~BigArray() { std::free(m_data); }

}  // namespace nnfield
