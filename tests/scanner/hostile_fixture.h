// SPDX-License-Identifier: Apache-2.0
// For tests that attack triad with a hostile root or prove that it wrote nothing: counting
// real opens of one file, a private mount namespace for mounts made inside a fixture root,
// and a snapshot of a directory that shows any write.
#pragma once

#include <doctest/doctest.h>
#include <sched.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>

namespace triad::test {

// Counts real opens (not O_PATH lookups, which raise no IN_OPEN) of one inode, wherever a
// rename moves it: inotify watches the inode, not the name.
class OpenCounter {
public:
    explicit OpenCounter(const std::string& path) : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
        REQUIRE(fd_ >= 0);
        REQUIRE(::inotify_add_watch(fd_, path.c_str(), IN_OPEN) >= 0);
    }
    ~OpenCounter() { ::close(fd_); }
    OpenCounter(const OpenCounter&) = delete;
    OpenCounter& operator=(const OpenCounter&) = delete;
    int opens() {
        alignas(inotify_event) char buf[4096];
        for (ssize_t n; (n = ::read(fd_, buf, sizeof buf)) > 0;)
            for (ssize_t i = 0; i < n;) {
                auto* e = reinterpret_cast<inotify_event*>(buf + i);
                if (e->mask & IN_OPEN) ++opens_;
                i += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
            }
        return opens_;
    }

private:
    int fd_;
    int opens_ = 0;
};

// Runs `body` in a child in a private mount namespace (mounts made there vanish with it);
// returns its exit status, 77 when namespaces or mounts cannot be made here.
template <class Body>
int in_private_mount_namespace(Body body) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::unshare(CLONE_NEWNS) != 0) ::_exit(77);
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) ::_exit(77);
        ::_exit(body());
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

// Every file and directory under `dir` with what would show a write: size, mtime, inode and
// mode. Two equal snapshots mean nothing was created, removed, replaced or changed.
inline std::map<std::string, std::string> write_snapshot(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        struct stat st {};
        REQUIRE(::lstat(e.path().c_str(), &st) == 0);
        std::ostringstream s;
        s << st.st_size << ' ' << st.st_mtim.tv_sec << '.' << st.st_mtim.tv_nsec << ' ' << st.st_ino << ' ' << st.st_mode;
        out[e.path().string()] = s.str();
    }
    return out;
}

}  // namespace triad::test
