// SPDX-License-Identifier: Apache-2.0
// For readers that hand a file of the audited root to a library that reads it itself
// (libelf, libcryptsetup, libapt-pkg's tag files) instead of calling Sysroot::read_file: the
// same decisions read_file makes, on a descriptor. Kept apart from sysroot.h, which nearly
// every source includes.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

// ok() when `fd` may be read as part of `root`; otherwise the refusal read_file gives a
// file on a kernel pseudo file system (procfs, sysfs, debugfs, ...) mounted inside the
// audited root: "<where>: on procfs mounted inside the audited root: live kernel state, not
// the image's; not read". A root that is such a file system itself (--proc, --sys) is read.
Status refuse_pseudo_filesystem(const Sysroot& root, int fd, const std::string& where);

struct OpenedFile {
    UniqueFd fd;  // O_RDONLY | O_NONBLOCK, close-on-exec
    std::uint64_t size = 0;
};

// Opens a regular file of the root for reading exactly as read_file does before it reads: one
// in-root lookup (O_PATH), the decision on that inode (a directory, FIFO, device or socket is
// refused without being opened; so is a file on a pseudo file system or over max_bytes), then
// that inode reopened through its descriptor, so a swap after the lookup cannot get a device
// opened. With follow_final false a final symlink is refused ("not a regular file").
Result<OpenedFile> open_regular_file(const Sysroot& root, std::string_view path,
                                     std::size_t max_bytes = std::numeric_limits<std::size_t>::max(),
                                     bool follow_final = true);

}  // namespace triad::scanner
