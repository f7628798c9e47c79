// SPDX-License-Identifier: Apache-2.0
#include "scanner/walk/file_walk.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>

namespace triad::scanner {
namespace {

// Directories waiting in the queue keep their descriptor open up to this many; past it
// they are reopened by path (through the Sysroot) so a wide tree cannot exhaust fds.
constexpr int kMaxQueuedDirFds = 256;
constexpr std::size_t kDirentBufferBytes = 64 * 1024;
constexpr unsigned kStatxMask = STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID | STATX_SIZE | STATX_INO;

struct DirTask {
    std::string path;
    UniqueFd fd;            // invalid: open by path when taken
    int depth = 0;
    std::uint64_t ino = 0;  // what the path was when seen, to detect a swap before reopening
    std::uint64_t dev = 0;  // device of this directory: a child on another is a mount point
    bool transit = false;   // on a foreign mount only to reach a target below: read only that path
};

struct LinuxDirent64 {
    ino64_t d_ino;
    off64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

std::uint64_t dev_of(const struct statx& st) {
    return (std::uint64_t{st.stx_dev_major} << 32) | st.stx_dev_minor;
}

// Kernel interfaces mounted inside a root hold no files to audit and can be huge (/proc)
// or have side effects when listed; the walk never enters them, whatever it is told.
// Returns the file system's name for such a mount, null otherwise.
const char* pseudo_filesystem(int dirfd) {
    struct statfs fs {};
    if (::fstatfs(dirfd, &fs) != 0) return nullptr;
    switch (static_cast<unsigned long>(fs.f_type)) {
        case PROC_SUPER_MAGIC: return "proc";
        case SYSFS_MAGIC: return "sysfs";
        case CGROUP_SUPER_MAGIC: return "cgroup";
        case CGROUP2_SUPER_MAGIC: return "cgroup2";
        case DEBUGFS_MAGIC: return "debugfs";
        case TRACEFS_MAGIC: return "tracefs";
        case SECURITYFS_MAGIC: return "securityfs";
        case BPF_FS_MAGIC: return "bpf";
        case PSTOREFS_MAGIC: return "pstore";
        case EFIVARFS_MAGIC: return "efivarfs";
        case BINFMTFS_MAGIC: return "binfmt_misc";
        case SELINUX_MAGIC: return "selinuxfs";
        case SMACK_MAGIC: return "smackfs";
        case AUTOFS_SUPER_MAGIC: return "autofs";
        case DEVPTS_SUPER_MAGIC: return "devpts";
    }
    return nullptr;
}

enum class TargetRelation { none, leads_to, is_target };

// One directory's reading, for WalkOptions::record.
struct Listing {
    bool whole = true;                    // every entry was examined (or had vanished)
    bool self = false;                    // its "." entry is the inode the walk expected
    std::vector<std::string> privileged;  // names of its setuid or setgid regular files
};

class Walker {
public:
    Walker(const Sysroot& root, const IdentityTable& ids, const WalkOptions& options,
           const EntryVisitor& on_entry, const WalkErrorVisitor& on_error, const CancelToken* cancel)
        : root_(root), ids_(ids), options_(options), on_entry_(on_entry), on_error_(on_error), cancel_(cancel) {
        prune_ = options.prune;
        std::sort(prune_.begin(), prune_.end());
    }

    WalkStats run(Executor& executor) {
        for (const std::string& start : options_.roots) {
            if (cancelled()) break;
            seed(start);
        }
        executor.run_everywhere([this] { work(); });
        if (failure_) std::rethrow_exception(failure_);
        return WalkStats{entries_.load(), directories_.load(), errors_.load()};
    }

private:
    bool cancelled() const { return cancel_ && cancel_->cancelled(); }

    void report_error(const std::string& path, std::string reason, bool listing, std::uint64_t device) {
        ++errors_;
        on_error_(WalkError{path, std::move(reason), listing, device});
    }

    void seed(const std::string& start) {
        auto fd = root_.open_path(start, O_PATH, /*follow_final=*/false);
        if (!fd) {
            if (fd.error().code != ErrorCode::not_found) report_error(start, fd.error().message, false, 0);
            return;
        }
        struct statx st {};
        if (::statx(fd->get(), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, kStatxMask, &st) != 0) {
            report_error(start, error_from_errno(errno, start).message, false, 0);
            return;
        }
        FileEntry entry(ids_);
        std::string path = start.size() > 1 && start.back() == '/' ? start.substr(0, start.size() - 1) : start;
        entry.reset(path, fd->get(), "", st);
        ++entries_;
        on_entry_(entry);
        if (!S_ISDIR(st.stx_mode) || options_.max_depth == 0) return;
        // Asked to start inside /proc or /sys: refused like a crossed mount, but said, since
        // the caller asked for exactly this tree and must not take silence for a clean one.
        if (const char* fs = pseudo_filesystem(fd->get()))
            return report_error(path, std::string("a kernel ") + fs + " file system; not walked", true, dev_of(st));
        DirTask task{path, UniqueFd{}, 0, st.stx_ino, dev_of(st), false};
        push(std::move(task));
    }

    void push(DirTask task) {
        std::lock_guard lock(mutex_);
        stack_.push_back(std::move(task));
        ready_.notify_one();
    }

    bool pop(DirTask& task) {
        std::unique_lock lock(mutex_);
        // A failure ends every thread's walk: without it in the predicate, a thread asleep here
        // while the others stop would wait for a notification nobody sends any more.
        ready_.wait(lock, [this] { return !stack_.empty() || busy_ == 0 || failure_; });
        if (stack_.empty() || failure_) {
            // Said here, before this thread leaves the walk, not by the walk's caller once
            // every thread has: the caller may run queued work first, and a collector among it
            // waiting for this record must not wait for the caller.
            if (options_.record) options_.record->finished();
            return false;
        }
        task = std::move(stack_.back());
        stack_.pop_back();
        ++busy_;
        return true;
    }

    void finished_one() {
        std::lock_guard lock(mutex_);
        if (--busy_ == 0 && stack_.empty()) ready_.notify_all();
    }

    void work() {
        std::vector<char> buffer(kDirentBufferBytes);
        FileEntry entry(ids_);
        std::string child;
        DirTask task;
        while (pop(task)) {
            if (task.fd.valid()) --queued_fds_;
            try {
                if (!cancelled()) read_directory(task, buffer, entry, child);
            } catch (...) {
                // A visitor threw (out of memory, say): stop every thread, drop the queue and
                // hand the exception to the caller once all have stopped.
                std::lock_guard lock(mutex_);
                if (!failure_) failure_ = std::current_exception();
                queued_fds_ -= static_cast<int>(std::count_if(stack_.begin(), stack_.end(),
                                                              [](const DirTask& t) { return t.fd.valid(); }));
                stack_.clear();
                ready_.notify_all();
            }
            task.fd.reset();
            finished_one();
        }
    }

    bool pruned(const std::string& path) const {
        return !prune_.empty() && std::binary_search(prune_.begin(), prune_.end(), path);
    }

    void read_directory(DirTask& task, std::vector<char>& buffer, FileEntry& entry, std::string& child) {
        if (!task.fd.valid()) {
            auto fd = root_.open_path(task.path, O_RDONLY | O_DIRECTORY, /*follow_final=*/false);
            if (!fd) {
                // Removed since it was queued: like a file that vanishes, nothing to audit.
                if (fd.error().code != ErrorCode::not_found) report_error(task.path, fd.error().message, true, task.dev);
                return;
            }
            struct statx st {};
            if (::statx(fd->get(), "", AT_EMPTY_PATH, STATX_INO, &st) != 0 || st.stx_ino != task.ino)
                return report_error(task.path, "replaced during the walk; skipped", true, task.dev);
            task.fd = std::move(*fd);
        }
        ++directories_;
        const int dirfd = task.fd.get();
        Listing listing;
        for (;;) {
            long n = ::syscall(SYS_getdents64, dirfd, buffer.data(), buffer.size());
            if (n < 0) {
                // ENOENT: the directory was removed while we read it (the kernel refuses to
                // list a dead directory); what it held is gone too.
                if (errno != ENOENT) report_error(task.path, error_from_errno(errno, task.path).message, true, task.dev);
                return;
            }
            if (n == 0) break;
            for (long off = 0; off < n;) {
                auto* d = reinterpret_cast<LinuxDirent64*>(buffer.data() + off);
                off += d->d_reclen;
                const char* name = d->d_name;
                if (name[0] == '.' && name[1] == 0) listing.self = d->d_ino == task.ino;
                if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
                visit(task, dirfd, name, entry, child, listing);
            }
        }
        // Keyed by the inode the parent's statx saw, which the listing's own "." entry must
        // name: a directory swapped in between is not recorded as the one it replaced. A file
        // system whose "." does not carry the inode (overlayfs may not) is simply not recorded.
        if (options_.record && listing.whole && listing.self)
            options_.record->listed(task.dev, task.ino, std::move(listing.privileged));
    }

    TargetRelation relation_to_targets(const std::string& dir) const {
        TargetRelation best = TargetRelation::none;
        for (const std::string& t : options_.targets) {
            if (t == dir) return TargetRelation::is_target;
            if (dir == "/" || (t.size() > dir.size() && t.starts_with(dir) && t[dir.size()] == '/'))
                best = TargetRelation::leads_to;
        }
        return best;
    }

    void visit(const DirTask& task, int dirfd, const char* name, FileEntry& entry, std::string& child,
               Listing& listing) {
        child.assign(task.path);
        if (child.size() != 1) child += '/';
        child += name;

        struct statx st {};
        if (::statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, kStatxMask, &st) != 0) {
            if (errno != ENOENT) {
                listing.whole = false;
                report_error(child, error_from_errno(errno, child).message, false, task.dev);
            }
            return;  // vanished between readdir and statx: nothing to audit
        }
        if (options_.record && S_ISREG(st.stx_mode) && (st.stx_mode & (S_ISUID | S_ISGID)) != 0)
            listing.privileged.emplace_back(name);
        ++entries_;
        entry.reset_swap(child, dirfd, name, st);
        on_entry_(entry);
        entry.release_path(child);  // the entry is done; the path goes on to name a subdirectory

        if (!S_ISDIR(st.stx_mode)) return;
        // Opening an automount point would mount it (an NFS share, say): a side effect on
        // the audited system. statx with AT_NO_AUTOMOUNT saw it without triggering it.
        if (st.stx_attributes & STATX_ATTR_AUTOMOUNT) return;
        // The child's entries would be at depth task.depth + 2.
        if (options_.max_depth >= 0 && task.depth + 2 > options_.max_depth) return;
        if (pruned(child)) return;

        const bool mount_point = dev_of(st) != task.dev;
        bool transit = task.transit;
        if (mount_point || transit) {
            TargetRelation rel = relation_to_targets(child);
            if (mount_point && !options_.one_filesystem) transit = false;  // crossing everything
            else if (rel == TargetRelation::is_target) transit = false;
            else if (rel == TargetRelation::leads_to) transit = true;
            else return;  // a mount point like find -xdev, or off the path to a target
        }

        DirTask next{child, UniqueFd{}, task.depth + 1, st.stx_ino, dev_of(st), transit};
        if (mount_point) {
            int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) return report_error(child, error_from_errno(errno, child).message, true, dev_of(st));
            next.fd.reset(fd);
            if (pseudo_filesystem(fd)) return;
            ++queued_fds_;
        } else if (queued_fds_.load(std::memory_order_relaxed) < kMaxQueuedDirFds) {
            int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) {
                if (errno != ENOENT) report_error(child, error_from_errno(errno, child).message, true, dev_of(st));
                return;  // vanished between statx and open
            }
            next.fd.reset(fd);
            ++queued_fds_;
        }
        push(std::move(next));
    }

    const Sysroot& root_;
    const IdentityTable& ids_;
    const WalkOptions& options_;
    const EntryVisitor& on_entry_;
    const WalkErrorVisitor& on_error_;
    const CancelToken* cancel_;
    std::vector<std::string> prune_;
    std::exception_ptr failure_;  // guarded by mutex_

    std::mutex mutex_;
    std::condition_variable ready_;
    std::vector<DirTask> stack_;
    int busy_ = 0;
    std::atomic<int> queued_fds_{0};
    std::atomic<std::uint64_t> entries_{0}, directories_{0}, errors_{0};
};

}  // namespace

WalkStats walk_files(const Sysroot& root, const IdentityTable& ids, const WalkOptions& options,
                     const EntryVisitor& on_entry, const WalkErrorVisitor& on_error,
                     Executor& executor, const CancelToken* cancel) {
    Walker walker(root, ids, options, on_entry, on_error, cancel);
    return walker.run(executor);
}

}  // namespace triad::scanner
