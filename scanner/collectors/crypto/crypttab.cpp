// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/crypto/crypttab.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <optional>

#include "scanner/collectors/crypto/block_sysfs.h"
#include "scanner/collectors/crypto/mounts_encryption.h"
#include "scanner/collectors/crypto/table_text.h"

namespace triad::scanner {
namespace {

enum Field : std::size_t {
    kName, kDevice, kKeyFile, kOptions, kRandomKey, kSwap, kDiscard, kPlain, kKeyFileExists, kKeyFileMode,
    kKeyFileOwner, kKeyFileOnEncrypted, kMountedAt, kLine, kKeyFileFilesystem, kFieldCount
};
constexpr FieldSpec kFields[] = {
    {"name", ValueKind::string, "the mapping's name (/dev/mapper/NAME)"},
    {"device", ValueKind::string, "the encrypted device as written (UUID=..., /dev/sda2)"},
    {"key_file", ValueKind::string, "the key file; absent when the passphrase is asked for (none, -)"},
    {"options", ValueKind::list, "the options (luks, discard, swap...)"},
    {"random_key", ValueKind::boolean, "the key is read from /dev/urandom (or /dev/random): a new key at every boot, as for swap"},
    {"swap", ValueKind::boolean, "the mapping is swap: the swap option, or fstab uses it as swap"},
    {"discard", ValueKind::boolean, "TRIM is passed through (discard option): it shows which blocks are in use"},
    {"plain", ValueKind::boolean, "plain dm-crypt without a LUKS header (the plain option, or a random key without luks)"},
    {"key_file_exists", ValueKind::boolean, "the key file exists in the audited root; absent without a key file, or when it is on another device (KEY:DEVICE)"},
    {"key_file_mode", ValueKind::mode, "the key file's permission bits; absent when it does not exist"},
    {"key_file_owner", ValueKind::string, "the key file's owner name; absent when it does not exist", FieldNeeds::user_names},
    {"key_file_on_encrypted", ValueKind::boolean,
     "the file system holding the key file is itself encrypted: live from its device chain; offline true when fstab mounts it from a crypttab mapping, false when straight from a partition; absent when unknown (UUID=, LABEL=)"},
    {"mounted_at", ValueKind::list, "fstab mount points of /dev/mapper/NAME (swap for a swap entry)"},
    {"line", ValueKind::integer, "line number in /etc/crypttab"},
    {"key_file_filesystem", ValueKind::string, "the mount point of the file system holding the key file; absent when unknown"},
};
static_assert(std::size(kFields) == kFieldCount);

constexpr std::size_t kMaxTableBytes = 1024 * 1024;
constexpr std::size_t kMaxEntries = 4096;

struct FstabEntry {
    std::string spec, file, vfstype;
};

std::vector<FstabEntry> parse_fstab(std::string_view text) {
    std::vector<FstabEntry> out;
    for_each_table_line(text, [&](std::string_view line, int) {
        auto words = split_blanks(line);
        if (words.size() < 3 || words[0].starts_with("#") || out.size() == kMaxEntries) return;
        out.push_back({decode_octal_escapes(words[0]), decode_octal_escapes(words[1]), std::string(words[2])});
    });
    return out;
}

std::vector<std::string> split_commas(std::string_view s) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at <= s.size()) {
        std::size_t end = s.find(',', at);
        if (end == std::string_view::npos) end = s.size();
        if (end > at) out.emplace_back(s.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

bool has_option(const std::vector<std::string>& options, std::string_view name) {
    return std::any_of(options.begin(), options.end(), [&](const std::string& o) { return o == name; });
}

bool path_is_under(const std::string& path, const std::string& mountpoint) {
    return mountpoint == "/" || path == mountpoint || path.starts_with(mountpoint + "/");
}

// Which mapping names fstab mounts a device spec from: /dev/mapper/NAME or dm-name-NAME.
std::string mapper_name(const std::string& spec) {
    for (std::string_view prefix : {"/dev/mapper/", "/dev/disk/by-id/dm-name-"})
        if (spec.starts_with(prefix)) return spec.substr(prefix.size());
    return "";
}

struct KeyLocation {
    std::optional<bool> encrypted;
    std::string mountpoint;
};

// Live: the mount holding `path` in the running system, and its device chain.
std::optional<KeyLocation> live_key_location(const CollectContext& ctx, const std::string& path) {
    if (!ctx.proc || !ctx.sys || !ctx.root.is_host()) return std::nullopt;
    auto text = ctx.proc->read_file("/self/mountinfo", 4 * 1024 * 1024);
    if (!text) return std::nullopt;
    const MountinfoEntry* best = nullptr;
    const auto entries = parse_mountinfo(*text, nullptr);
    for (const MountinfoEntry& e : entries)
        if (path_is_under(path, e.mountpoint) && (!best || e.mountpoint.size() >= best->mountpoint.size())) best = &e;
    if (!best) return std::nullopt;
    KeyLocation loc;
    loc.mountpoint = best->mountpoint;
    std::optional<std::string> name;
    if (best->major != 0) name = block_name_from_devnum(*ctx.sys, best->major, best->minor);
    if (!name) name = block_name_from_dev_path(ctx.root, *ctx.sys, best->source);
    if (name) {
        ChainResult chain = walk_device_chain(*ctx.sys, *name);
        if (!chain.error) loc.encrypted = chain.encrypted;
    } else if (best->fstype == "tmpfs" || best->fstype == "ramfs") {
        loc.encrypted = true;  // in memory only: never written to a disk
    }
    return loc;
}

// A file system mounted straight from a partition (PARTUUID=, /dev/sda2, /dev/nvme0n1p2...)
// has no device-mapper layer, so no dm-crypt, under it.
bool is_raw_partition(const std::string& spec) {
    if (spec.starts_with("PARTUUID=") || spec.starts_with("PARTLABEL=") || spec.starts_with("/dev/disk/by-partuuid/") ||
        spec.starts_with("/dev/disk/by-partlabel/"))
        return true;
    for (std::string_view disk : {"/dev/sd", "/dev/vd", "/dev/hd", "/dev/xvd", "/dev/nvme", "/dev/mmcblk"})
        if (spec.starts_with(disk)) return true;
    return false;
}

// Offline: the fstab entry holding `path`; encrypted when it is mounted from a mapping this
// crypttab sets up, not encrypted when it is mounted straight from a partition. A UUID= or
// LABEL= source may be LVM on LUKS, which only the live chain can tell: unknown.
KeyLocation fstab_key_location(const std::vector<FstabEntry>& fstab, const std::vector<std::string>& crypt_names,
                               const std::string& path) {
    const FstabEntry* best = nullptr;
    for (const FstabEntry& e : fstab)
        if (e.file.starts_with("/") && path_is_under(path, e.file) && (!best || e.file.size() >= best->file.size())) best = &e;
    KeyLocation loc;
    if (!best) return loc;
    loc.mountpoint = best->file;
    const std::string mapper = mapper_name(best->spec);
    if (!mapper.empty() && std::find(crypt_names.begin(), crypt_names.end(), mapper) != crypt_names.end())
        loc.encrypted = true;
    else if (best->vfstype == "tmpfs")
        loc.encrypted = true;
    else if (is_raw_partition(best->spec))
        loc.encrypted = false;
    return loc;
}

FactSet collect_crypttab(const CollectContext& ctx, const SelectArgs&) {
    auto text = ctx.root.read_file("/etc/crypttab", kMaxTableBytes);
    if (!text) {
        if (text.error().code == ErrorCode::not_found)
            return {Fact::not_applicable("/etc/crypttab", "/etc/crypttab does not exist: no encrypted volume is set up at boot")};
        return {Fact::error("/etc/crypttab", text.error().describe())};
    }
    std::vector<FstabEntry> fstab;
    FactSet out;
    if (auto f = ctx.root.read_file("/etc/fstab", kMaxTableBytes)) {
        fstab = parse_fstab(*f);
    } else if (f.error().code != ErrorCode::not_found) {
        out.push_back(Fact::error("/etc/fstab", f.error().describe()));
    }

    struct Line {
        std::vector<std::string> words;
        int number;
    };
    std::vector<Line> lines;
    for_each_table_line(*text, [&](std::string_view line, int number) {
        auto words = split_blanks(line);
        if (words.empty() || words[0].starts_with("#") || lines.size() == kMaxEntries) return;
        Line l{{}, number};
        for (std::string_view w : words) l.words.emplace_back(w);
        lines.push_back(std::move(l));
    });
    std::vector<std::string> names;
    for (const Line& l : lines) names.push_back(l.words[0]);

    for (const Line& l : lines) {
        if (ctx.cancelled()) break;
        const std::string& name = l.words[0];
        if (l.words.size() < 2) {
            out.push_back(Fact::error(name, "/etc/crypttab:" + std::to_string(l.number) + ": no device for '" + name + "'"));
            continue;
        }
        Fact f;
        f.object = name;
        f.fields.resize(kFieldCount);
        f.fields[kName] = Value{name};
        f.fields[kDevice] = Value{l.words[1]};
        f.fields[kLine] = Value{std::int64_t{l.number}};
        const std::vector<std::string> options = l.words.size() > 3 ? split_commas(l.words[3]) : std::vector<std::string>{};
        f.fields[kOptions] = Value{options};

        std::string key = l.words.size() > 2 ? l.words[2] : "none";
        const bool no_key = key == "none" || key == "-" || key.empty();
        // systemd's KEYFILE:DEVICE form: the key is on another (removable) device.
        bool key_elsewhere = false;
        if (const std::size_t colon = key.find(':'); !no_key && colon != std::string::npos) {
            key_elsewhere = true;
            key = key.substr(0, colon);
        }
        const bool random_key = key == "/dev/urandom" || key == "/dev/random" || key == "/dev/hw_random";
        f.fields[kRandomKey] = Value{random_key};
        f.fields[kDiscard] = Value{has_option(options, "discard")};
        f.fields[kPlain] = Value{has_option(options, "plain") || (random_key && !has_option(options, "luks"))};

        StringList mounted_at;
        bool fstab_swap = false;
        for (const FstabEntry& e : fstab) {
            if (mapper_name(e.spec) != name) continue;
            const bool swap = e.vfstype == "swap";
            fstab_swap = fstab_swap || swap;
            mounted_at.push_back(swap ? "swap" : e.file);
        }
        f.fields[kMountedAt] = Value{mounted_at};
        f.fields[kSwap] = Value{has_option(options, "swap") || fstab_swap};

        if (!no_key) {
            f.fields[kKeyFile] = Value{key};
            if (!random_key && !key_elsewhere) {
                auto fd = ctx.root.open_path(key, O_PATH | O_CLOEXEC, /*follow_final=*/true);
                struct stat st {};
                if (!fd && fd.error().code != ErrorCode::not_found) {
                    out.push_back(Fact::error(name, "key file " + fd.error().describe()));
                    continue;
                }
                const bool exists = fd && ::fstat(fd->get(), &st) == 0;
                f.fields[kKeyFileExists] = Value{exists};
                if (exists) {
                    f.fields[kKeyFileMode] = Value{Mode{static_cast<std::uint32_t>(st.st_mode & 07777)}};
                    if (const std::string* owner = ctx.ids.user_name(st.st_uid)) f.fields[kKeyFileOwner] = Value{*owner};
                }
                std::optional<KeyLocation> loc = live_key_location(ctx, key);
                if (!loc) loc = fstab_key_location(fstab, names, key);
                if (loc->encrypted) f.fields[kKeyFileOnEncrypted] = Value{*loc->encrypted};
                if (!loc->mountpoint.empty()) f.fields[kKeyFileFilesystem] = Value{loc->mountpoint};
            }
        }
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

const CollectorEntry kCrypttabCollector{
    "crypttab", Scope::root, kFields, {}, collect_crypttab,
    "each volume /etc/crypttab sets up at boot, its options and key file, cross-checked with fstab\n"
    "\n"
    "One object per /etc/crypttab line, named by the mapping: its device, key file and "
    "options; whether it is swap (the swap option, or fstab uses /dev/mapper/NAME as swap), "
    "has a random key, is plain dm-crypt or passes TRIM through (discard); where fstab "
    "mounts it; and the key file's mode, owner and whether the file system holding it is "
    "encrypted (live from the device chain when scanning the running system, offline only "
    "when fstab mounts it from a crypttab mapping). Without /etc/crypttab the collector is "
    "not_applicable; an unreadable one is an error.",
};

}  // namespace triad::scanner
