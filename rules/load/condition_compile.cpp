// SPDX-License-Identifier: Apache-2.0
#include "rules/load/condition_compile.h"

#include <algorithm>

#include "rules/model/value_text.h"

namespace triad::rules {
namespace {

using scanner::Mode;
using scanner::StringList;
using scanner::Value;
using scanner::ValueKind;
using scanner::Version;

// Deeper nesting than this is no policy anyone writes; refusing it bounds the recursion.
constexpr int kMaxConditionDepth = 32;

constexpr std::string_view kOps[] = {"eq", "ne", "in", "lt", "le", "gt", "ge", "at_most", "matches", "contains", "exists"};




std::optional<ValueKind> parse_kind(std::string_view s) {
    for (ValueKind k : {ValueKind::boolean, ValueKind::integer, ValueKind::mode, ValueKind::string,
                        ValueKind::list, ValueKind::version})
        if (s == scanner::to_string(k)) return k;
    return std::nullopt;
}

std::optional<Op> parse_op(std::string_view s) {
    for (std::size_t i = 0; i < std::size(kOps); ++i)
        if (s == kOps[i]) return static_cast<Op>(i);
    return std::nullopt;
}


std::string kind_hint(ValueKind kind) {
    switch (kind) {
        case ValueKind::boolean: return "true or false";
        case ValueKind::integer: return "an integer";
        case ValueKind::mode: return "an octal mode such as \"0640\"";
        default: return std::string(scanner::to_string(kind));
    }
}

std::optional<Value> compile_operand(YamlContext& ctx, const YAML::Node& node, ValueKind kind, Op op) {
    if (op == Op::exists) {
        if (node.IsScalar())
            if (auto b = parse_bool(node.Scalar())) return Value{*b};
        ctx.error(node, "'exists' takes true or false");
        return std::nullopt;
    }
    if (kind == ValueKind::list && op == Op::eq && node.IsSequence()) {
        StringList l;
        for (const auto& item : node) {
            if (!item.IsScalar()) {
                ctx.error(item, "list items must be scalars");
                return std::nullopt;
            }
            l.push_back(item.Scalar());
        }
        return Value{l};
    }
    // `contains` on a list looks for one string; `matches` always takes a pattern string.
    ValueKind want = (op == Op::contains || op == Op::matches) && kind == ValueKind::list ? ValueKind::string : kind;
    if (op == Op::matches) want = ValueKind::string;
    if (!node.IsScalar()) {
        ctx.error(node, "'" + std::string(to_string(op)) + "' takes a single value here");
        return std::nullopt;
    }
    auto v = parse_value(node.Scalar(), want);
    if (!v) ctx.error(node, "'" + node.Scalar() + "' is not " + kind_hint(want));
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

std::optional<Condition> compile_leaf(YamlContext& ctx, const YAML::Node& node,
                                      std::span<const scanner::FieldSpec> fields) {
    Condition c;
    c.pos = ctx.pos(node);
    std::vector<std::string> allowed{"field", "as"};
    allowed.insert(allowed.end(), std::begin(kOps), std::end(kOps));
    std::size_t before = ctx.diagnostics.size();
    ctx.reject_unknown_keys(node, allowed, "a condition");

    c.field_name = ctx.required_string(node, "field", "a condition");
    if (c.field_name.empty()) return std::nullopt;
    auto index = scanner::find_field(fields, c.field_name);
    if (!index) {
        std::vector<std::string> names;
        for (const auto& f : fields) names.emplace_back(f.name);
        std::string msg = "unknown field '" + c.field_name + "'";
        std::string hint = closest(c.field_name, names);
        msg += hint.empty() ? " for this collector" : " (did you mean '" + hint + "'?)";
        ctx.error(node["field"], msg);
        return std::nullopt;
    }
    c.field = *index;
    c.as = fields[*index].kind;
    if (const YAML::Node as = node["as"]) {
        auto kind = as.IsScalar() ? parse_kind(as.Scalar()) : std::nullopt;
        if (!kind) {
            ctx.error(as, "'as' must be one of boolean, integer, mode, string, list, version");
            return std::nullopt;
        }
        c.as = *kind;
    }

    // Copies, not pointers: yaml-cpp's `it->` hands out a temporary pair.
    YAML::Node op_node;
    YAML::Node op_key;
    int ops = 0;
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) continue;
        if (auto op = parse_op(it->first.Scalar())) {
            ++ops;
            c.op = *op;
            op_key = it->first;
            op_node = it->second;
        }
    }
    if (ops != 1) {
        ctx.error(node, ops == 0 ? "a condition needs one operator: eq ne in lt le gt ge at_most matches contains exists"
                                 : "a condition takes exactly one operator");
        return std::nullopt;
    }
    if (!op_fits_kind(c.op, c.as)) {
        ctx.error(op_key, "'" + std::string(to_string(c.op)) + "' does not apply to " +
                              std::string(scanner::to_string(c.as)) + " field '" + c.field_name +
                              "' (convert it with 'as')");
        return std::nullopt;
    }
    const YAML::Node operand = op_node;
    if (c.op == Op::in) {
        if (!operand.IsSequence() || operand.size() == 0) {
            ctx.error(operand, "'in' takes a non-empty list");
            return std::nullopt;
        }
        for (const auto& item : operand)
            if (auto v = compile_operand(ctx, item, c.as, Op::eq)) c.operands.push_back(*v);
    } else if (auto v = compile_operand(ctx, operand, c.as, c.op)) {
        c.operands.push_back(*v);
    }
    if (c.op == Op::matches && !c.operands.empty()) {
        auto re = Regex::compile(std::get<std::string>(c.operands[0].data));
        if (!re) ctx.error(operand, re.error().message);
        else c.regex = std::move(*re);
    }
    if (ctx.diagnostics.size() != before) return std::nullopt;
    return c;
}

}  // namespace

std::optional<Condition> compile_condition(YamlContext& ctx, const YAML::Node& node,
                                           std::span<const scanner::FieldSpec> fields, bool shorthand,
                                           int depth) {
    if (ctx.condition_budget == 0) return std::nullopt;  // already reported
    if (--ctx.condition_budget == 0) {
        ctx.error(node, "the policy has more than 100000 condition nodes (YAML aliases expand); refused");
        return std::nullopt;
    }
    if (depth > kMaxConditionDepth) {
        ctx.error(node, "conditions nested deeper than " + std::to_string(kMaxConditionDepth) + " levels");
        return std::nullopt;
    }
    if (!node.IsMap()) {
        ctx.error(node, "a condition must be a map such as { field: mode, at_most: \"0644\" }");
        return std::nullopt;
    }
    for (auto [key, kind] : {std::pair{"all", Condition::Kind::all}, std::pair{"any", Condition::Kind::any},
                             std::pair{"none", Condition::Kind::none}}) {
        const YAML::Node list = node[key];
        if (!list) continue;
        if (node.size() != 1) {
            ctx.error(node, std::string("'") + key + "' must stand alone in its map");
            return std::nullopt;
        }
        if (!list.IsSequence() || list.size() == 0) {
            ctx.error(list, std::string("'") + key + "' takes a non-empty list of conditions");
            return std::nullopt;
        }
        Condition c;
        c.kind = kind;
        c.pos = ctx.pos(node);
        bool ok = true;
        for (const auto& item : list) {
            auto child = compile_condition(ctx, item, fields, shorthand, depth + 1);
            if (child) c.children.push_back(std::move(*child));
            else ok = false;
        }
        if (!ok) return std::nullopt;
        return c;
    }
    if (node["field"] || !shorthand) return compile_leaf(ctx, node, fields);

    // Shorthand: { type: file, setuid: true } is all of { field: type, eq: file }, ...
    Condition all;
    all.kind = Condition::Kind::all;
    all.pos = ctx.pos(node);
    bool ok = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
        auto index = it->first.IsScalar() ? scanner::find_field(fields, it->first.Scalar()) : std::nullopt;
        if (!index) {
            std::vector<std::string> names;
            for (const auto& f : fields) names.emplace_back(f.name);
            std::string hint = closest(it->first.IsScalar() ? it->first.Scalar() : "", names);
            ctx.error(it->first, "unknown field '" + (it->first.IsScalar() ? it->first.Scalar() : "?") + "'" +
                                     (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
            ok = false;
            continue;
        }
        Condition c;
        c.pos = ctx.pos(it->first);
        c.field_name = it->first.Scalar();
        c.field = *index;
        c.as = fields[*index].kind;
        c.op = Op::eq;
        if (auto v = compile_operand(ctx, it->second, c.as, Op::eq)) c.operands.push_back(*v);
        else ok = false;
        all.children.push_back(std::move(c));
    }
    if (!ok) return std::nullopt;
    if (all.children.size() == 1) return std::move(all.children[0]);
    return all;
}

}  // namespace triad::rules
