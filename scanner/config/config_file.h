// SPDX-License-Identifier: Apache-2.0
// The `config` collector: one key of a key/value configuration file (`KEY VALUE`,
// `KEY=VALUE`, `KEY: VALUE`), with the repeat rule of the program that reads it
// (sshd: first wins; login.defs, sysctl.d: last wins). Root or host scope.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/fact.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

enum ConfigField : std::size_t {
    kConfigFileExists, kConfigExists, kConfigValue, kConfigValues, kConfigFile, kConfigLine,
    kConfigDefaulted, kConfigFieldCount
};

std::span<const FieldSpec> config_fields();

enum class ConfigSeparator { automatic, whitespace, equals, colon };
enum class ConfigRepeat { first, last };

struct ConfigEntry {
    std::string key;
    std::string value;
    int line = 0;
};

struct ConfigSyntax {
    ConfigSeparator separator = ConfigSeparator::automatic;
    bool case_insensitive_keys = false;
    std::string stop_at;  // a keyword (e.g. sshd's "Match") after which entries are conditional
};

// Parses one file: full-line '#' and ';' comments, blank lines skipped, values trimmed and
// unquoted when wholly in matching quotes.
std::vector<ConfigEntry> parse_config(std::string_view text, const ConfigSyntax& syntax);

// A line as a program that continues lines reads it: physical lines ending in a backslash
// are joined (the backslash becomes a blank), as PAM and sudoers do. `line` is where it starts.
struct LogicalLine {
    std::string text;
    int line = 0;
};

// Splits text into logical lines; a trailing CR is dropped. With strip_hash_comments,
// everything from '#' on is removed from each physical line before joining (PAM); without,
// comments are left to the caller (sudoers, whose "#include" is a directive).
std::vector<LogicalLine> logical_lines(std::string_view text, bool strip_hash_comments);

struct ConfigQuery {
    std::vector<std::string> paths;  // globs allowed; files read in sorted order as one stream
    std::string key;
    ConfigSyntax syntax;
    ConfigRepeat repeat = ConfigRepeat::last;
    std::optional<std::string> default_value;  // the program's built-in default
};

FactSet collect_config(const Sysroot& root, const ConfigQuery& query);

}  // namespace triad::scanner
