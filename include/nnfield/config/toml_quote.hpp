#pragma once
// A string as a TOML basic string literal: "a b" -> "\"a b\"". The one quoting of config
// values: for the resolved file, the docs, every message that names a value (so it shows
// the value as it would be written in the model file) and the Python overrides' TOML text.
#include <string>
#include <string_view>

namespace nnfield {

// Quotes s and escapes what TOML requires: '"', '\\' and the control characters (as
// \b \t \n \f \r or \uXXXX). Text without those comes back unchanged between the quotes.
std::string toml_quote(std::string_view s);

}  // namespace nnfield
