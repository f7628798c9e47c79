// SPDX-License-Identifier: Apache-2.0
// Checks on the keys and string values of raw maps, shared by the policy validator and the
// waiver loader: unknown keys with a "did you mean" hint, required and optional strings.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "rules/load/diagnostic.h"
#include "rules/load/raw_node.h"

namespace triad::rules {

// The candidate nearest to `word` by edit distance, or "" when none is close enough to be
// a likely typo.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

// Reports every key of `map` not in `allowed`, with the nearest allowed key as a hint.
void reject_unknown_keys(DiagnosticSink& diags, const RawNode& map, std::initializer_list<std::string_view> allowed,
                         std::string_view where);
void reject_unknown_keys(DiagnosticSink& diags, const RawNode& map, const std::vector<std::string>& allowed,
                         std::string_view where);

// A required scalar string; reports and returns "" when missing or not a non-empty scalar.
std::string required_string(DiagnosticSink& diags, const RawNode& map, std::string_view key, std::string_view where);
// An optional scalar string; "" when absent, reported when present but not a scalar.
std::string optional_string(DiagnosticSink& diags, const RawNode& map, std::string_view key);

}  // namespace triad::rules
