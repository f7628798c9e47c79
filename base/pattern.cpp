// SPDX-License-Identifier: Apache-2.0
#define PCRE2_CODE_UNIT_WIDTH 8
#include "base/pattern.h"

#include <pcre2.h>

namespace triad {
namespace {

// Enough for any sane check; a pathological pattern on a long line gives up instead of hanging.
constexpr uint32_t kMatchLimit = 1'000'000;

struct MatchData {
    pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
    pcre2_match_context* context = [] {
        pcre2_match_context* c = pcre2_match_context_create(nullptr);
        pcre2_set_match_limit(c, kMatchLimit);
        return c;
    }();
    ~MatchData() {
        pcre2_match_data_free(data);
        pcre2_match_context_free(context);
    }
};

// One match block per thread, reused: the walk matches globs on every entry.
MatchData& thread_match_data() {
    thread_local MatchData md;
    return md;
}

}  // namespace

struct Regex::Code {
    pcre2_code* code = nullptr;
    ~Code() { pcre2_code_free(code); }
};

Result<Regex> Regex::compile(std::string_view pattern, bool case_insensitive) {
    int err = 0;
    PCRE2_SIZE offset = 0;
    uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    if (case_insensitive) options |= PCRE2_CASELESS;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     options, &err, &offset, nullptr);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        return Error{ErrorCode::invalid_input,
                     "bad regex '" + std::string(pattern) + "' at offset " + std::to_string(offset) +
                         ": " + reinterpret_cast<const char*>(msg),
                     ""};
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // best effort: the interpreter still works
    auto holder = std::make_shared<Code>();
    holder->code = code;
    return Regex(std::string(pattern), std::move(holder));
}

SearchResult Regex::search(std::string_view subject) const {
    MatchData& md = thread_match_data();
    int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                         0, md.data, md.context);
    if (rc >= 0) return {MatchOutcome::match, {}};
    if (rc == PCRE2_ERROR_NOMATCH) return {MatchOutcome::no_match, {}};
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof msg);
    return {MatchOutcome::gave_up, "regex '" + pattern_ + "' gave up on " + std::to_string(subject.size()) +
                                       " bytes: " + reinterpret_cast<const char*>(msg)};
}

bool has_glob_chars(std::string_view s) {
    return s.find_first_of("*?[") != std::string_view::npos;
}

Result<Glob> Glob::compile(std::string_view glob) {
    std::string re = "^";
    for (std::size_t i = 0; i < glob.size(); ++i) {
        char c = glob[i];
        if (c == '*') {
            if (i + 1 < glob.size() && glob[i + 1] == '*') {
                ++i;
                if (i + 1 < glob.size() && glob[i + 1] == '/') {
                    ++i;
                    re += "(?:.*/)?";  // "**/" also matches no directory at all
                } else {
                    re += ".*";
                }
            } else {
                re += "[^/]*";
            }
        } else if (c == '?') {
            re += "[^/]";
        } else if (c == '[') {
            std::size_t close = glob.find(']', i + 2);
            if (close == std::string_view::npos)
                return Error{ErrorCode::invalid_input, "unclosed '[' in glob '" + std::string(glob) + "'", ""};
            std::string_view body = glob.substr(i + 1, close - i - 1);
            re += '[';
            if (!body.empty() && (body[0] == '!' || body[0] == '^')) {
                re += '^';
                body.remove_prefix(1);
            }
            for (char b : body) {
                if (b == '\\' || b == '[' || b == ']') re += '\\';
                re += b;
            }
            re += ']';
            i = close;
        } else {
            if (std::string_view("\\.^$|()+{}").find(c) != std::string_view::npos) re += '\\';
            re += c;
        }
    }
    re += '$';
    auto regex = Regex::compile(re);
    if (!regex) return Error{ErrorCode::invalid_input, "bad glob '" + std::string(glob) + "'", ""};

    std::optional<std::string> subtree;
    if (glob.size() > 3 && glob.ends_with("/**") && !has_glob_chars(glob.substr(0, glob.size() - 3)))
        subtree = std::string(glob.substr(0, glob.size() - 3));
    return Glob(std::string(glob), std::move(*regex), std::move(subtree));
}

bool Glob::matches(std::string_view path) const {
    // The walk asks every exclude glob about every entry; most differ in their first bytes.
    // A glob that gives up (several `**` against a path near PATH_MAX) does not match: an
    // exclude or a waiver never hides a path it could not judge.
    return path.starts_with(literal_head_) && regex_.search(path).outcome == MatchOutcome::match;
}

std::string Glob::literal_prefix() const {
    std::string_view t = text_;
    std::size_t meta = t.find_first_of("*?[");
    if (meta == std::string_view::npos) return text_;
    std::size_t slash = t.rfind('/', meta);
    if (slash == std::string_view::npos) return "";
    return std::string(t.substr(0, slash == 0 ? 1 : slash));
}

}  // namespace triad
