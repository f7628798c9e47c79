// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/crypto/mounts_encryption.h"

#include <charconv>
#include <map>
#include <optional>

#include "scanner/collectors/crypto/block_sysfs.h"
#include "scanner/collectors/crypto/table_text.h"

namespace triad::scanner {
namespace {

enum Field : std::size_t {
    kMountpoint, kSource, kFstype, kEncrypted, kCryptDevice, kChain, kKind, kCryptType, kDevice, kFieldCount
};
constexpr FieldSpec kFields[] = {
    {"mountpoint", ValueKind::string, "where the file system is mounted; absent for swap"},
    {"source", ValueKind::string, "the mount source (/dev/mapper/vg-root) or the swap file or partition"},
    {"fstype", ValueKind::string, "file system type (ext4), or swap"},
    {"encrypted", ValueKind::boolean, "every path down the device chain passes through a dm-crypt layer"},
    {"crypt_device", ValueKind::string, "the dm-crypt mapping nearest the top of the chain (its dm name); absent when none"},
    {"chain", ValueKind::list, "the devices from the top down: dm-1 (lvm vg-root), dm-0 (crypt LUKS2 cryptpv), md0 (raid1), sda2, sdb2"},
    {"kind", ValueKind::string, "mount or swap"},
    {"crypt_type", ValueKind::string, "type of that dm-crypt layer from its dm uuid: LUKS1, LUKS2, PLAIN (no header)...; absent when none"},
    {"device", ValueKind::string, "kernel name of the top device (dm-1)"},
};
static_assert(std::size(kFields) == kFieldCount);

constexpr std::size_t kMaxMountinfoBytes = 4 * 1024 * 1024;
constexpr std::size_t kMaxMounts = 8192;

Fact chain_fact(const std::string& object, const std::string& kind, const std::string& device, ChainResult r) {
    if (r.error) return Fact::error(object, r.error->describe());
    Fact f;
    f.object = object;
    f.fields.resize(kFieldCount);
    f.fields[kEncrypted] = Value{r.encrypted};
    if (!r.crypt_device.empty()) {
        f.fields[kCryptDevice] = Value{r.crypt_device};
        f.fields[kCryptType] = Value{r.crypt_type};
    }
    f.fields[kChain] = Value{std::move(r.chain)};
    f.fields[kKind] = Value{kind};
    f.fields[kDevice] = Value{device};
    return f;
}

FactSet collect_mounts_encryption(const CollectContext& ctx, const SelectArgs&) {
    if (!ctx.proc || !ctx.sys)
        return {Fact::not_applicable("mounts", "needs the running system's /proc and /sys (an offline --root has no mounts)")};
    auto text = ctx.proc->read_file("/self/mountinfo", kMaxMountinfoBytes);
    if (!text) return {Fact::error(ctx.proc->display("/self/mountinfo"), text.error().describe())};
    std::size_t bad = 0;
    std::vector<MountinfoEntry> entries = parse_mountinfo(*text, &bad);
    if (entries.empty())
        return {Fact::error(ctx.proc->display("/self/mountinfo"), "no mount could be read from it")};

    // The last mount on a mount point is the one in effect (earlier ones are covered).
    std::map<std::string, MountinfoEntry> visible;
    for (MountinfoEntry& e : entries) visible[e.mountpoint] = std::move(e);

        FactSet out;
    std::vector<std::pair<std::string, std::string>> block_mounts;  // mountpoint, kernel name
    std::string root_description;
    for (const auto& [mountpoint, e] : visible) {
        if (ctx.cancelled()) return out;
        std::optional<std::string> name;
        if (e.major != 0) name = block_name_from_devnum(*ctx.sys, e.major, e.minor);
        if (!name) name = block_name_from_dev_path(ctx.root, *ctx.sys, e.source);
        if (!name) {
            if (mountpoint == "/") root_description = e.fstype + " from " + e.source;
            continue;  // proc, tmpfs, overlay...: not on a block device of this system
        }
        block_mounts.emplace_back(mountpoint, *name);
        Fact f = chain_fact(mountpoint, "mount", *name, walk_device_chain(*ctx.sys, *name));
        if (f.status == FactStatus::ok) {
            f.fields[kMountpoint] = Value{mountpoint};
            f.fields[kSource] = Value{e.source};
            f.fields[kFstype] = Value{e.fstype};
        }
        out.push_back(std::move(f));
    }

    // Swap areas: "Filename Type Size Used Priority" after a header line.
    auto swaps = ctx.proc->read_file("/swaps", kMaxMountinfoBytes);
    if (!swaps) {
        out.push_back(Fact::error(ctx.proc->display("/swaps"), swaps.error().describe()));
    } else {
        bool header = true;
        for_each_table_line(*swaps, [&](std::string_view line, int) {
            if (header) {
                header = false;
                return;
            }
            auto words = split_blanks(line);
            if (words.size() < 2) return;
            const std::string file = decode_octal_escapes(words[0]);
            const std::string object = "swap:" + file;
            std::optional<std::string> name;
            if (words[1] == "partition") {
                name = block_name_from_dev_path(ctx.root, *ctx.sys, file);
            } else {
                // A swap file: the device of the block-backed mount that holds it.
                std::size_t best = 0;
                for (const auto& [mp, dev] : block_mounts) {
                    const bool inside = mp == "/" || file == mp || file.starts_with(mp + "/");
                    if (inside && mp.size() >= best) {
                        best = mp.size();
                        name = dev;
                    }
                }
            }
            if (!name) {
                out.push_back(Fact::error(object, "cannot find the block device under swap area " + file + " in the sys root"));
                return;
            }
            Fact f = chain_fact(object, "swap", *name, walk_device_chain(*ctx.sys, *name));
            if (f.status == FactStatus::ok) {
                f.fields[kSource] = Value{file};
                f.fields[kFstype] = Value{std::string("swap")};
            }
            out.push_back(std::move(f));
        });
    }

    if (out.empty())
        return {Fact::not_applicable("mounts", "no mounted file system and no swap area is on a block device of this system "
                                               "(a container, or a VM without block devices): disk encryption is decided outside it")};
    if (!root_description.empty())
        out.push_back(Fact::not_applicable("/", "the root file system is " + root_description +
                                                    ", not on a block device of this system (a container or an overlay): "
                                                    "its disk encryption cannot be seen from here"));
    if (bad > 0)
        out.push_back(Fact::error(ctx.proc->display("/self/mountinfo"), std::to_string(bad) + " line(s) could not be parsed"));
    return out;
}

}  // namespace

std::vector<MountinfoEntry> parse_mountinfo(const std::string& text, std::size_t* bad_lines) {
    std::vector<MountinfoEntry> out;
    std::size_t bad = 0;
    for_each_table_line(text, [&](std::string_view line, int) {
        if (line.empty() || out.size() == kMaxMounts) return;
        // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
        auto words = split_blanks(line);
        std::size_t sep = 6;
        while (sep < words.size() && words[sep] != "-") ++sep;
        if (words.size() < 7 || sep + 2 >= words.size()) {
            ++bad;
            return;
        }
        MountinfoEntry e;
        const std::string_view devnum = words[2];
        const std::size_t colon = devnum.find(':');
        if (colon == std::string_view::npos ||
            std::from_chars(devnum.data(), devnum.data() + colon, e.major).ec != std::errc{} ||
            std::from_chars(devnum.data() + colon + 1, devnum.data() + devnum.size(), e.minor).ec != std::errc{}) {
            ++bad;
            return;
        }
        e.mountpoint = decode_octal_escapes(words[4]);
        e.fstype = decode_octal_escapes(words[sep + 1]);
        e.source = decode_octal_escapes(words[sep + 2]);
        out.push_back(std::move(e));
    });
    if (bad_lines) *bad_lines = bad;
    return out;
}

const CollectorEntry kMountsEncryptionCollector{
    "mounts_encryption", Scope::host, kFields, {}, collect_mounts_encryption,
    "each mounted file system and swap area, and whether a dm-crypt layer is under it\n"
    "\n"
    "One object per mount point on a block device (the proc root's self/mountinfo; the "
    "last mount on a point wins) and one per swap area (`swap:FILE`, from swaps), with the "
    "chain of devices under it followed down the sys root's slaves/ links (LVM on LUKS, "
    "LUKS on RAID). `encrypted` is true only when every path down the chain passes through "
    "a dm-crypt mapping (dm/uuid CRYPT-...). Mounts not on a block device (proc, tmpfs) are "
    "left out; when nothing is on a block device (a container, a VM without disks) the "
    "collector is not_applicable with the reason, and so is `/` when it is an overlay. Host "
    "scope: it reads the running system's mount table.",
};

}  // namespace triad::scanner
