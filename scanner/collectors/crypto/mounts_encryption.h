// SPDX-License-Identifier: Apache-2.0
// The `mounts_encryption` collector: for every mounted file system on a block device
// (the proc root's self/mountinfo) and every swap area (swaps), the chain of block devices
// under it, followed down the sys root's slaves/ links (LVM on LUKS, LUKS on RAID...), and
// whether every path down that chain passes through dm-crypt. Host scope.
#pragma once

#include <string>
#include <vector>

#include "scanner/core/collector.h"

namespace triad::scanner {

extern const CollectorEntry kMountsEncryptionCollector;

// For tests: one line of /proc/PID/mountinfo.
struct MountinfoEntry {
    unsigned major = 0;
    unsigned minor = 0;
    std::string mountpoint;
    std::string fstype;
    std::string source;
};
// The mounts of a mountinfo text, octal escapes (\040) decoded; malformed lines are skipped
// and counted in `bad_lines`.
std::vector<MountinfoEntry> parse_mountinfo(const std::string& text, std::size_t* bad_lines);

}  // namespace triad::scanner
