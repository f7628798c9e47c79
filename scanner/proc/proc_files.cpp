// SPDX-License-Identifier: Apache-2.0
#include "scanner/proc/proc_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/file_read.h"
#include "base/unique_fd.h"

namespace triad::scanner {

Result<std::string> read_proc_file_at(int dirfd, const char* name, std::size_t max_bytes, const std::string& where) {
    UniqueFd fd(::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd.valid()) return error_from_errno(errno, where);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return error_from_errno(errno, where);
    if (!S_ISREG(st.st_mode)) return Error{ErrorCode::invalid_input, "not a regular file; not read", where};
    return read_all(fd.get(), max_bytes, where);
}

std::optional<std::string> read_proc_link_at(int dirfd, const char* name) {
    char buf[4096];
    const ssize_t n = ::readlinkat(dirfd, name, buf, sizeof buf);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
}

std::vector<std::string> list_proc_dir(int dirfd) {
    std::vector<std::string> names;
    const int dup = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dup < 0) return names;
    DIR* d = ::fdopendir(dup);
    if (!d) {
        ::close(dup);
        return names;
    }
    while (dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    ::closedir(d);
    return names;
}

std::vector<std::string_view> split_proc_words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        std::size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
        if (j > i) out.push_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace triad::scanner
