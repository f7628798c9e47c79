// SPDX-License-Identifier: Apache-2.0
#include "rules/load/compile.h"

#include <cassert>

#include "rules/eval/condition.h"
#include "rules/load/condition_compile.h"
#include "scanner/core/registry.h"

namespace triad::rules {
namespace {

using scanner::ArgKind;
using scanner::ArgSpec;

// Validation has checked every value read here, so these only convert.
const std::string& text_of(const RawNode& map, std::string_view key) {
    const RawNode* v = map.get(key);
    assert(v && v->is_scalar());
    return v->text;
}

// An optional string, or a header value when the header may be the one thing that is wrong.
std::string optional_text(const RawNode* map, std::string_view key) {
    const RawNode* v = map ? map->get(key) : nullptr;
    return v ? v->text : "";
}

scanner::ArgValue arg_value(const RawNode& v, const ArgSpec& spec) {
    switch (spec.kind) {
        case ArgKind::boolean: return v.text == "true";
        case ArgKind::integer: return *scalar_integer(v);
        case ArgKind::list:
        case ArgKind::paths:
        case ArgKind::globs: {
            if (v.is_scalar()) return scanner::StringList{v.text};
            scanner::StringList l;
            for (const RawNode& item : v.items) l.push_back(item.text);
            return l;
        }
        case ArgKind::string:
        case ArgKind::choice: break;
    }
    return v.text;
}

void compile_select(const RawNode& select, Check& check, DiagnosticSink& diags) {
    const scanner::CollectorEntry* collector = scanner::find_collector(text_of(select, "collector"));
    assert(collector && "validate_policy checks the collector exists");
    check.select.collector = collector;
    for (const ArgSpec& spec : collector->args)
        if (const RawNode* v = select.get(spec.name)) check.select.args.values.emplace(spec.name, arg_value(*v, spec));
    if (const RawNode* where = select.get("where"))
        check.select.where = compile_condition(*where, ConditionSite::where, collector->fields, diags);
    // A collector that names objects offers `if_missing`: what a named object that does
    // not exist (an absent fact) means for the check.
    if (const std::string* missing = check.select.args.string("if_missing"))
        check.select.if_missing = *missing == "fail" ? IfMissing::fail : IfMissing::skip;
    for (const ArgSpec& spec : collector->args) {
        if (spec.kind != ArgKind::globs) continue;
        for (const std::string& glob : check.select.args.list(spec.name)) {
            auto g = Glob::compile(glob);
            if (!g) diags.error(*select.get(spec.name), g.error().message);
            else check.select.exclude.push_back(std::move(*g));
        }
    }
}

void compile_expect(const RawNode& expect, Check& check, DiagnosticSink& diags) {
    if (expect.is_scalar()) {  // validated: "none"
        check.expect.objects = Quantifier::none;
        return;
    }
    // `objects:` is read here and skipped by the condition, which is compiled from the same
    // map in place: nothing is copied, so every error keeps its line and column.
    for (const RawEntry& e : expect.entries)
        if (e.key.is_scalar() && e.key.text == "objects")
            check.expect.objects = e.value.text == "any" ? Quantifier::any : Quantifier::all;
    check.expect.condition = compile_condition(expect, ConditionSite::expect, check.select.collector->fields, diags);
}

void compile_evidence(const RawNode& evidence, Check& check, DiagnosticSink& diags) {
    for (const RawNode& f : evidence.items) {
        auto i = f.is_scalar() ? scanner::find_field(check.select.collector->fields, f.text) : std::nullopt;
        if (!i) diags.error(f, "unknown field '" + (f.is_scalar() ? f.text : "?") + "' in evidence");
        else check.evidence_fields.push_back(*i);
    }
}

Check compile_check(const RawNode& node, const std::string& policy_id, DiagnosticSink& diags) {
    Check check;
    check.pos = diags.pos(node);
    check.info.policy = policy_id;
    check.info.id = text_of(node, "id");
    check.info.title = text_of(node, "title");
    check.info.rationale = optional_text(&node, "rationale");
    check.info.remediation = optional_text(&node, "remediation");
    check.info.severity = *parse_severity(text_of(node, "severity"));
    const RawNode& impact = *node.get("impact");
    check.info.impact = CiaImpact{*parse_impact(text_of(impact, "c")), *parse_impact(text_of(impact, "i")),
                                  *parse_impact(text_of(impact, "a"))};
    if (const RawNode* tags = node.get("tags"))
        for (const RawNode& t : tags->items) check.info.tags.push_back(t.text);

    compile_select(*node.get("select"), check, diags);
    compile_expect(*node.get("expect"), check, diags);
    if (const RawNode* evidence = node.get("evidence")) compile_evidence(*evidence, check, diags);
    if (const RawNode* group = node.get("group_by")) {
        check.group_by = scanner::find_field(check.select.collector->fields, group->text);
        if (!check.group_by) diags.error(*group, "unknown field '" + group->text + "' in group_by");
    }
    if (check.select.where) referenced_fields(*check.select.where, check.evidence_fields);
    if (check.expect.condition) referenced_fields(*check.expect.condition, check.evidence_fields);
    return check;
}

}  // namespace

Policy compile_policy(const RawNode& root, std::span<const RawNode* const> checks, DiagnosticSink& diags) {
    Policy policy;
    const RawNode* header = root.get("policy");
    policy.id = optional_text(header, "id");
    policy.title = optional_text(header, "title");
    policy.version = optional_text(header, "version");
    for (const RawNode* node : checks) policy.checks.push_back(compile_check(*node, policy.id, diags));
    return policy;
}

}  // namespace triad::rules
