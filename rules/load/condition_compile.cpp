// SPDX-License-Identifier: Apache-2.0
#include "rules/load/condition_compile.h"

#include <cassert>

#include "rules/load/key_checks.h"
#include "rules/model/value_text.h"

namespace triad::rules {
namespace {

using scanner::StringList;
using scanner::Value;
using scanner::ValueKind;

std::string kind_hint(ValueKind kind) {
    switch (kind) {
        case ValueKind::boolean: return "true or false";
        case ValueKind::integer: return "an integer";
        case ValueKind::mode: return "an octal mode such as \"0640\"";
        default: return std::string(scanner::to_string(kind));
    }
}

std::string unknown_field(const std::string& name, std::span<const scanner::FieldSpec> fields,
                          std::string_view no_hint) {
    std::vector<std::string> names;
    for (const auto& f : fields) names.emplace_back(f.name);
    const std::string hint = closest(name, names);
    return "unknown field '" + name + "'" + (hint.empty() ? std::string(no_hint) : " (did you mean '" + hint + "'?)");
}

std::optional<Value> compile_operand(const RawNode& node, ValueKind kind, Op op, DiagnosticSink& diags) {
    if (op == Op::exists) {
        auto b = node.is_scalar() ? parse_bool(node.text) : std::nullopt;
        assert(b && "validate_condition checks the operand of 'exists'");
        return Value{*b};
    }
    if (kind == ValueKind::list && op == Op::eq && node.is_sequence()) {
        StringList l;
        for (const RawNode& item : node.items) {
            if (!item.is_scalar()) {
                diags.error(item, "list items must be scalars");
                return std::nullopt;
            }
            l.push_back(item.text);
        }
        return Value{l};
    }
    // `contains` on a list looks for one string; `matches` always takes a pattern string.
    ValueKind want = op == Op::contains && kind == ValueKind::list ? ValueKind::string : kind;
    if (op == Op::matches) want = ValueKind::string;
    if (!node.is_scalar()) {
        diags.error(node, "'" + std::string(to_string(op)) + "' takes a single value here");
        return std::nullopt;
    }
    auto v = parse_value(node.text, want);
    if (!v) diags.error(node, "'" + node.text + "' is not " + kind_hint(want));
    return v;
}

bool op_fits_kind(Op op, ValueKind kind) {
    switch (op) {
        case Op::lt: case Op::le: case Op::gt: case Op::ge:
            return kind == ValueKind::integer || kind == ValueKind::version || kind == ValueKind::mode;
        case Op::at_most: return kind == ValueKind::mode;
        case Op::matches: return kind == ValueKind::string || kind == ValueKind::list;
        case Op::contains: return kind == ValueKind::string || kind == ValueKind::list;
        default: return true;
    }
}

std::optional<Condition> compile_leaf(const RawNode& node, const std::vector<const RawEntry*>& entries,
                                      std::span<const scanner::FieldSpec> fields, DiagnosticSink& diags) {
    Condition c;
    c.pos = diags.pos(node);
    const RawNode* field = find_entry(entries, "field");
    assert(field && field->is_scalar());
    c.field_name = field->text;
    auto index = scanner::find_field(fields, c.field_name);
    if (!index) {
        diags.error(*field, unknown_field(c.field_name, fields, " for this collector"));
        return std::nullopt;
    }
    c.field = *index;
    c.as = fields[*index].kind;
    if (const RawNode* as = find_entry(entries, "as")) c.as = *parse_kind(as->text);

    const RawEntry* op_entry = nullptr;
    for (const RawEntry* e : entries)
        if (e->key.is_scalar() && parse_op(e->key.text)) op_entry = e;
    assert(op_entry && "validate_condition checks there is exactly one operator");
    c.op = *parse_op(op_entry->key.text);
    if (!op_fits_kind(c.op, c.as)) {
        diags.error(op_entry->key, "'" + std::string(to_string(c.op)) + "' does not apply to " +
                                       std::string(scanner::to_string(c.as)) + " field '" + c.field_name +
                                       "' (convert it with 'as')");
        return std::nullopt;
    }
    const std::size_t before = diags.count();
    const RawNode& operand = op_entry->value;
    if (c.op == Op::in) {
        for (const RawNode& item : operand.items)
            if (auto v = compile_operand(item, c.as, Op::eq, diags)) c.operands.push_back(*v);
    } else if (auto v = compile_operand(operand, c.as, c.op, diags)) {
        c.operands.push_back(*v);
    }
    if (c.op == Op::matches && !c.operands.empty()) {
        auto re = Regex::compile(std::get<std::string>(c.operands[0].data));
        if (!re) diags.error(operand, re.error().message);
        else c.regex = std::move(*re);
    }
    if (diags.count() != before) return std::nullopt;
    return c;
}

// { type: file, setuid: true } is all of { field: type, eq: file }, { field: setuid, eq: true }.
std::optional<Condition> compile_shorthand(const RawNode& node, const std::vector<const RawEntry*>& entries,
                                           std::span<const scanner::FieldSpec> fields, DiagnosticSink& diags) {
    Condition all;
    all.kind = Condition::Kind::all;
    all.pos = diags.pos(node);
    bool ok = true;
    for (const RawEntry* e : entries) {
        auto index = e->key.is_scalar() ? scanner::find_field(fields, e->key.text) : std::nullopt;
        if (!index) {
            diags.error(e->key, unknown_field(e->key.is_scalar() ? e->key.text : "?", fields, ""));
            ok = false;
            continue;
        }
        Condition c;
        c.pos = diags.pos(e->key);
        c.field_name = e->key.text;
        c.field = *index;
        c.as = fields[*index].kind;
        c.op = Op::eq;
        if (auto v = compile_operand(e->value, c.as, Op::eq, diags)) c.operands.push_back(*v);
        else ok = false;
        all.children.push_back(std::move(c));
    }
    if (!ok) return std::nullopt;
    if (all.children.size() == 1) return std::move(all.children[0]);
    return all;
}

}  // namespace

std::optional<Condition> compile_condition(const RawNode& node, ConditionSite site,
                                           std::span<const scanner::FieldSpec> fields, DiagnosticSink& diags) {
    const std::vector<const RawEntry*> entries = condition_entries(node, site);
    if (auto combinator = find_combinator(entries)) {
        Condition c;
        c.kind = combinator->kind;
        c.pos = diags.pos(node);
        bool ok = true;
        for (const RawNode& item : combinator->list->items) {
            auto child = compile_condition(item, child_site(site), fields, diags);
            if (child) c.children.push_back(std::move(*child));
            else ok = false;
        }
        if (!ok) return std::nullopt;
        return c;
    }
    if (is_leaf(entries, site)) return compile_leaf(node, entries, fields, diags);
    return compile_shorthand(node, entries, fields, diags);
}

}  // namespace triad::rules
