// SPDX-License-Identifier: Apache-2.0
// Compiles a condition node of a policy against the selected collector's fields: operators
// checked against field kinds, operands typed, regexes compiled.
#pragma once

#include <optional>
#include <span>

#include "rules/load/yaml_support.h"
#include "rules/model/policy.h"
#include "scanner/core/fact.h"

namespace triad::rules {

// Compiles a condition node: {all|any|none: [...]}, or a leaf {field, <op>: operand, as?}.
// With `shorthand`, a map of field: value pairs is also accepted (an `all` of `eq`), as in
// `where: { type: file, world_writable: true }`.
std::optional<Condition> compile_condition(YamlContext& ctx, const YAML::Node& node,
                                           std::span<const scanner::FieldSpec> fields, bool shorthand,
                                           int depth = 0);

}  // namespace triad::rules
