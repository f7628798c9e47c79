// SPDX-License-Identifier: Apache-2.0
#include "rules/condition.h"

#include <algorithm>
#include <charconv>

#include "scanner/version_compare.h"

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

std::optional<std::int64_t> parse_int(std::string_view s) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::optional<Mode> parse_mode(std::string_view s) {
    if (s.empty() || s.size() > 5) return std::nullopt;
    std::uint32_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '7') return std::nullopt;
        v = v * 8 + static_cast<std::uint32_t>(c - '0');
    }
    if (v > 07777) return std::nullopt;
    return Mode{v};
}

std::optional<bool> parse_bool(std::string_view s) {
    if (s == "true" || s == "yes" || s == "True" || s == "on") return true;
    if (s == "false" || s == "no" || s == "False" || s == "off") return false;
    return std::nullopt;
}

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

// A scalar from YAML typed as `kind`.
std::optional<Value> scalar_as(const std::string& text, ValueKind kind) {
    switch (kind) {
        case ValueKind::boolean: if (auto b = parse_bool(text)) return Value{*b}; break;
        case ValueKind::integer: if (auto i = parse_int(text)) return Value{*i}; break;
        case ValueKind::mode: if (auto m = parse_mode(text)) return Value{*m}; break;
        case ValueKind::string: return Value{text};
        case ValueKind::version: return Value{Version{text}};
        case ValueKind::list: return Value{StringList{text}};
    }
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
    auto v = scalar_as(node.Scalar(), want);
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
        auto re = scanner::Regex::compile(std::get<std::string>(c.operands[0].data));
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

std::optional<Value> convert_value(const Value& v, ValueKind to) {
    if (v.kind() == to) return v;
    std::string text = v.to_string();
    switch (to) {
        case ValueKind::string: return Value{text};
        case ValueKind::list:
            if (v.kind() == ValueKind::string) return Value{StringList{text}};
            return std::nullopt;
        case ValueKind::integer:
            if (v.kind() == ValueKind::mode) return Value{std::int64_t{std::get<Mode>(v.data).bits}};
            if (v.kind() == ValueKind::boolean) return std::nullopt;
            if (auto i = parse_int(text)) return Value{*i};
            return std::nullopt;
        case ValueKind::mode:
            if (v.kind() == ValueKind::integer) {
                auto i = std::get<std::int64_t>(v.data);
                if (i >= 0 && i <= 07777) return Value{Mode{static_cast<std::uint32_t>(i)}};
                return std::nullopt;
            }
            if (auto m = parse_mode(text)) return Value{*m};
            return std::nullopt;
        case ValueKind::boolean:
            if (auto b = parse_bool(text)) return Value{*b};
            return std::nullopt;
        case ValueKind::version: return Value{Version{text}};
    }
    return std::nullopt;
}

namespace {

// <0, 0, >0; only called for kinds op_fits_kind allows to be ordered.
int order(const Value& a, const Value& b) {
    if (a.kind() == ValueKind::integer) {
        auto x = std::get<std::int64_t>(a.data), y = std::get<std::int64_t>(b.data);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.kind() == ValueKind::mode) {
        auto x = std::get<Mode>(a.data).bits, y = std::get<Mode>(b.data).bits;
        return x < y ? -1 : x > y ? 1 : 0;
    }
    return scanner::compare_versions(std::get<Version>(a.data).text, std::get<Version>(b.data).text);
}

bool equal(const Value& a, const Value& b) {
    if (a.kind() == ValueKind::version) return order(a, b) == 0;
    return a.data == b.data;
}

bool test_leaf(const Condition& c, const Value* raw) {
    if (c.op == Op::exists) return (raw != nullptr) == std::get<bool>(c.operands[0].data);
    if (!raw) return c.op == Op::ne;  // an absent field equals nothing
    // Convert only when the kinds differ: the walk tests every file, so no needless copy.
    std::optional<Value> converted;
    const Value* v = raw;
    if (raw->kind() != c.as) {
        converted = convert_value(*raw, c.as);
        if (!converted) return false;
        v = &*converted;
    }
    const Value& want = c.operands[0];
    switch (c.op) {
        case Op::eq: return equal(*v, want);
        case Op::ne: return !equal(*v, want);
        case Op::in:
            return std::any_of(c.operands.begin(), c.operands.end(), [&](const Value& o) { return equal(*v, o); });
        case Op::lt: return order(*v, want) < 0;
        case Op::le: return order(*v, want) <= 0;
        case Op::gt: return order(*v, want) > 0;
        case Op::ge: return order(*v, want) >= 0;
        case Op::at_most:
            return (std::get<Mode>(v->data).bits & ~std::get<Mode>(want.data).bits) == 0;
        case Op::matches:
            if (v->kind() == ValueKind::list) {
                const auto& l = std::get<StringList>(v->data);
                return std::any_of(l.begin(), l.end(), [&](const std::string& s) { return c.regex->search(s); });
            }
            return c.regex->search(std::get<std::string>(v->data));
        case Op::contains: {
            const std::string& needle = std::get<std::string>(want.data);
            if (v->kind() == ValueKind::list) {
                const auto& l = std::get<StringList>(v->data);
                return std::find(l.begin(), l.end(), needle) != l.end();
            }
            return std::get<std::string>(v->data).find(needle) != std::string::npos;
        }
        case Op::exists: break;
    }
    return false;
}

void note(std::vector<std::pair<std::string, std::string>>* observed, const std::string& field, std::string value) {
    if (!observed) return;
    for (const auto& [f, _] : *observed)
        if (f == field) return;
    observed->emplace_back(field, std::move(value));
}

}  // namespace

bool evaluate(const Condition& c, const scanner::FieldSource& object,
              std::vector<std::pair<std::string, std::string>>* observed) {
    switch (c.kind) {
        case Condition::Kind::leaf: {
            const Value* raw = object.field(c.field);
            bool ok = test_leaf(c, raw);
            if (!ok && observed) note(observed, c.field_name, raw ? raw->to_string() : "(absent)");
            return ok;
        }
        case Condition::Kind::all: {
            bool ok = true;
            for (const Condition& child : c.children) {
                if (!evaluate(child, object, observed)) {
                    ok = false;
                    if (!observed) return false;  // without evidence, stop at the first failure
                }
            }
            return ok;
        }
        case Condition::Kind::any:
            for (const Condition& child : c.children)
                if (evaluate(child, object, nullptr)) return true;
            if (observed)
                for (const Condition& child : c.children) evaluate(child, object, observed);
            return false;
        case Condition::Kind::none:
            for (const Condition& child : c.children) {
                if (evaluate(child, object, nullptr)) {
                    if (observed && child.kind == Condition::Kind::leaf) {
                        auto raw = object.field(child.field);
                        note(observed, child.field_name, raw ? raw->to_string() : "(absent)");
                    }
                    return false;
                }
            }
            return true;
    }
    return false;
}

void referenced_fields(const Condition& c, std::vector<std::size_t>& out) {
    if (c.kind == Condition::Kind::leaf) {
        if (std::find(out.begin(), out.end(), c.field) == out.end()) out.push_back(c.field);
        return;
    }
    for (const Condition& child : c.children) referenced_fields(child, out);
}

std::string describe(const Condition& c) {
    if (c.kind == Condition::Kind::leaf) {
        std::string out = c.field_name + " " + std::string(to_string(c.op)) + " ";
        if (c.op == Op::in) out += "[";
        for (std::size_t i = 0; i < c.operands.size(); ++i) {
            if (i) out += ", ";
            out += c.operands[i].to_string();
        }
        if (c.op == Op::in) out += "]";
        return out;
    }
    std::string out = c.kind == Condition::Kind::all ? "all(" : c.kind == Condition::Kind::any ? "any(" : "none(";
    for (std::size_t i = 0; i < c.children.size(); ++i) {
        if (i) out += "; ";
        out += describe(c.children[i]);
    }
    return out + ")";
}

}  // namespace triad::rules
