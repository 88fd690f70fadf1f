// The nesting scan of model-file text (model_limits.hpp). It follows just enough of
// TOML to count: table headers and dotted keys add one level per component, arrays
// and inline tables one each. Strings and comments are skipped; anything malformed is
// left for toml++ to report, since the scan only has to bound the depth it will see.
#include "nnfield/config/model_limits.hpp"

#include <vector>

namespace nnfield::detail {
namespace {

class NestingScan {
 public:
  explicit NestingScan(std::string_view text) : m_s(text) {}

  std::optional<NestingProblem> run() {
    m_frames.push_back({'\0', 1});
    m_statement_start = true;
    while (m_pos < m_s.size()) {
      const char c = m_s[m_pos];
      if (c == '\n') {
        newline();
      } else if (c == '#') {
        while (m_pos < m_s.size() && m_s[m_pos] != '\n') ++m_pos;
        continue;
      } else if (c == '"' || c == '\'') {
        skip_string(c);
        m_statement_start = false;
        continue;
      } else if (!step(c)) {
        return m_problem;
      }
      ++m_pos;
    }
    return std::nullopt;
  }

 private:
  struct Frame {
    char kind;  // '\0' top level, '[' array, '{' inline table
    int key_parts;
  };
  std::string_view m_s;
  std::size_t m_pos = 0, m_line = 1, m_line_start = 0;
  std::vector<Frame> m_frames;
  int m_table_depth = 0;
  bool m_in_header = false, m_in_key = true, m_statement_start = true;
  std::optional<NestingProblem> m_problem;

  // A table header's and dotted keys' components, and arrays; an inline table counts
  // through its keys (a = { b = 1 } is two levels, as [a] b = 1 is).
  int depth() const {
    int d = m_table_depth;
    for (const Frame& f : m_frames) d += f.key_parts + (f.kind == '[' ? 1 : 0);
    return d;
  }

  bool check(int d) {
    if (d <= kMaxTomlDepth) return true;
    m_problem = NestingProblem{m_line, m_pos - m_line_start + 1, d};
    return false;
  }

  void newline() {
    ++m_line;
    m_line_start = m_pos + 1;
    if (m_frames.size() == 1) {  // a statement ends with its line unless an array is open
      m_in_key = true;
      m_in_header = false;
      m_frames.back().key_parts = 1;
      m_statement_start = true;
    }
  }

  void skip_string(char quote) {
    const bool triple = m_s.substr(m_pos, 3) == std::string(3, quote);
    m_pos += triple ? 3 : 1;
    while (m_pos < m_s.size()) {
      const char c = m_s[m_pos];
      if (c == '\\' && quote == '"') {
        m_pos += 2;
        continue;
      }
      if (c == '\n') {
        if (!triple) return;  // unterminated: toml++ reports it
        ++m_line;
        m_line_start = m_pos + 1;
      }
      if (c == quote && (!triple || m_s.substr(m_pos, 3) == std::string(3, quote))) {
        m_pos += triple ? 3 : 1;
        return;
      }
      ++m_pos;
    }
  }

  // One character outside strings and comments; false when the depth is exceeded.
  bool step(char c) {
    const bool blank = c == ' ' || c == '\t' || c == '\r';
    if (m_statement_start && m_frames.size() == 1 && c == '[') {
      m_in_header = true;
      m_table_depth = 1;
      while (m_pos + 1 < m_s.size() && m_s[m_pos + 1] == '[') ++m_pos;
      m_statement_start = false;
      return true;
    }
    if (!blank) m_statement_start = false;
    if (m_in_header) {
      if (c == '.') return check(++m_table_depth);
      if (c == ']') m_in_header = false, m_in_key = false, m_frames.back().key_parts = 0;
      return true;
    }
    if (m_in_key) {
      if (c == '}' && m_frames.size() > 1) {  // an empty inline table
        m_frames.pop_back();
        m_in_key = false;
        return true;
      }
      if (c == '.') {
        ++m_frames.back().key_parts;
        return check(depth());
      }
      if (c == '=') m_in_key = false;
      return true;
    }
    return value_char(c);
  }

  bool value_char(char c) {
    if (c == '[' || c == '{') {
      m_frames.push_back({c, c == '{' ? 1 : 0});
      m_in_key = c == '{';
      return check(depth());  // '{': its first key's first component
    }
    if ((c == ']' || c == '}') && m_frames.size() > 1) {
      m_frames.pop_back();
      return true;
    }
    if (c == ',' && m_frames.back().kind == '{') {
      m_frames.back().key_parts = 1;
      m_in_key = true;
    }
    return true;
  }
};

}  // namespace

std::optional<NestingProblem> toml_nesting_problem(std::string_view text) { return NestingScan(text).run(); }

std::string shortened_name(const std::string& name) {
  constexpr std::size_t shown = 40;
  if (name.size() <= shown) return name;
  return name.substr(0, shown) + "... (" + std::to_string(name.size()) + " characters)";
}

}  // namespace nnfield::detail
