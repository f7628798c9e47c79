// SPDX-License-Identifier: Apache-2.0
#include "scanner/config/config_file.h"

#include <strings.h>

#include <algorithm>

namespace triad::scanner {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

bool config_keys_equal(std::string_view a, std::string_view b, bool case_insensitive) {
    if (a.size() != b.size()) return false;
    return case_insensitive ? ::strncasecmp(a.data(), b.data(), a.size()) == 0 : a == b;
}

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
        if (!syntax.stop_at.empty() && config_keys_equal(key, syntax.stop_at, true)) break;
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

namespace {

std::string size_text(std::size_t bytes) {
    constexpr std::size_t kMiB = 1024 * 1024;
    return bytes % kMiB == 0 ? std::to_string(bytes / kMiB) + " MiB" : std::to_string(bytes) + " bytes";
}

}  // namespace

std::string IncludeBudget::charge(const std::string& path, std::string_view text) {
    const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) +
                              (!text.empty() && text.back() != '\n' ? 1 : 0);
    const std::string why = path + ": not read: the files included for one configuration would exceed ";
    if (files_ + 1 > limits_.files) return why + "the include budget of " + std::to_string(limits_.files) + " files";
    if (bytes_ + text.size() > limits_.bytes)
        return why + "the include budget of " + size_text(limits_.bytes) + " read";
    if (lines_ + lines > limits_.lines)
        return why + "the include budget of " + std::to_string(limits_.lines) + " lines read";
    ++files_;
    bytes_ += text.size();
    lines_ += lines;
    return {};
}

}  // namespace triad::scanner
