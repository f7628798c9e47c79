// SPDX-License-Identifier: Apache-2.0
// Compiles a validated condition against the selected collector's fields: field names looked
// up, operators checked against field kinds, operands typed, regexes compiled.
#pragma once

#include <optional>
#include <span>

#include "rules/load/condition_syntax.h"
#include "rules/load/diagnostic.h"
#include "rules/load/raw_node.h"
#include "rules/model/policy.h"
#include "scanner/core/fact.h"

namespace triad::rules {

// Compiles a condition that validate_condition accepted at the same `site`:
// {all|any|none: [...]}, a leaf {field, <op>: operand, as?}, or under `where` a map of
// field: value pairs (an `all` of `eq`), as in `where: { type: file, world_writable: true }`.
// Nullopt when something was reported into `diags`.
std::optional<Condition> compile_condition(const RawNode& node, ConditionSite site,
                                           std::span<const scanner::FieldSpec> fields, DiagnosticSink& diags);

}  // namespace triad::rules
