// SPDX-License-Identifier: Apache-2.0
// Validation, the second stage of loading a policy: does a raw document have the shape of a
// policy? Required and unknown keys, value types, enums, id syntax and uniqueness, select
// arguments against the collector's ArgSpecs, and the shape of conditions. What needs a collector's fields or a
// compiled pattern (field names, operand types, regexes, globs) is left to compile.
#pragma once

#include <vector>

#include "rules/load/condition_syntax.h"
#include "rules/load/diagnostic.h"
#include "rules/load/raw_node.h"

namespace triad::rules {

// Deeper nesting than this is no policy anyone writes.
inline constexpr int kMaxConditionDepth = 32;

// Reports every problem into `diags` and returns the checks that have none, in document order,
// for compile_policy: a mistake in one check does not hide what only compiling finds in another.
std::vector<const RawNode*> validate_policy(const RawNode& root, DiagnosticSink& diags);

// The shape of one condition written at `site`: combinators, keys, operator count, `as`.
void validate_condition(const RawNode& node, ConditionSite site, DiagnosticSink& diags, int depth = 0);

}  // namespace triad::rules
