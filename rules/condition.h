// SPDX-License-Identifier: Apache-2.0
// Conditions: compiled from YAML against a collector's fields, evaluated against facts.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "rules/policy.h"
#include "rules/yaml_support.h"
#include "scanner/fact.h"

namespace triad::rules {

// Compiles a condition node: {all|any|none: [...]}, or a leaf {field, <op>: operand, as?}.
// With `shorthand`, a map of field: value pairs is also accepted (an `all` of `eq`), as in
// `where: { type: file, world_writable: true }`.
std::optional<Condition> compile_condition(YamlContext& ctx, const YAML::Node& node,
                                           std::span<const scanner::FieldSpec> fields, bool shorthand,
                                           int depth = 0);

// Converts a field value into the kind a condition compares in ("0640" → mode, "7" → 7).
std::optional<scanner::Value> convert_value(const scanner::Value& v, scanner::ValueKind to);

// True when the object satisfies the condition. Failing leaves append their field and what
// was observed to `observed` (when given), for evidence.
bool evaluate(const Condition& c, const scanner::FieldSource& object,
              std::vector<std::pair<std::string, std::string>>* observed = nullptr);

// Every field a condition reads, in first-use order.
void referenced_fields(const Condition& c, std::vector<std::size_t>& out);

// The condition as a user would write it: "mode at_most 0640".
std::string describe(const Condition& c);

}  // namespace triad::rules
