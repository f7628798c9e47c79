// SPDX-License-Identifier: Apache-2.0
// Finding the binaries below a directory: one walk whose threads read each regular file as
// they meet it, so only binaries (and damaged ELF files, and symlinks when asked) are kept,
// never a list of every file. The `elf` collector and `triad binaries` both stand on it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/cancel.h"
#include "base/executor.h"
#include "scanner/elf/elf_cache.h"
#include "scanner/walk/file_walk.h"

namespace triad::scanner {

struct FoundBinary {
    std::string path;
    std::uint32_t mode = 0;
    std::optional<std::string> link_target;  // a symlink, reported unread (BinaryWalk::links)
    std::optional<Result<ElfInfo>> elf;      // a binary, or what is wrong with a damaged one
};

struct BinaryWalk {
    std::string start;  // a directory inside the root
    int max_depth = -1;
    bool one_filesystem = true;
    std::vector<std::string> prune;  // subtrees never read
    bool links = false;              // also report symlinks (never followed)
    // Which regular files to read; null: all of them.
    std::function<bool(const std::string& path)> wanted;
};

// Calls on_found (from walk threads) for each binary, each damaged ELF file, and each
// symlink when asked. Files that are not ELF, and files that vanished since they were
// listed, are skipped; what cannot be read otherwise is a WalkError or a FoundBinary with
// its error.
void walk_binaries(const Sysroot& root, const IdentityTable& ids, const BinaryWalk& request, ElfMemo& memo,
                   Executor& executor, const CancelToken* cancel,
                   const std::function<void(FoundBinary&&)>& on_found, const WalkErrorVisitor& on_error);

}  // namespace triad::scanner
