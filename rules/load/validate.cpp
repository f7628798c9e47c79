// SPDX-License-Identifier: Apache-2.0
#include "rules/load/validate.h"

#include <cctype>
#include <map>
#include <string>

#include "rules/load/key_checks.h"
#include "rules/model/value_text.h"
#include "scanner/core/registry.h"

namespace triad::rules {
namespace {

using scanner::ArgKind;
using scanner::ArgSpec;
using scanner::CollectorEntry;

constexpr std::string_view kCheckKeys[] = {"id", "title", "rationale", "remediation", "severity", "impact",
                                           "tags", "select", "expect", "evidence", "group_by"};

// Ids are typed on command lines (--only, --skip) and in waiver files: a small alphabet keeps
// them unambiguous there.
bool valid_id(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    for (char c : id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
    return true;
}

void validate_arg(DiagnosticSink& diags, const RawNode& v, const ArgSpec& spec) {
    auto fail = [&](const std::string& what) { diags.error(v, "'" + std::string(spec.name) + "' must be " + what); };
    switch (spec.kind) {
        case ArgKind::string:
            if (!v.is_scalar()) fail("a string");
            return;
        case ArgKind::list:
        case ArgKind::paths:
        case ArgKind::globs:
            if (!v.is_scalar()) {
                if (!v.is_sequence() || v.size() == 0) return fail("a string or a non-empty list of strings");
                for (const RawNode& item : v.items)
                    if (!item.is_scalar()) return fail("a list of strings");
            }
            break;
        case ArgKind::boolean:
            if (!v.is_scalar() || (v.text != "true" && v.text != "false")) fail("true or false");
            return;
        case ArgKind::integer:
            if (!scalar_integer(v)) fail("an integer");
            return;
        case ArgKind::choice: {
            const std::string choices = spec.choices;
            if (!v.is_scalar() || ("|" + choices + "|").find("|" + v.text + "|") == std::string::npos)
                fail("one of " + choices);
            return;
        }
    }
    // Paths are looked up inside the audited root, where only an absolute path means one place.
    if (spec.kind == ArgKind::paths) {
        auto check = [&](const std::string& p) {
            if (p.empty() || p.front() != '/') diags.error(v, "'" + p + "' must be an absolute path");
        };
        if (v.is_scalar()) check(v.text);
        for (const RawNode& item : v.items) check(item.text);
    }
}

void validate_select(DiagnosticSink& diags, const RawNode& check, const RawNode* select) {
    if (!select || !select->is_map()) {
        diags.error(select ? *select : check, "'select' must be a map with a 'collector'");
        return;
    }
    const std::string name = required_string(diags, *select, "collector", "select");
    if (name.empty()) return;
    const CollectorEntry* collector = scanner::find_collector(name);
    if (!collector) {
        std::vector<std::string> names;
        for (const auto& c : scanner::collectors()) names.emplace_back(c.name);
        const std::string hint = closest(name, names);
        diags.error(*select->get("collector"),
                    "unknown collector '" + name + "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
        return;
    }
    std::vector<std::string> allowed{"collector", "where"};
    for (const ArgSpec& a : collector->args) allowed.emplace_back(a.name);
    reject_unknown_keys(diags, *select, allowed, "select for collector '" + name + "'");
    for (const ArgSpec& spec : collector->args) {
        if (const RawNode* v = select->get(spec.name)) validate_arg(diags, *v, spec);
        else if (spec.required) diags.error(*select, "collector '" + name + "' needs '" + spec.name + "'");
    }
    if (const RawNode* where = select->get("where")) validate_condition(*where, ConditionSite::where, diags);
}

void validate_expect(DiagnosticSink& diags, const RawNode& expect) {
    if (expect.is_scalar() && expect.text == "none") return;
    if (!expect.is_map()) {
        diags.error(expect, "'expect' is 'none' or a condition map");
        return;
    }
    for (const RawEntry& e : expect.entries) {
        if (!e.key.is_scalar() || e.key.text != "objects") continue;
        if (!e.value.is_scalar() || (e.value.text != "all" && e.value.text != "any"))
            diags.error(e.value, "'objects' must be all or any");
    }
    if (condition_entries(expect, ConditionSite::expect).empty()) {
        diags.error(expect, "'expect' needs a condition besides 'objects'");
        return;
    }
    validate_condition(expect, ConditionSite::expect, diags);
}

void validate_impact(DiagnosticSink& diags, const RawNode& check, const std::string& id) {
    const RawNode* impact = check.get("impact");
    if (!impact || !impact->is_map()) {
        diags.error(impact ? *impact : check, "check " + id + " needs 'impact: { c: ..., i: ..., a: ... }'");
        return;
    }
    reject_unknown_keys(diags, *impact, {"c", "i", "a"}, "impact");
    for (const char* pillar : {"c", "i", "a"}) {
        const RawNode* v = impact->get(pillar);
        if (!v) diags.error(*impact, std::string("impact needs '") + pillar + "'");
        else if (!v->is_scalar() || !parse_impact(v->text)) diags.error(*v, "impact must be none, low or high");
    }
}

// True when the check's shape is valid.
bool validate_check(DiagnosticSink& diags, const RawNode& node) {
    if (!node.is_map()) {
        diags.error(node, "each check must be a map");
        return false;
    }
    const std::size_t before = diags.count();
    reject_unknown_keys(diags, node, std::vector<std::string>(std::begin(kCheckKeys), std::end(kCheckKeys)), "a check");
    const std::string id = required_string(diags, node, "id", "a check");
    if (!id.empty() && !valid_id(id))
        diags.error(*node.get("id"), "check id '" + id + "' may only use letters, digits, '-', '_' and '.'");
    required_string(diags, node, "title", "check " + id);
    optional_string(diags, node, "rationale");
    optional_string(diags, node, "remediation");
    const std::string severity = required_string(diags, node, "severity", "check " + id);
    if (!severity.empty() && !parse_severity(severity))
        diags.error(*node.get("severity"), "severity must be one of info, low, medium, high, critical");
    validate_impact(diags, node, id);
    if (const RawNode* tags = node.get("tags")) {
        if (!tags->is_sequence()) diags.error(*tags, "'tags' must be a list of strings");
        else
            for (const RawNode& t : tags->items)
                if (!t.is_scalar() || t.text.empty()) diags.error(t, "each tag must be a non-empty string");
    }
    validate_select(diags, node, node.get("select"));
    if (const RawNode* expect = node.get("expect")) validate_expect(diags, *expect);
    else diags.error(node, "check " + id + " needs 'expect'");
    // The names are looked up by compile, against the selected collector's fields.
    if (const RawNode* evidence = node.get("evidence"); evidence && !evidence->is_sequence())
        diags.error(*evidence, "'evidence' must be a list of field names");
    if (const RawNode* group = node.get("group_by"); group && !group->is_scalar())
        diags.error(*group, "'group_by' must be a field name");
    return diags.count() == before;
}

void validate_leaf(DiagnosticSink& diags, const RawNode& node, const std::vector<const RawEntry*>& entries,
                   ConditionSite site) {
    std::vector<std::string> allowed{"field", "as"};
    allowed.insert(allowed.end(), std::begin(kConditionOps), std::end(kConditionOps));
    if (site == ConditionSite::expect) allowed.emplace_back("objects");
    reject_unknown_keys(diags, node, allowed, "a condition");

    if (required_string(diags, node, "field", "a condition").empty()) return;
    if (const RawNode* as = find_entry(entries, "as"); as && !(as->is_scalar() && parse_kind(as->text))) {
        diags.error(*as, "'as' must be one of boolean, integer, mode, string, list, version");
        return;
    }
    const RawEntry* op_entry = nullptr;
    int ops = 0;
    for (const RawEntry* e : entries) {
        if (e->key.is_scalar() && parse_op(e->key.text)) {
            ++ops;
            op_entry = e;
        }
    }
    if (ops != 1) {
        diags.error(node, ops == 0 ? "a condition needs one operator: eq ne in lt le gt ge at_most matches contains exists"
                                   : "a condition takes exactly one operator");
        return;
    }
    const RawNode& operand = op_entry->value;
    const Op op = *parse_op(op_entry->key.text);
    if (op == Op::in && (!operand.is_sequence() || operand.size() == 0))
        diags.error(operand, "'in' takes a non-empty list");
    if (op == Op::exists && !(operand.is_scalar() && parse_bool(operand.text)))
        diags.error(operand, "'exists' takes true or false");
}

}  // namespace

void validate_condition(const RawNode& node, ConditionSite site, DiagnosticSink& diags, int depth) {
    if (depth > kMaxConditionDepth) {
        diags.error(node, "conditions nested deeper than " + std::to_string(kMaxConditionDepth) + " levels");
        return;
    }
    if (!node.is_map()) {
        diags.error(node, "a condition must be a map such as { field: mode, at_most: \"0644\" }");
        return;
    }
    const std::vector<const RawEntry*> entries = condition_entries(node, site);
    if (auto combinator = find_combinator(entries)) {
        if (entries.size() != 1) {
            diags.error(node, std::string("'") + combinator->name + "' must stand alone in its map");
            return;
        }
        const RawNode& list = *combinator->list;
        if (!list.is_sequence() || list.size() == 0) {
            diags.error(list, std::string("'") + combinator->name + "' takes a non-empty list of conditions");
            return;
        }
        for (const RawNode& child : list.items) validate_condition(child, child_site(site), diags, depth + 1);
        return;
    }
    // A shorthand map's keys are field names, which only compile can check.
    if (is_leaf(entries, site)) validate_leaf(diags, node, entries, site);
}

std::vector<const RawNode*> validate_policy(const RawNode& root, DiagnosticSink& diags) {
    if (!root.is_map()) {
        diags.error(root, "a policy is a map with 'policy' and 'checks'");
        return {};
    }
    reject_unknown_keys(diags, root, {"policy", "checks"}, "the policy file");
    const RawNode* header = root.get("policy");
    if (!header || !header->is_map()) {
        diags.error(header ? *header : root, "the file needs 'policy: { id: ..., title: ..., version: ... }'");
    } else {
        reject_unknown_keys(diags, *header, {"id", "title", "version", "description"}, "'policy'");
        const std::string id = required_string(diags, *header, "id", "'policy'");
        if (!id.empty() && !valid_id(id))
            diags.error(*header->get("id"), "policy id may only use letters, digits, '-', '_' and '.'");
        required_string(diags, *header, "title", "'policy'");
        required_string(diags, *header, "version", "'policy'");
    }
    const RawNode* checks = root.get("checks");
    if (!checks || !checks->is_sequence()) {
        diags.error(checks ? *checks : root, "the file needs 'checks:', a list of checks");
        return {};
    }
    std::vector<const RawNode*> valid;
    for (const RawNode& check : checks->items)
        if (validate_check(diags, check)) valid.push_back(&check);

    // Results, waivers and --only name checks by id: two checks with one id cannot both be meant.
    std::map<std::string_view, const RawNode*> seen;
    for (const RawNode& check : checks->items) {
        const RawNode* id = check.get("id");
        if (!id || !id->is_scalar() || id->text.empty()) continue;
        auto [it, fresh] = seen.emplace(id->text, &check);
        if (!fresh)
            diags.error(check, "duplicate check id '" + id->text + "' (first defined at " + diags.pos(*it->second).str() + ")");
    }
    return valid;
}

}  // namespace triad::rules
