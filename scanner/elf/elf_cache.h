// SPDX-License-Identifier: Apache-2.0
// A memo of read_elf results keyed by file identity (device, inode, size, mtime, ctime):
// every check of a scan that looks at /usr/bin reads each binary once, and a daemon that
// keeps the memo between scans re-reads only what changed. Thread-safe; bounded. Kept in
// the scan's ScanMemo (scanner/core/scan_memo.h), so it has an owner and a lifetime.
#pragma once

#include <map>
#include <mutex>
#include <string_view>
#include <tuple>

#include "scanner/core/sysroot.h"
#include "scanner/elf/elf_hardening.h"

namespace triad::scanner {

class ElfMemo {
public:
    // read_elf(root, path), answered from the memo when the file has not changed.
    Result<ElfInfo> read(const Sysroot& root, std::string_view path);

private:
    using Key = std::tuple<std::uint64_t, std::uint64_t, std::uint64_t, std::int64_t, std::uint32_t, std::int64_t,
                           std::uint32_t>;
    std::mutex mutex_;
    std::map<Key, Result<ElfInfo>> entries_;
};

}  // namespace triad::scanner
