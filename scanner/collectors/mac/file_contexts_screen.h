// SPDX-License-Identifier: Apache-2.0
// A bound on the regular expressions of an audited image's SELinux file_contexts before
// libselinux matches paths with them (issue 15). libselinux matches with PCRE2 and no match
// limit of its own: 2,000 crafted lines made one scan run for minutes. Every pattern is
// compiled here with PCRE2 as libselinux compiles it and tried on the path first, under a
// match limit; a path that some pattern cannot decide within it is not looked up (its fact
// is an error naming the line), and when every pattern decides it, libselinux's own matching
// of that path is bounded by the same work. The counts and sizes are capped too.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace triad::scanner {

inline constexpr std::size_t kMaxFileContextSpecs = 32768;   // refpolicy/Fedora ship 5-8 thousand
inline constexpr std::size_t kMaxFileContextPatternBytes = 4096;  // real ones are under 200 bytes
inline constexpr std::uint32_t kFileContextMatchLimit = 10000;    // PCRE2 match() calls per path and pattern
// The time the paths of one selinux_files select may take to be screened and looked up. The
// match limit bounds each pattern on each path, but 32,768 patterns at the limit over a glob
// of many paths would still run for minutes; real policies screen a path in well under a
// millisecond, so 10 s is thousands of paths. Paths left when it runs out are errors.
inline constexpr std::chrono::seconds kFileContextsTimeBudget{10};

// One file of specs and its name, as read from the audited root.
struct FileContextsText {
    std::string path;
    std::string text;
};

class FileContextsScreen {
public:
    // Compiles the pattern of every spec line. Errors: more specs than the count budget, a
    // pattern over the size budget (naming its file and line). A pattern PCRE2 cannot compile
    // is left to libselinux, which refuses the whole file with its own message.
    static Result<FileContextsScreen> build(const std::vector<FileContextsText>& files);

    // "" when every pattern decides whether it matches `path` within the match limit; else
    // why the path cannot be looked up safely: the file, line and pattern that gave up, or
    // the time budget when `deadline` passes first (looked at every few patterns).
    std::string check(std::string_view path,
                      std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max()) const;

    std::size_t size() const;

private:
    struct Specs;
    explicit FileContextsScreen(std::shared_ptr<const Specs> specs) : specs_(std::move(specs)) {}
    std::shared_ptr<const Specs> specs_;
};

}  // namespace triad::scanner
