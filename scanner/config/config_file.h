// SPDX-License-Identifier: Apache-2.0
// The parser of key/value configuration files (`KEY VALUE`, `KEY=VALUE`, `KEY: VALUE`) and
// of continued lines, shared by every collector and reader that reads such files (the
// `config` collector among them). Pure functions of the text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace triad::scanner {

enum class ConfigSeparator { automatic, whitespace, equals, colon };

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

// Whether two keys are the same for a program that reads keys with or without case.
bool config_keys_equal(std::string_view a, std::string_view b, bool case_insensitive);

// The work one configuration's includes may cause, shared by every reader that follows
// include directives (sshd Include, PAM @include, sudoers #include and #includedir): a file
// count alone does not bound it, since 256 files of 4 MiB each, or one 4 MiB file included
// 256 times, is a gigabyte of text. Each number and why it is what it is: docs/limits.md.
struct IncludeLimits {
    std::size_t files = 256;               // real configurations read a handful
    std::size_t bytes = 16 * 1024 * 1024;  // the largest real sudoers/PAM/sshd sets are < 1 MiB
    std::size_t lines = 200'000;           // physical lines, over all files read
};

class IncludeBudget {
public:
    IncludeBudget() = default;
    explicit IncludeBudget(IncludeLimits limits) : limits_(limits) {}

    // Charges one more file and its text. Returns "" while within every budget, else why
    // not: the budget that tripped, naming `path` (the file that would exceed it); the
    // reader then stops and reports the configuration as an error, never a truncated one.
    std::string charge(const std::string& path, std::string_view text);

    std::size_t files() const { return files_; }
    std::size_t bytes() const { return bytes_; }
    std::size_t lines() const { return lines_; }

private:
    IncludeLimits limits_;
    std::size_t files_ = 0, bytes_ = 0, lines_ = 0;
};

}  // namespace triad::scanner
