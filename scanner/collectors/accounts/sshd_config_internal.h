// SPDX-License-Identifier: Apache-2.0
// Pieces of the sshd collector that its tests exercise directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triad::scanner {

// Splits a configuration line into words as sshd does: blanks separate, double quotes group,
// a word starting with '#' ends the line, and "Keyword=value" splits at the first '='.
std::vector<std::string> split_sshd_words(std::string_view line);

// sshd's time format: "90", "2m", "1h30m" (s, m, h, d, w); nullopt when malformed.
std::optional<std::int64_t> parse_sshd_time(std::string_view text);

// Applies a Ciphers/MACs/KexAlgorithms value to the default list: "+a,b" appends,
// "-a*,b" removes (wildcards allowed), "^a" puts first, anything else replaces.
std::vector<std::string> apply_algorithm_list(const std::vector<std::string>& defaults, std::string_view spec);

}  // namespace triad::scanner
