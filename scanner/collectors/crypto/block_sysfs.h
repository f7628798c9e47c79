// SPDX-License-Identifier: Apache-2.0
// Block device layers as the kernel shows them in sysfs (the scan's sys root): a device's
// device-mapper name and uuid (dm/name, dm/uuid), its RAID level (md/level) and the devices
// under it (slaves/). Shared by the luks and mounts_encryption collectors. Kernel ABI:
// Documentation/ABI/testing/sysfs-block-dm; the dm uuid of a dm-crypt mapping is
// "CRYPT-<TYPE>-<uuid without dashes>-<name>" (cryptsetup's lib/libdevmapper.c), or
// "CRYPT-PLAIN-<name>" for plain dm-crypt without a header.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

// Bounds for a hostile or odd sys tree.
inline constexpr std::size_t kMaxBlockDevices = 4096;
inline constexpr std::size_t kMaxSlaves = 64;

struct BlockLayer {
    std::string name;      // kernel name: sda2, dm-0, md0
    std::string dm_name;   // dm/name; empty when not a device-mapper device
    std::string dm_uuid;   // dm/uuid; empty when unset
    std::string md_level;  // md/level (raid1); empty when not md RAID
    std::vector<std::string> slaves;  // names of the devices under it
};

// Reads /class/block/NAME of the sys root. An unreadable dm/uuid of a dm device is an error:
// whether it is a crypt layer cannot be known.
Result<BlockLayer> read_block_layer(const Sysroot& sys, const std::string& name);

// The kernel names under /class/block, sorted; at most kMaxBlockDevices.
Result<std::vector<std::string>> list_block_devices(const Sysroot& sys);

// Entry names of a directory inside the root (not "." and ".."), sorted, at most `max`.
Result<std::vector<std::string>> list_directory(const Sysroot& root, const std::string& dir, std::size_t max);

// The first line of a small file, without its newline.
Result<std::string> read_first_line(const Sysroot& root, const std::string& path);

struct CryptMapping {
    std::string type;       // LUKS1, LUKS2, PLAIN, TEMP, SUBDEV, ... (the word after CRYPT-)
    std::string uuid_hex;   // the header's uuid without dashes, lower case; empty for PLAIN
};

// Parses a dm uuid; nullopt when it is not a dm-crypt one (not "CRYPT-").
std::optional<CryptMapping> parse_crypt_uuid(std::string_view dm_uuid);

std::string uuid_without_dashes(std::string_view uuid);

// What lies under one top device: the chain of layers (top down, depth first) and whether
// every path from the top to a leaf passes through a dm-crypt layer (CRYPT-SUBDEV, a helper
// under a crypt device, does not count). `error` when a layer could not be read or the
// chain is deeper or wider than triad follows.
struct ChainResult {
    bool encrypted = false;
    std::string crypt_device;  // dm name of the first crypt layer met from the top
    std::string crypt_type;    // its type (LUKS2, PLAIN...)
    std::vector<std::string> chain;
    std::optional<Error> error;
};
ChainResult walk_device_chain(const Sysroot& sys, const std::string& name);

// The kernel name of a block device from its major:minor (the sys root's dev/block/M:N).
std::optional<std::string> block_name_from_devnum(const Sysroot& sys, unsigned major, unsigned minor);

// The kernel name behind a /dev path of the root (/dev/mapper/x links to ../dm-0 under
// devtmpfs; /dev/sda2 is itself).
std::optional<std::string> block_name_from_dev_path(const Sysroot& root, const Sysroot& sys, const std::string& path);

// "sda2", "dm-0 (crypt LUKS2 cryptroot)", "dm-1 (lvm vg-root)", "md0 (raid1)".
std::string describe_layer(const BlockLayer& layer);

}  // namespace triad::scanner
