// SPDX-License-Identifier: Apache-2.0
// The `files` collector's engine: one parallel walk of the audited root that hands every
// entry to a visitor, so all file-permission checks of a scan are answered in one pass.
// Never follows symlinks, never opens anything but directories, stays on one file system
// unless told otherwise. Root or host scope.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/cancel.h"
#include "base/executor.h"
#include "scanner/walk/file_entry.h"
#include "scanner/walk/walked_directories.h"
#include "scanner/identity/identity.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

struct WalkOptions {
    std::vector<std::string> roots{"/"};  // where to start, inside the audited root
    // Do not descend into other mounts (find -xdev)... except on the way to a target: a
    // directory some visitor starts from (say /var/log on its own partition). Below a
    // foreign mount only the directories leading to a target are read ("transit"); from
    // the target on, the walk is whole again. Entries carry their device, so a visitor
    // can tell which file system each came from.
    bool one_filesystem = true;
    std::vector<std::string> targets;
    int max_depth = -1;                   // below a start directory; -1: unlimited
    std::vector<std::string> prune;       // subtrees no visitor wants: not read at all
    // When set, every directory read to its end is recorded there with its setuid and setgid
    // regular files, and it is told when the walk has finished.
    WalkedDirectories* record = nullptr;
};

struct WalkStats {
    std::uint64_t entries = 0;
    std::uint64_t directories = 0;
    std::uint64_t errors = 0;
};

// Something the walk could not read. `listing`: the directory at `path` could not be listed
// (or was not walked), so what is below it is unknown; otherwise the object at `path`
// itself could not be examined. `device` is the file system the unreadable thing is on
// (0: unknown), so a one-file-system scope can tell whether it concerns it.
struct WalkError {
    std::string path;
    std::string reason;
    bool listing = false;
    std::uint64_t device = 0;
};

// Called from several threads at once; the entry is valid only during the call.
using EntryVisitor = std::function<void(const FileEntry&)>;
using WalkErrorVisitor = std::function<void(const WalkError&)>;

// Walks on the executor's threads (all of them) and returns when done, or soon after
// `cancel` is set (no further directory is read). An exception thrown by a visitor stops
// the walk and is rethrown here once every thread has stopped.
WalkStats walk_files(const Sysroot& root, const IdentityTable& ids, const WalkOptions& options,
                     const EntryVisitor& on_entry, const WalkErrorVisitor& on_error,
                     Executor& executor, const CancelToken* cancel = nullptr);

}  // namespace triad::scanner
