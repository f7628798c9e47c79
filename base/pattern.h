// SPDX-License-Identifier: Apache-2.0
// Regular expressions (PCRE2, JIT-compiled, with a match limit so hostile input cannot
// make a match run away) and path globs, which compile to PCRE2 as well.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace triad {

// gave_up: PCRE2 stopped before it could tell (the match limit on a pathological pattern,
// JIT stack exhausted). The subject then neither matches nor is known not to.
enum class MatchOutcome { no_match, match, gave_up };

struct SearchResult {
    MatchOutcome outcome = MatchOutcome::no_match;
    std::string reason;  // why PCRE2 gave up; empty otherwise
};

class Regex {
public:
    // Compiles `pattern`; the error says what is wrong and at which offset.
    static Result<Regex> compile(std::string_view pattern, bool case_insensitive = false);

    SearchResult search(std::string_view subject) const;  // does the pattern match anywhere?
    const std::string& pattern() const { return pattern_; }

private:
    struct Code;
    Regex(std::string pattern, std::shared_ptr<const Code> code)
        : pattern_(std::move(pattern)), code_(std::move(code)) {}
    std::string pattern_;
    std::shared_ptr<const Code> code_;  // immutable once compiled: shared by copies and threads
};

// A path glob: `*` and `?` stay within one path component, `**` crosses components,
// `[abc]` / `[!abc]` are classes. It matches the whole path.
class Glob {
public:
    static Result<Glob> compile(std::string_view glob);

    bool matches(std::string_view path) const;
    const std::string& text() const { return text_; }
    // For "DIR/**" with a literal DIR: DIR, so a walk can skip the whole subtree.
    const std::optional<std::string>& subtree() const { return subtree_; }
    // The leading components without wildcards ("/etc/ssh" for "/etc/ssh/*_key").
    std::string literal_prefix() const;

private:
    Glob(std::string text, Regex regex, std::optional<std::string> subtree)
        : text_(std::move(text)), regex_(std::move(regex)), subtree_(std::move(subtree)) {
        literal_head_ = text_.substr(0, text_.find_first_of("*?["));
    }
    std::string text_;
    std::string literal_head_;  // text before the first wildcard: a cheap test before PCRE2
    Regex regex_;
    std::optional<std::string> subtree_;
};

bool has_glob_chars(std::string_view s);

}  // namespace triad
