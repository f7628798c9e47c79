// SPDX-License-Identifier: Apache-2.0
#include "scanner/core/path_glob.h"
#include "scanner/config/config_file.h"

#include <strings.h>

#include "scanner/walk/file_entry.h"

namespace triad::scanner {
namespace {

constexpr FieldSpec kFields[] = {
    {"file_exists", ValueKind::boolean, "at least one of the configuration files exists"},
    {"exists", ValueKind::boolean, "the key is set in a file"},
    {"value", ValueKind::string, "the effective value (the default when unset and one is given)"},
    {"values", ValueKind::list, "every value the key is set to, in file order"},
    {"file", ValueKind::string, "the file that sets the effective value"},
    {"line", ValueKind::integer, "the line that sets the effective value"},
    {"defaulted", ValueKind::boolean, "the value is the program's default, not set in a file"},
};
static_assert(std::size(kFields) == kConfigFieldCount);

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool keys_equal(std::string_view a, std::string_view b, bool case_insensitive) {
    if (a.size() != b.size()) return false;
    return case_insensitive ? ::strncasecmp(a.data(), b.data(), a.size()) == 0 : a == b;
}

}  // namespace

std::span<const FieldSpec> config_fields() { return kFields; }

std::vector<ConfigEntry> parse_config(std::string_view text, const ConfigSyntax& syntax) {
    std::vector<ConfigEntry> out;
    int line_no = 0;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;

        std::size_t sep = std::string_view::npos;
        std::size_t ws = line.find_first_of(" \t");
        switch (syntax.separator) {
            case ConfigSeparator::whitespace: sep = ws; break;
            case ConfigSeparator::equals: sep = line.find('='); break;
            case ConfigSeparator::colon: sep = line.find(':'); break;
            case ConfigSeparator::automatic: {
                // The first of '=', ':' or blank that ends the key decides.
                sep = line.find_first_of("=: \t");
                break;
            }
        }
        std::string_view key = trim(line.substr(0, sep));
        std::string_view value;
        if (sep != std::string_view::npos) {
            value = trim(line.substr(sep + 1));
            // "KEY = VALUE" and "KEY: VALUE" leave the separator after the blank.
            if (syntax.separator == ConfigSeparator::automatic && !value.empty() &&
                (value.front() == '=' || value.front() == ':') && is_space(line[sep]))
                value = trim(value.substr(1));
        }
        if (!syntax.stop_at.empty() && keys_equal(key, syntax.stop_at, true)) break;
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
            value = value.substr(1, value.size() - 2);
        if (!key.empty()) out.push_back({std::string(key), std::string(value), line_no});
    }
    return out;
}

std::vector<LogicalLine> logical_lines(std::string_view text, bool strip_hash_comments) {
    std::vector<LogicalLine> out;
    std::string logical;
    int line_no = 0, start = 0;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (logical.empty()) start = line_no;
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        if (strip_hash_comments) raw = raw.substr(0, raw.find('#'));
        if (!raw.empty() && raw.back() == '\\') {
            logical += raw.substr(0, raw.size() - 1);
            logical += ' ';
            if (!text.empty()) continue;  // a backslash on the last line continues nothing
        } else {
            logical += raw;
        }
        out.push_back({std::move(logical), start});
        logical.clear();
    }
    return out;
}

FactSet collect_config(const Sysroot& root, const ConfigQuery& query) {
    Fact fact;
    fact.object = (query.paths.empty() ? std::string("?") : query.paths.front()) + ": " + query.key;
    fact.fields.resize(kConfigFieldCount);

    bool any_file = false;
    StringList values;
    std::optional<ConfigEntry> effective;
    std::string effective_file;
    for (const std::string& pattern : query.paths) {
        auto files = expand_path_glob(root, pattern);
        if (!files) return {Fact::error(fact.object, files.error().describe())};
        for (const std::string& path : *files) {
            auto text = root.read_file(path);
            if (!text) {
                if (text.error().code == ErrorCode::not_found) continue;
                return {Fact::error(fact.object, text.error().describe())};
            }
            any_file = true;
            for (ConfigEntry& e : parse_config(*text, query.syntax)) {
                if (!keys_equal(e.key, query.key, query.syntax.case_insensitive_keys)) continue;
                values.push_back(e.value);
                if (!effective || query.repeat == ConfigRepeat::last) {
                    effective = std::move(e);
                    effective_file = path;
                }
            }
        }
    }
    fact.fields[kConfigFileExists].emplace(Value{any_file});
    fact.fields[kConfigExists].emplace(Value{effective.has_value()});
    fact.fields[kConfigDefaulted].emplace(Value{!effective && query.default_value.has_value()});
    fact.fields[kConfigValues].emplace(Value{std::move(values)});
    if (effective) {
        fact.fields[kConfigValue].emplace(Value{effective->value});
        fact.fields[kConfigFile].emplace(Value{effective_file});
        fact.fields[kConfigLine].emplace(Value{std::int64_t{effective->line}});
    } else if (query.default_value) {
        fact.fields[kConfigValue].emplace(Value{*query.default_value});
    }
    return {std::move(fact)};
}

}  // namespace triad::scanner
