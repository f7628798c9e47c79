// SPDX-License-Identifier: Apache-2.0
#include "scanner/core/path_glob.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/pattern.h"

namespace triad::scanner {
namespace {

// A pattern of k wildcard components over directories that link to themselves names n^k
// paths ("g/*/*/*/*/*/x.conf" over 40 self-links is 10^8): expansion stops, with an error
// naming the pattern, when any step holds more paths than this. Real expansions (the files
// of /etc/pam.d, the certificates of /etc/ssl/certs) hold hundreds. See docs/limits.md.
constexpr std::size_t kMaxGlobPaths = 10000;

Error glob_budget_error(const std::string& pattern) {
    return Error{ErrorCode::invalid_input,
                 "expands to more than " + std::to_string(kMaxGlobPaths) +
                     " paths (the glob budget; directories that link to themselves?); not expanded",
                 pattern};
}

}  // namespace

Result<std::vector<std::string>> list_directory(const Sysroot& root, const std::string& dir) {
    std::vector<std::string> names;
    const std::string path = dir.empty() ? "/" : dir;
    auto fd = root.open_path(path, O_RDONLY | O_DIRECTORY, /*follow_final=*/true);
    if (!fd) {
        if (fd.error().code == ErrorCode::not_found) return names;
        return fd.error();
    }
    DIR* d = ::fdopendir(fd->get());
    if (!d) return error_from_errno(errno, path);
    fd->release();  // owned by d now
    errno = 0;
    while (dirent* e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) names.emplace_back(e->d_name);
        errno = 0;
    }
    const int read_error = errno;
    ::closedir(d);
    if (read_error != 0) return error_from_errno(read_error, path);
    return names;
}

Result<std::vector<std::string>> expand_path_glob(const Sysroot& root, const std::string& pattern) {
    if (!has_glob_chars(pattern)) return std::vector<std::string>{pattern};
    std::vector<std::string> current{""};
    std::size_t i = 0;
    while (i < pattern.size()) {
        while (i < pattern.size() && pattern[i] == '/') ++i;
        std::size_t j = pattern.find('/', i);
        if (j == std::string::npos) j = pattern.size();
        if (j == i) break;
        std::string component = pattern.substr(i, j - i);
        i = j;
        std::vector<std::string> next;
        for (const std::string& base : current) {
            if (!has_glob_chars(component)) {
                next.push_back(base + "/" + component);  // no more paths than `current` holds
                continue;
            }
            auto names = list_directory(root, base);
            if (!names) return Error{ErrorCode::permission_denied, names.error().describe(), pattern};
            for (const std::string& name : *names)
                if (::fnmatch(component.c_str(), name.c_str(), FNM_PERIOD) == 0) {
                    if (next.size() == kMaxGlobPaths) return glob_budget_error(pattern);
                    next.push_back(base + "/" + name);
                }
        }
        current = std::move(next);
    }
    // Literal components after a wildcard were appended unchecked: drop what does not exist,
    // but keep what cannot be looked at (a 0700 home), so that it becomes an error fact.
    std::erase_if(current, [&](const std::string& p) {
        auto st = root.lstat(p);
        return !st && st.error().code == ErrorCode::not_found;
    });
    std::sort(current.begin(), current.end());
    return current;
}

}  // namespace triad::scanner
