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

// Whether an object satisfies a condition. `unknown` when it cannot be decided: a field the
// collector could not read, a regex that gave up. all/any/none combine as Kleene's
// three-valued logic, so a known answer wins where it settles the question (one failing
// child fails `all` whatever the others are).
enum class Truth { no, yes, unknown };

// With `unknown`, `why_unknown` (when given) receives the reason of the first undecided
// leaf. Failing leaves append their field and what was observed to `observed` (when
// given), for evidence.
Truth evaluate(const Condition& c, const scanner::FieldSource& object, std::string* why_unknown = nullptr,
               std::vector<std::pair<std::string, std::string>>* observed = nullptr);

// Every field a condition reads, in first-use order.
void referenced_fields(const Condition& c, std::vector<std::size_t>& out);

// The condition as a user would write it: "mode at_most 0640".
std::string describe(const Condition& c);

}  // namespace triad::rules
