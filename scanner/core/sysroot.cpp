// SPDX-License-Identifier: Apache-2.0
// Root-confined path resolution: openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) where the
// kernel has it (5.6+), otherwise a component-by-component O_NOFOLLOW walk that resolves
// symlinks itself against the same root.
#include "scanner/core/sysroot.h"

#include "base/file_read.h"
#include "scanner/core/sysroot_open.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <vector>

namespace triad {

namespace scanner {
namespace {

// Linux allows 40 symlinks in one resolution; we do the same in the fallback walk.
constexpr int kMaxSymlinks = 40;

long sys_openat2(int dirfd, const char* path, open_how* how) {
    return ::syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

std::deque<std::string> split_components(std::string_view path) {
    std::deque<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/') ++i;
        std::size_t j = i;
        while (j < path.size() && path[j] != '/') ++j;
        if (j > i) {
            std::string_view c = path.substr(i, j - i);
            if (c != ".") out.emplace_back(c);
        }
        i = j;
    }
    return out;
}

Result<struct statx> statx_fd(int fd, const std::string& where) {
    struct statx st {};
    if (::statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) != 0)
        return error_from_errno(errno, where);
    return st;
}

// File systems whose files are the kernel's live state, not data of an image: reading one
// through an audited root would report the scanning machine (or triad itself) as the image,
// and some reads act (/proc/kmsg consumes messages). /run and /tmp (tmpfs) hold real files.
constexpr std::array<unsigned long, 17> kPseudoFilesystems = {
    PROC_SUPER_MAGIC, SYSFS_MAGIC,        DEBUGFS_MAGIC,      SECURITYFS_MAGIC, TRACEFS_MAGIC,
    CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, BPF_FS_MAGIC,    EFIVARFS_MAGIC,   PSTOREFS_MAGIC,
    DEVPTS_SUPER_MAGIC, BINFMTFS_MAGIC,   SELINUX_MAGIC,      SMACK_MAGIC,      NSFS_MAGIC,
    0x62656570 /* configfs */, 0x65735543 /* fusectl */};

// The pseudo file system `fd` lies on by name, or null when it is an ordinary one.
const char* pseudo_filesystem(int fd) {
    struct statfs fs {};
    if (::fstatfs(fd, &fs) != 0) return nullptr;
    const auto type = static_cast<unsigned long>(fs.f_type);
    if (std::find(kPseudoFilesystems.begin(), kPseudoFilesystems.end(), type) == kPseudoFilesystems.end())
        return nullptr;
    switch (type) {
        case PROC_SUPER_MAGIC: return "procfs";
        case SYSFS_MAGIC: return "sysfs";
        case DEBUGFS_MAGIC: return "debugfs";
        case SECURITYFS_MAGIC: return "securityfs";
        case TRACEFS_MAGIC: return "tracefs";
        case CGROUP_SUPER_MAGIC:
        case CGROUP2_SUPER_MAGIC: return "cgroup";
        case EFIVARFS_MAGIC: return "efivarfs";
        default: return "a kernel pseudo file system";
    }
}

}  // namespace

Result<Sysroot> Sysroot::open(const std::string& path, Options options) {
    UniqueFd fd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return error_from_errno(errno, path);

    // Probe once whether openat2 exists (ENOSYS on kernels before 5.6, or under seccomp).
    bool use_openat2 = !options.force_component_walk;
    if (use_openat2) {
        open_how how{};
        how.flags = O_PATH | O_CLOEXEC;
        how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
        long probe = sys_openat2(fd.get(), ".", &how);
        if (probe >= 0) ::close(static_cast<int>(probe));
        else if (errno == ENOSYS || errno == EPERM) use_openat2 = false;
    }

    struct stat root_st {}, slash_st {};
    bool is_host = ::fstat(fd.get(), &root_st) == 0 && ::stat("/", &slash_st) == 0 &&
                   root_st.st_dev == slash_st.st_dev && root_st.st_ino == slash_st.st_ino;
    return Sysroot(path, std::move(fd), is_host, use_openat2);
}

std::string Sysroot::display(std::string_view path) const {
    if (path_ == "/" || path_.empty()) return std::string(path);
    std::string out = path_;
    while (!out.empty() && out.back() == '/') out.pop_back();
    if (path.empty() || path.front() != '/') out += '/';
    out += path;
    return out;
}

Result<UniqueFd> Sysroot::open_path(std::string_view path, int flags, bool follow_final) const {
    if (!use_openat2_) return walk_components(path, flags, follow_final);
    std::string p(path);
    if (p.empty()) p = "/";
    open_how how{};
    how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC | (follow_final ? 0 : O_NOFOLLOW));
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    for (;;) {
        long fd = sys_openat2(fd_.get(), p.c_str(), &how);
        if (fd >= 0) return UniqueFd(static_cast<int>(fd));
        if (errno == EAGAIN || errno == EINTR) continue;  // a rename raced the lookup; retry
        return error_from_errno(errno, display(path));
    }
}

// The fallback: resolve one component at a time, every open O_NOFOLLOW, symlinks read and
// re-resolved against our root so that "/x" and "../../x" stay inside it.
Result<UniqueFd> Sysroot::walk_components(std::string_view path, int flags, bool follow_final) const {
    const std::string where = display(path);
    std::vector<UniqueFd> dirs;  // dirs[0] is the root; ".." pops but never past it
    dirs.emplace_back(::openat(fd_.get(), ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dirs.back().valid()) return error_from_errno(errno, where);

    std::deque<std::string> rest = split_components(path);
    int symlinks = 0;
    if (rest.empty()) {
        UniqueFd fd(::openat(fd_.get(), ".", flags | O_CLOEXEC));
        if (!fd.valid()) return error_from_errno(errno, where);
        return fd;
    }
    while (!rest.empty()) {
        std::string name = std::move(rest.front());
        rest.pop_front();
        bool last = rest.empty();
        if (name == "..") {
            if (dirs.size() > 1) dirs.pop_back();
            if (last) {
                UniqueFd fd(::openat(dirs.back().get(), ".", flags | O_CLOEXEC));
                if (!fd.valid()) return error_from_errno(errno, where);
                return fd;
            }
            continue;
        }
        UniqueFd probe(::openat(dirs.back().get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (!probe.valid()) return error_from_errno(errno, where);
        auto st = statx_fd(probe.get(), where);
        if (!st) return st.error();
        bool is_link = S_ISLNK(st->stx_mode);
        if (is_link && (!last || follow_final)) {
            if (++symlinks > kMaxSymlinks) return error_from_errno(ELOOP, where);
            char target[4096];
            ssize_t n = ::readlinkat(probe.get(), "", target, sizeof(target) - 1);
            if (n < 0) return error_from_errno(errno, where);
            std::string_view t(target, static_cast<std::size_t>(n));
            std::deque<std::string> link_parts = split_components(t);
            if (!t.empty() && t.front() == '/') dirs.resize(1);  // absolute: restart at our root
            rest.insert(rest.begin(), link_parts.begin(), link_parts.end());
            if (rest.empty()) {  // link to "/"
                UniqueFd fd(::openat(dirs.back().get(), ".", flags | O_CLOEXEC));
                if (!fd.valid()) return error_from_errno(errno, where);
                return fd;
            }
            continue;
        }
        if (last) {
            if ((flags & O_PATH) && !(flags & O_DIRECTORY) && !follow_final) return probe;
            UniqueFd fd(::openat(dirs.back().get(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC));
            if (!fd.valid()) return error_from_errno(errno, where);
            return fd;
        }
        if (!S_ISDIR(st->stx_mode)) return error_from_errno(ENOTDIR, where);
        dirs.push_back(std::move(probe));
    }
    return error_from_errno(ENOENT, where);
}

Result<struct statx> Sysroot::lstat(std::string_view path) const {
    auto fd = open_path(path, O_PATH, /*follow_final=*/false);
    if (!fd) return fd.error();
    return statx_fd(fd->get(), display(path));
}

Status refuse_pseudo_filesystem(const Sysroot& root, int fd, const std::string& where) {
    // A procfs or sysfs mounted inside an audited root (a container seen through
    // /proc/PID/root, an image with its /proc bind-mounted) shows the scanning machine, not
    // the image. Trees that are pseudo file systems themselves (--proc, --sys) are read as such.
    if (const char* fs = pseudo_filesystem(fd); fs && !pseudo_filesystem(root.fd()))
        return Error{ErrorCode::invalid_input,
                     std::string("on ") + fs + " mounted inside the audited root: live kernel state, not the image's; not read",
                     where};
    return ok();
}

Result<OpenedFile> open_regular_file(const Sysroot& root, std::string_view path, std::size_t max_bytes,
                                     bool follow_final) {
    const std::string where = root.display(path);
    // One path lookup, O_PATH: nothing is opened for I/O yet, so a FIFO cannot block and a
    // device driver is not called. Every decision below is made on this very inode, and the
    // read goes through it too: a file swapped for a device after the lookup is never opened.
    auto probe = root.open_path(path, O_PATH, follow_final);
    if (!probe) return probe.error();
    auto st = statx_fd(probe->get(), where);
    if (!st) return st.error();
    if (S_ISDIR(st->stx_mode)) return Error{ErrorCode::invalid_input, "is a directory", where};
    if (!S_ISREG(st->stx_mode)) return Error{ErrorCode::invalid_input, "not a regular file; not opened", where};
    if (Status s = refuse_pseudo_filesystem(root, probe->get(), where); !s) return s.error();
    if (st->stx_size > max_bytes)
        return Error{ErrorCode::invalid_input,
                     "larger than " + std::to_string(max_bytes) + " bytes; not read", where};

    // Reopen the inode we looked at through its descriptor's magic link: no second lookup
    // of `path` that a rename could redirect.
    const std::string self = "/proc/self/fd/" + std::to_string(probe->get());
    UniqueFd fd(::open(self.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd.valid()) {
        // Without /proc mounted in triad's own namespace there is no way to reopen an O_PATH
        // descriptor; refusing would make every file unreadable, so fall back to a second
        // lookup (still inside the root, non-blocking) and check that it found the same inode.
        if (errno != ENOENT) return error_from_errno(errno, where);
        auto reopened = root.open_path(path, O_RDONLY | O_NONBLOCK | O_NOCTTY, follow_final);
        if (!reopened) return reopened.error();
        fd = std::move(*reopened);
    }
    auto again = statx_fd(fd.get(), where);
    if (!again) return again.error();
    if (!S_ISREG(again->stx_mode) || again->stx_ino != st->stx_ino || again->stx_dev_major != st->stx_dev_major ||
        again->stx_dev_minor != st->stx_dev_minor)
        return Error{ErrorCode::invalid_input, "changed while being opened; not read", where};
    return OpenedFile{std::move(fd), again->stx_size};
}

Result<std::string> Sysroot::read_file(std::string_view path, std::size_t max_bytes) const {
    auto file = open_regular_file(*this, path, max_bytes, /*follow_final=*/true);
    if (!file) return file.error();
    return read_all(file->fd.get(), max_bytes, display(path));
}

Result<std::string> Sysroot::read_link(std::string_view path) const {
    auto fd = open_path(path, O_PATH, /*follow_final=*/false);
    if (!fd) return fd.error();
    char target[4096];
    ssize_t n = ::readlinkat(fd->get(), "", target, sizeof target);
    if (n < 0) return error_from_errno(errno, display(path));
    return std::string(target, static_cast<std::size_t>(n));
}

}  // namespace scanner
}  // namespace triad
