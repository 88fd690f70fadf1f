// TOML basic string literals (include/nnfield/config/toml_quote.hpp).
#include "nnfield/config/toml_quote.hpp"

#include <cstdio>

namespace nnfield {

std::string toml_quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (ch < 0x20 || ch == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", unsigned(ch));
          out += buf;
        } else {
          out += char(ch);
        }
    }
  }
  return out + "\"";
}

}  // namespace nnfield
