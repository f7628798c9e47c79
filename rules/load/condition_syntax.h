// SPDX-License-Identifier: Apache-2.0
// The vocabulary of conditions that validation and compilation share: operator and type
// names, combinators, and which keys of a map belong to the condition written in it.
#pragma once

#include <iterator>
#include <optional>
#include <string_view>
#include <vector>

#include "rules/load/raw_node.h"
#include "rules/model/policy.h"
#include "scanner/core/fact.h"

namespace triad::rules {

// Where a condition map is written; it decides which keys belong to the condition.
enum class ConditionSite {
    nested,  // inside an all/any/none of `expect`
    where,   // `select.where` and conditions inside it: a map of field: value pairs is shorthand
    expect,  // the `expect` map itself: its `objects:` key is the quantifier's, not the condition's
};

// In the order of rules::Op, so a position converts to the enumerator.
inline constexpr std::string_view kConditionOps[] = {"eq", "ne", "in",      "lt",       "le",      "gt",
                                                     "ge", "at_most", "matches", "contains", "exists"};
static_assert(std::size(kConditionOps) == static_cast<std::size_t>(Op::exists) + 1);

std::optional<Op> parse_op(std::string_view name);
std::optional<scanner::ValueKind> parse_kind(std::string_view name);

// The entries of a condition map written at `site`: every entry, except `objects` under `expect`.
// The map itself is not copied, so everything keeps its place in the file.
std::vector<const RawEntry*> condition_entries(const RawNode& map, ConditionSite site);
const RawNode* find_entry(const std::vector<const RawEntry*>& entries, std::string_view key);

// An all/any/none key of the map, looked for in that order; null for a leaf or shorthand.
struct Combinator {
    Condition::Kind kind;
    const char* name;
    const RawNode* list;
};
std::optional<Combinator> find_combinator(const std::vector<const RawEntry*>& entries);

// The site of conditions inside an all/any/none written at `site`.
ConditionSite child_site(ConditionSite site);

// A leaf names its field; only under `where` may a map without `field` be shorthand.
bool is_leaf(const std::vector<const RawEntry*>& entries, ConditionSite site);

}  // namespace triad::rules
