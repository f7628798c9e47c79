// SPDX-License-Identifier: Apache-2.0
#include "scanner/core/fact.h"

#include <cstdio>

namespace triad::scanner {

std::string format_mode(std::uint32_t bits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04o", bits & 07777u);
    return buf;
}

std::string Value::to_string() const {
    struct Visitor {
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(const Mode& m) const { return format_mode(m.bits); }
        std::string operator()(const std::string& s) const { return s; }
        std::string operator()(const Version& v) const { return v.text; }
        std::string operator()(const StringList& l) const {
            std::string out;
            for (const auto& s : l) {
                if (!out.empty()) out += ", ";
                out += s;
            }
            return out;
        }
    };
    return std::visit(Visitor{}, data);
}

std::string ValueOrigin::to_string() const {
    switch (kind) {
        case Kind::read: return line > 0 ? file + ":" + std::to_string(line) : file;
        case Kind::not_set: return defaulted ? "default (not set in " + file + ")" : "not set in " + file;
        case Kind::file_absent: {
            // `file` lists every path consulted when there were several.
            const bool several = file.find(", ") != std::string::npos;
            return (defaulted ? "default (" : "absent (") + (several ? "none of " + file + " exists)" : file + " does not exist)");
        }
    }
    return file;
}

std::string_view to_string(ValueKind kind) {
    switch (kind) {
        case ValueKind::boolean: return "boolean";
        case ValueKind::integer: return "integer";
        case ValueKind::mode: return "mode";
        case ValueKind::string: return "string";
        case ValueKind::list: return "list";
        case ValueKind::version: return "version";
    }
    return "?";
}

std::optional<std::size_t> find_field(std::span<const FieldSpec> fields, std::string_view name) {
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (name == fields[i].name) return i;
    return std::nullopt;
}

}  // namespace triad::scanner
