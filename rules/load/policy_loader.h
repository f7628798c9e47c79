// SPDX-License-Identifier: Apache-2.0
// Loads YAML policies in three stages — read (yaml_reader: YAML to raw nodes that keep their
// line and column), validate (keys, types, enums, select arguments, condition shapes) and
// compile (fields looked up, operands typed, regexes and globs compiled). Any diagnostic
// rejects the whole policy: never a half-loaded one.
#pragma once

#include <string>
#include <vector>

#include "rules/load/diagnostic.h"
#include "rules/model/policy.h"

namespace triad::rules {

struct LoadResult {
    std::vector<Policy> policies;
    std::vector<Diagnostic> diagnostics;  // empty when every policy loaded
    bool ok() const { return diagnostics.empty(); }
};

// Policy files are small; anything larger is refused before parsing.
inline constexpr std::size_t kMaxPolicyBytes = 4 * 1024 * 1024;

// Loads one policy from YAML text; `name` is the file name used in positions.
LoadResult load_policy_text(const std::string& text, const std::string& name);

// Loads files and directories (every *.yml / *.yaml in a directory, sorted), then rejects
// check IDs defined twice across all of them.
LoadResult load_policies(const std::vector<std::string>& paths);

}  // namespace triad::rules
