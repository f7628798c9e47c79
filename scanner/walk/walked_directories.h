// SPDX-License-Identifier: Apache-2.0
// WalkedDirectories: what one scan's file-system walk proved about set-id bits, for a
// collector that would otherwise stat the same files again (package_integrity with
// `setuid: true` stats every package file). It holds the directories the walk listed in
// full (every entry examined with statx), each with the names of its setuid or setgid
// regular files. Directories are keyed by device and inode, so any spelling of one (/bin
// through the merged-/usr symlink to /usr/bin) finds it. A directory the walk did not list in
// full (outside every scope, pruned, an entry it could not examine, a cancelled walk) is not
// here, and the reader stats its files itself: a verdict never depends on what the walk
// happened to cover, only the cost does.
//
// Owned by the engine for one scan (never by a memo that outlives it: the daemon's is kept
// across scans, and last scan's modes are not this one's). Thread-safe.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/cancel.h"
#include "base/executor.h"

namespace triad::scanner {

class WalkedDirectories {
public:
    // The walk's side. started() before the walk reads anything, listed() once per directory
    // read to its end, finished() once it has read all it will (also after a failure or a
    // cancel: then what it listed is still true, the rest is simply not here).
    void started() { state_.store(kRunning); }
    // `device`: (major << 32) | minor, as FileEntry::device() packs it.
    void listed(std::uint64_t device, std::uint64_t inode, std::vector<std::string> privileged);
    void finished() { state_.store(kFinished); }

    // The reader's side. Waits until the walk has finished, running the executor's queued
    // work meanwhile (the walk's own helpers among it), so that a thread that waits still
    // works. Returns false at once when no walk has started (a scan without one, or one that
    // has not begun yet: waiting could then be for a walk queued behind this very thread) and
    // when `cancel` is set while waiting; then nothing may be looked up. Deadlock-free because
    // the walk never waits for a collector.
    bool wait(Executor& executor, const CancelToken* cancel) const;

    // After wait() returned true: null when the walk did not list the directory (its statx,
    // device and inode used) in full, else the names of its setuid or setgid regular files.
    const std::vector<std::string>* privileged_in(const struct statx& directory) const;

    std::size_t size() const;

private:
    static constexpr int kIdle = 0, kRunning = 1, kFinished = 2;
    struct Key {
        std::uint64_t device, inode;
        Key(std::uint64_t d, std::uint64_t i) : device(d), inode(i) {}
        explicit Key(const struct statx& st);
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const { return std::hash<std::uint64_t>{}(k.inode * 31 + k.device); }
    };

    std::atomic<int> state_{kIdle};
    mutable std::mutex mutex_;
    std::unordered_map<Key, std::vector<std::string>, KeyHash> directories_;
};

}  // namespace triad::scanner
