// SPDX-License-Identifier: Apache-2.0
// Reads a triad.result/1 JSON document (reporters/json.cpp writes it) back into a ScanResult,
// for `triad report`, `triad diff` and `--baseline`. The input is untrusted: its size is
// bounded before parsing, nesting is limited, and every missing or mistyped key is an error
// that names the file and the JSON path.
#pragma once

#include <string>
#include <string_view>

#include "rules/model/result.h"
#include "base/result.h"

namespace triad::report {

// Results list every failing object (up to kMaxEvidence per check); a whole Debian system's
// result is a few MiB, far below this. Anything bigger is not a result to trust.
inline constexpr std::size_t kMaxResultBytes = 64 * 1024 * 1024;

// `name` is used in error messages: "NAME: not a triad.result/1 document: results[2]: ...".
Result<rules::ScanResult> parse_result_json(std::string_view text, const std::string& name);

// One check result object (as in results[], and as a `finding` event's "result"), with the
// same checks; for `triad watch`.
Result<rules::CheckResult> parse_check_result_json(std::string_view text, const std::string& name);

// Reads FILE (a regular file, at most kMaxResultBytes) and parses it.
Result<rules::ScanResult> read_result_file(const std::string& path);

// "high", "medium" or "low" for a requirement weight (1.5, 1.0, 0.5); nullopt for any other.
std::optional<std::string> requirement_level(double weight);

}  // namespace triad::report
