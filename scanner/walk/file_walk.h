// SPDX-License-Identifier: Apache-2.0
// The `files` collector's engine: one parallel walk of the audited root that hands every
// entry to a visitor, so all file-permission checks of a scan are answered in one pass.
// Never follows symlinks, never opens anything but directories, stays on one file system
// unless told otherwise. Root or host scope.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "scanner/walk/file_entry.h"
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
    int jobs = 0;                         // threads; 0: one per core
};

struct WalkStats {
    std::uint64_t entries = 0;
    std::uint64_t directories = 0;
    std::uint64_t errors = 0;
};

// Called from several threads at once; the entry is valid only during the call.
using EntryVisitor = std::function<void(const FileEntry&)>;
// A directory or entry that could not be read: its path and the reason.
using WalkErrorVisitor = std::function<void(const std::string& path, const std::string& reason)>;

WalkStats walk_files(const Sysroot& root, const IdentityTable& ids, const WalkOptions& options,
                     const EntryVisitor& on_entry, const WalkErrorVisitor& on_error,
                     const std::atomic<bool>* cancel = nullptr);

}  // namespace triad::scanner
