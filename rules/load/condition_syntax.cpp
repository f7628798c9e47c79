// SPDX-License-Identifier: Apache-2.0
#include "rules/load/condition_syntax.h"

namespace triad::rules {

std::optional<Op> parse_op(std::string_view name) {
    for (std::size_t i = 0; i < std::size(kConditionOps); ++i)
        if (name == kConditionOps[i]) return static_cast<Op>(i);
    return std::nullopt;
}

std::optional<scanner::ValueKind> parse_kind(std::string_view name) {
    using scanner::ValueKind;
    for (ValueKind k : {ValueKind::boolean, ValueKind::integer, ValueKind::mode, ValueKind::string, ValueKind::list,
                        ValueKind::version})
        if (name == scanner::to_string(k)) return k;
    return std::nullopt;
}

std::vector<const RawEntry*> condition_entries(const RawNode& map, ConditionSite site) {
    std::vector<const RawEntry*> out;
    out.reserve(map.entries.size());
    for (const RawEntry& e : map.entries)
        if (!(site == ConditionSite::expect && e.key.is_scalar() && e.key.text == "objects")) out.push_back(&e);
    return out;
}

const RawNode* find_entry(const std::vector<const RawEntry*>& entries, std::string_view key) {
    for (const RawEntry* e : entries)
        if (e->key.is_scalar() && e->key.text == key) return &e->value;
    return nullptr;
}

std::optional<Combinator> find_combinator(const std::vector<const RawEntry*>& entries) {
    for (Combinator c : {Combinator{Condition::Kind::all, "all", nullptr}, Combinator{Condition::Kind::any, "any", nullptr},
                         Combinator{Condition::Kind::none, "none", nullptr}}) {
        c.list = find_entry(entries, c.name);
        if (c.list) return c;
    }
    return std::nullopt;
}

ConditionSite child_site(ConditionSite site) {
    return site == ConditionSite::where ? ConditionSite::where : ConditionSite::nested;
}

bool is_leaf(const std::vector<const RawEntry*>& entries, ConditionSite site) {
    return site != ConditionSite::where || find_entry(entries, "field") != nullptr;
}

}  // namespace triad::rules
