// SPDX-License-Identifier: Apache-2.0
#include "rules/model/value_text.h"

#include <charconv>

namespace triad::rules {

using scanner::Mode;
using scanner::StringList;
using scanner::Value;
using scanner::ValueKind;
using scanner::Version;

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

std::optional<Value> parse_value(std::string_view text, ValueKind kind) {
    switch (kind) {
        case ValueKind::boolean: if (auto b = parse_bool(text)) return Value{*b}; break;
        case ValueKind::integer: if (auto i = parse_int(text)) return Value{*i}; break;
        case ValueKind::mode: if (auto m = parse_mode(text)) return Value{*m}; break;
        case ValueKind::string: return Value{std::string(text)};
        case ValueKind::version: return Value{Version{std::string(text)}};
        case ValueKind::list: return Value{StringList{std::string(text)}};
    }
    return std::nullopt;
}

}  // namespace triad::rules
