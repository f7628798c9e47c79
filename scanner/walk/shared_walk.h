// SPDX-License-Identifier: Apache-2.0
// One walk for many requests: every walk collector's select of a scan states the part of
// the file system it wants (a WalkScope), and a single parallel pass over the union hands
// each request exactly the entries, and the errors, that fall inside its own scope.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/cancel.h"
#include "base/executor.h"
#include "scanner/core/collector.h"
#include "scanner/walk/file_walk.h"
#include "scanner/walk/walked_directories.h"

namespace triad::scanner {

struct WalkRequest {
    WalkScope scope;
    // Directories this request never looks below (its "DIR/**" excludes). A subtree that no
    // request wants is not read at all.
    std::vector<std::string> skip_subtrees;
};

// Called from walk threads, once per request whose scope holds the entry or the error.
using RequestEntryVisitor = std::function<void(std::size_t request, const FileEntry& entry)>;
using RequestErrorVisitor = std::function<void(std::size_t request, const WalkError& error)>;

struct SharedWalkOptions {
    Executor* executor = nullptr;        // null: the caller's thread alone
    const CancelToken* cancel = nullptr;
    // Called every few thousand entries (from a walk thread), for progress lines.
    std::function<void(std::uint64_t entries)> on_progress;
    // When set, the walk records there what it listed in full (see WalkedDirectories).
    WalkedDirectories* record = nullptr;
};

WalkStats run_shared_walk(const Sysroot& root, const IdentityTable& ids, std::span<const WalkRequest> requests,
                          const RequestEntryVisitor& on_entry, const RequestErrorVisitor& on_error,
                          const SharedWalkOptions& options);

}  // namespace triad::scanner
