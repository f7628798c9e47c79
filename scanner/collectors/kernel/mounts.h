// SPDX-License-Identifier: Apache-2.0
// The `mounts` collector: the mount options that apply to a path — live (the proc tree's
// self/mountinfo) or configured (the audited root's /etc/fstab and systemd's tmp.mount).
// One fact per named path, or per mount when no path is named. Root scope.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum MountField : std::size_t {
    kMountPath, kMountSource, kMountSeparate, kMountPoint, kMountFstype, kMountDevice, kMountOptions, kMountNodev, kMountNosuid,
    kMountNoexec, kMountFile, kMountLine, kMountFieldCount
};

namespace mounts_internal {

struct MountEntry {
    std::string mount_point, fstype, device;
    std::vector<std::string> options;  // as written (fstab) or per-mount + super options (mountinfo)
    std::string file;
    int line = 0;
};

// /proc/PID/mountinfo: mount points unescaped (\040 is a blank), per-mount options followed
// by the super block's, in mount order (a later entry on the same point is stacked on top).
std::vector<MountEntry> parse_mountinfo(std::string_view text);

// /etc/fstab: device, mount point, type, options; swap and comments skipped.
std::vector<MountEntry> parse_fstab(std::string_view text, const std::string& file);

// The mount that holds `path`: the longest mount point that is `path` or one of its parent
// directories; among equal ones the last (the top of a stack).
const MountEntry* containing_mount(const std::vector<MountEntry>& mounts, std::string_view path);

// Whether an option list leaves files on the mount without device nodes, set-id bits or
// execution: the last of FLAG / its opposite wins, and user/users imply all three.
bool option_in_effect(const std::vector<std::string>& options, std::string_view flag);

}  // namespace mounts_internal

extern const CollectorEntry kMountsCollector;

}  // namespace triad::scanner
