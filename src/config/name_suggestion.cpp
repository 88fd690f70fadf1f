// The nearest valid name to a mistyped one (nnfield/config/name_suggestion.hpp).
#include "nnfield/config/name_suggestion.hpp"

#include <algorithm>
#include <cctype>

#include "config/config_schema.hpp"

namespace nnfield {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return char(std::tolower(static_cast<unsigned char>(c))); };
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::optional<std::string> closest_name(const std::string& wrong, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_d = 3;
  // The distance is at least the difference in length: skipping those candidates keeps
  // a huge unknown name from costing a table of size(wrong) x size(c) each.
  const auto near_in_length = [](std::string_view a, std::string_view b) {
    return (a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) < 3;
  };
  for (const auto& c : candidates) {
    if (!near_in_length(wrong, c)) continue;
    const std::size_t dist = edit_distance(wrong, c);
    if (dist < best_d) best_d = dist, best = c;
  }
  if (best) return best;
  std::vector<std::string> same_leaf;
  for (const auto& c : candidates) {
    const std::string a = detail::leaf_of(wrong), b = detail::leaf_of(c);
    if (a.size() == b.size() && edit_distance(a, b) == 0) same_leaf.push_back(c);
  }
  if (same_leaf.size() == 1) return same_leaf.front();
  return std::nullopt;
}

}  // namespace nnfield
