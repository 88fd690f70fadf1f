#pragma once
// "Did you mean ...?": the nearest valid name to a mistyped one. One implementation for
// every name a user types: model-file keys and sections (config.cpp), and the command
// line's subcommands and options (src/cli/argument_suggestions.cpp).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nnfield {

// Optimal-string-alignment distance, case-insensitive: a swapped pair of letters
// ("widht") counts as one edit, which is the commonest typo.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate within edit distance 2; failing that, the only one with the
// same last dotted component (a key put in the wrong section: 'network.seed' -> 'run.seed').
std::optional<std::string> closest_name(const std::string& wrong, const std::vector<std::string>& candidates);

}  // namespace nnfield
