// SPDX-License-Identifier: Apache-2.0
#include "rules/eval/condition.h"

#include <algorithm>

#include "base/pattern.h"
#include "base/version_compare.h"
#include "rules/model/value_text.h"

namespace triad::rules {

using scanner::Mode;
using scanner::StringList;
using scanner::Value;
using scanner::ValueKind;
using scanner::Version;

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
    return compare_versions(std::get<Version>(a.data).text, std::get<Version>(b.data).text);
}

bool equal(const Value& a, const Value& b) {
    if (a.kind() == ValueKind::version) return order(a, b) == 0;
    return a.data == b.data;
}

Truth truth_of(bool b) { return b ? Truth::yes : Truth::no; }

Truth search(const Regex& regex, const std::string& subject, std::string* why_unknown) {
    SearchResult r = regex.search(subject);
    if (r.outcome == MatchOutcome::gave_up) {
        if (why_unknown && why_unknown->empty()) *why_unknown = std::move(r.reason);
        return Truth::unknown;
    }
    return truth_of(r.outcome == MatchOutcome::match);
}

Truth test_leaf(const Condition& c, const Value* raw, std::string* why_unknown) {
    if (c.op == Op::exists) return truth_of((raw != nullptr) == std::get<bool>(c.operands[0].data));
    if (!raw) return truth_of(c.op == Op::ne);  // an absent field equals nothing
    // Convert only when the kinds differ: the walk tests every file, so no needless copy.
    std::optional<Value> converted;
    const Value* v = raw;
    if (raw->kind() != c.as) {
        converted = convert_value(*raw, c.as);
        if (!converted) return Truth::no;
        v = &*converted;
    }
    const Value& want = c.operands[0];
    switch (c.op) {
        case Op::eq: return truth_of(equal(*v, want));
        case Op::ne: return truth_of(!equal(*v, want));
        case Op::in:
            return truth_of(std::any_of(c.operands.begin(), c.operands.end(), [&](const Value& o) { return equal(*v, o); }));
        case Op::lt: return truth_of(order(*v, want) < 0);
        case Op::le: return truth_of(order(*v, want) <= 0);
        case Op::gt: return truth_of(order(*v, want) > 0);
        case Op::ge: return truth_of(order(*v, want) >= 0);
        case Op::at_most:
            return truth_of((std::get<Mode>(v->data).bits & ~std::get<Mode>(want.data).bits) == 0);
        case Op::matches: {
            if (v->kind() != ValueKind::list) return search(*c.regex, std::get<std::string>(v->data), why_unknown);
            // One matching element decides; an element the regex gave up on leaves it open.
            Truth any = Truth::no;
            for (const std::string& s : std::get<StringList>(v->data)) {
                Truth t = search(*c.regex, s, why_unknown);
                if (t == Truth::yes) return t;
                if (t == Truth::unknown) any = t;
            }
            return any;
        }
        case Op::contains: {
            const std::string& needle = std::get<std::string>(want.data);
            if (v->kind() == ValueKind::list) {
                const auto& l = std::get<StringList>(v->data);
                return truth_of(std::find(l.begin(), l.end(), needle) != l.end());
            }
            return truth_of(std::get<std::string>(v->data).find(needle) != std::string::npos);
        }
        case Op::exists: break;
    }
    return Truth::no;
}

void note(std::vector<std::pair<std::string, std::string>>* observed, const std::string& field, std::string value) {
    if (!observed) return;
    for (const auto& [f, _] : *observed)
        if (f == field) return;
    observed->emplace_back(field, std::move(value));
}

}  // namespace

Truth evaluate(const Condition& c, const scanner::FieldSource& object, std::string* why_unknown,
               std::vector<std::pair<std::string, std::string>>* observed) {
    switch (c.kind) {
        case Condition::Kind::leaf: {
            const Value* raw = object.field(c.field);
            // A field that could not be read has no value; only then is its error looked up
            // (the walk evaluates every check's `where` on every entry).
            if (!raw)
                if (const std::string* error = object.field_error(c.field)) {
                    if (why_unknown && why_unknown->empty()) *why_unknown = c.field_name + ": " + *error;
                    return Truth::unknown;
                }
            std::string leaf_why;
            const Truth t = test_leaf(c, raw, &leaf_why);
            if (t == Truth::unknown && why_unknown && why_unknown->empty()) *why_unknown = c.field_name + ": " + leaf_why;
            if (t == Truth::no && observed) note(observed, c.field_name, raw ? raw->to_string() : "(absent)");
            return t;
        }
        case Condition::Kind::all: {
            Truth result = Truth::yes;
            for (const Condition& child : c.children) {
                const Truth t = evaluate(child, object, why_unknown, observed);
                if (t == Truth::no) {
                    result = Truth::no;
                    if (!observed) return result;  // without evidence, stop at the first failure
                } else if (t == Truth::unknown && result == Truth::yes) {
                    result = Truth::unknown;
                }
            }
            return result;
        }
        case Condition::Kind::any: {
            Truth result = Truth::no;
            for (const Condition& child : c.children) {
                const Truth t = evaluate(child, object, why_unknown, nullptr);
                if (t == Truth::yes) return t;
                if (t == Truth::unknown) result = t;
            }
            if (result == Truth::no && observed)
                for (const Condition& child : c.children) evaluate(child, object, nullptr, observed);
            return result;
        }
        case Condition::Kind::none: {
            Truth result = Truth::yes;
            for (const Condition& child : c.children) {
                const Truth t = evaluate(child, object, why_unknown, nullptr);
                if (t == Truth::yes) {
                    if (observed && child.kind == Condition::Kind::leaf) {
                        auto raw = object.field(child.field);
                        note(observed, child.field_name, raw ? raw->to_string() : "(absent)");
                    }
                    return Truth::no;
                }
                if (t == Truth::unknown) result = t;
            }
            return result;
        }
    }
    return Truth::no;
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
