// SPDX-License-Identifier: Apache-2.0
// Conditions evaluated against facts (compiled by rules/load/condition_compile.h).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rules/model/policy.h"
#include "scanner/core/fact.h"

namespace triad::rules {

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
