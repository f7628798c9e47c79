// SPDX-License-Identifier: Apache-2.0
// A process-wide memo of read_elf results keyed by file identity (device, inode, size,
// mtime, ctime): every check of a scan that looks at /usr/bin reads each binary once, and
// the daemon re-reads only what changed. Thread-safe; bounded.
#pragma once

#include <string_view>

#include "scanner/elf/elf_hardening.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

// read_elf(root, path), answered from the memo when the file has not changed.
Result<ElfInfo> read_elf_cached(const Sysroot& root, std::string_view path);

}  // namespace triad::scanner
