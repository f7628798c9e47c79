// SPDX-License-Identifier: Apache-2.0
// Sysroot: safe, read-only access to files of the audited root. Every path is taken
// relative to the root; no resolution (symlink, "..", magic link) can leave it.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace triad::scanner {

// Files larger than this are refused by read_file unless the caller asks for more:
// configs are small, and a hostile 10 GiB "config" must not exhaust memory.
inline constexpr std::size_t kDefaultMaxReadBytes = 4 * 1024 * 1024;

class Sysroot {
public:
    struct Options {
        // Use the O_NOFOLLOW component walk even where openat2 exists (tests use it to
        // exercise the fallback that older kernels take).
        bool force_component_walk = false;
    };

    static Result<Sysroot> open(const std::string& path, Options options);
    static Result<Sysroot> open(const std::string& path) { return open(path, Options{}); }

    const std::string& path() const { return path_; }
    int fd() const { return fd_.get(); }
    // The root is the running system's "/": host-scope facts (processes, live values) exist.
    bool is_host() const { return is_host_; }
    bool uses_openat2() const { return use_openat2_; }

    // Opens `path` (absolute or relative, always inside the root). `flags` are open(2)
    // flags; with follow_final false a final symlink is opened itself (needs O_PATH).
    Result<UniqueFd> open_path(std::string_view path, int flags, bool follow_final) const;

    // statx of `path` without following a final symlink.
    Result<struct statx> lstat(std::string_view path) const;

    // Reads a regular file (following symlinks only inside the root). A FIFO, device or
    // socket is refused without being opened for reading; so is a file over max_bytes.
    Result<std::string> read_file(std::string_view path,
                                  std::size_t max_bytes = kDefaultMaxReadBytes) const;

    // Target of a symlink, not followed.
    Result<std::string> read_link(std::string_view path) const;

    // Joins the root's display path with an in-root path, for messages.
    std::string display(std::string_view path) const;

private:
    Sysroot(std::string path, UniqueFd fd, bool is_host, bool use_openat2)
        : path_(std::move(path)), fd_(std::move(fd)), is_host_(is_host), use_openat2_(use_openat2) {}

    Result<UniqueFd> walk_components(std::string_view path, int flags, bool follow_final) const;

    std::string path_;
    UniqueFd fd_;
    bool is_host_ = false;
    bool use_openat2_ = true;
};

}  // namespace triad::scanner
