// SPDX-License-Identifier: Apache-2.0
#define PCRE2_CODE_UNIT_WIDTH 8
#include "scanner/collectors/mac/file_contexts_screen.h"

#include <pcre2.h>

namespace triad::scanner {
namespace {

// Deep recursion is what a crafted nesting exhausts first in the interpreter.
constexpr std::uint32_t kDepthLimit = 1000;

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

struct Pattern {
    std::string where;  // file:line
    std::string source;
    pcre2_code* code = nullptr;
};

struct MatchScratch {
    pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
    pcre2_match_context* context = [] {
        pcre2_match_context* c = pcre2_match_context_create(nullptr);
        pcre2_set_match_limit(c, kFileContextMatchLimit);
        pcre2_set_depth_limit(c, kDepthLimit);
        return c;
    }();
    ~MatchScratch() {
        pcre2_match_data_free(data);
        pcre2_match_context_free(context);
    }
};

MatchScratch& scratch() {
    thread_local MatchScratch s;  // collectors run on several threads
    return s;
}

}  // namespace

struct FileContextsScreen::Specs {
    std::vector<Pattern> patterns;
    ~Specs() {
        for (Pattern& p : patterns) pcre2_code_free(p.code);
    }
};

Result<FileContextsScreen> FileContextsScreen::build(const std::vector<FileContextsText>& files) {
    auto specs = std::make_shared<Specs>();
    for (const FileContextsText& file : files) {
        std::string_view rest = file.text;
        int line_no = 0;
        while (!rest.empty()) {
            const std::size_t nl = rest.find('\n');
            std::string_view line = rest.substr(0, nl);
            rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
            ++line_no;
            std::size_t i = 0;
            while (i < line.size() && blank(line[i])) ++i;
            if (i == line.size() || line[i] == '#') continue;
            std::size_t end = i;
            while (end < line.size() && !blank(line[end])) ++end;
            const std::string where = file.path + ":" + std::to_string(line_no);
            if (specs->patterns.size() == kMaxFileContextSpecs)
                return Error{ErrorCode::invalid_input,
                             "more than " + std::to_string(kMaxFileContextSpecs) +
                                 " file context specifications (the count budget); not loaded",
                             where};
            if (end - i > kMaxFileContextPatternBytes)
                return Error{ErrorCode::invalid_input,
                             "a pattern of " + std::to_string(end - i) + " bytes, over the " +
                                 std::to_string(kMaxFileContextPatternBytes) + "-byte budget; not loaded",
                             where};
            // As libselinux compiles it: anchored at both ends, '.' matching any byte.
            const std::string anchored = "^" + std::string(line.substr(i, end - i)) + "$";
            int err = 0;
            PCRE2_SIZE offset = 0;
            pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(anchored.data()), anchored.size(),
                                             PCRE2_DOTALL, &err, &offset, nullptr);
            if (!code) continue;  // libselinux refuses it when loading, with its own message
            pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // best effort; the limit holds either way
            specs->patterns.push_back({where, std::string(line.substr(i, end - i)), code});
        }
    }
    return FileContextsScreen(std::move(specs));
}

namespace {

std::string time_budget_spent(std::size_t patterns_tried, std::size_t patterns) {
    return "the expected context was not looked up: the file_contexts time budget (" +
           std::to_string(kFileContextsTimeBudget.count()) + " s for the paths of one select) ran out after " +
           std::to_string(patterns_tried) + " of " + std::to_string(patterns) + " patterns were tried on this path";
}

}  // namespace

std::string FileContextsScreen::check(std::string_view path, std::chrono::steady_clock::time_point deadline) const {
    MatchScratch& s = scratch();
    std::size_t tried = 0;
    for (const Pattern& p : specs_->patterns) {
        // A pattern at the match limit costs about a millisecond: looking every 64 keeps the
        // overrun small and the clock out of the common path.
        if (tried++ % 64 == 0 && std::chrono::steady_clock::now() >= deadline)
            return time_budget_spent(tried - 1, specs_->patterns.size());
        const int rc = pcre2_match(p.code, reinterpret_cast<PCRE2_SPTR>(path.data()), path.size(), 0, 0, s.data,
                                   s.context);
        if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH) continue;
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(rc, msg, sizeof msg);
        std::string shown = p.source.size() > 80 ? p.source.substr(0, 80) + "..." : p.source;
        return "the expected context was not looked up: the pattern '" + shown + "' at " + p.where +
               " cannot decide this path within the file_contexts match budget (" +
               reinterpret_cast<const char*>(msg) + ")";
    }
    return {};
}

std::size_t FileContextsScreen::size() const { return specs_->patterns.size(); }

}  // namespace triad::scanner
