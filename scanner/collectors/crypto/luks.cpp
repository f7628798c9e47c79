// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/crypto/luks.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <set>

#include "scanner/collectors/crypto/block_sysfs.h"
#include "scanner/collectors/crypto/luks_header.h"
#include "scanner/collectors/crypto/mounts_encryption.h"
#include "scanner/core/path_glob.h"
#include "scanner/core/sysroot_open.h"

namespace triad::scanner {
namespace {

enum LuksField : std::size_t {
    kPath, kUuid, kVersion, kCipher, kCipherMode, kKeyBits, kActiveKeyslots, kWeakestPbkdf,
    kMinPbkdf2Iterations, kMinArgon2Memory, kHeaderCopiesValid, kOpen, kMappedAs, kLabel,
    kHeaderProblem, kKind, kLuksFieldCount
};
static_assert(std::size(kLuksFields) == kLuksFieldCount);

enum KeyslotField : std::size_t {
    kSlotPath, kSlot, kSlotPbkdf, kSlotIterations, kSlotMemory, kSlotParallel, kSlotPriority,
    kSlotHash, kSlotEncryption, kSlotVersion, kKeyslotFieldCount
};
static_assert(std::size(kLuksKeyslotFields) == kKeyslotFieldCount);

// An `images` glob matching thousands of files is a mistake or an attack; each header read
// costs a few milliseconds.
constexpr std::size_t kMaxImages = 256;

struct ReadHeader {
    std::string path;
    std::string kind;  // block_device, image
    Result<LuksHeader> header;
};

struct CryptMappingEntry {
    std::string dm_name;
    std::string uuid_hex;
};

// Every dm-crypt mapping with a LUKS header that the sys root shows. Nullopt when the scan
// has no sys root: whether a header is open cannot be known then.
std::optional<std::vector<CryptMappingEntry>> crypt_mappings(const CollectContext& ctx) {
    if (!ctx.sys) return std::nullopt;
    std::vector<CryptMappingEntry> out;
    auto names = list_block_devices(*ctx.sys);
    if (!names) return out;
    for (const std::string& name : *names) {
        if (!name.starts_with("dm-")) continue;
        auto layer = read_block_layer(*ctx.sys, name);
        if (!layer) continue;
        auto crypt = parse_crypt_uuid(layer->dm_uuid);
        if (crypt && !crypt->uuid_hex.empty()) out.push_back({layer->dm_name, crypt->uuid_hex});
    }
    return out;
}

// Opens a file or block device inside the audited root for reading. The type is decided on
// an O_PATH descriptor before anything is opened for I/O (a character device named by a glob
// is never opened, a FIFO never blocks), a file on a procfs or sysfs mounted inside the root
// is refused as Sysroot::read_file refuses it, and the inode looked at is the one reopened.
Result<UniqueFd> open_for_header(const Sysroot& root, const std::string& path, bool want_block) {
    const std::string where = root.display(path);
    auto probe = root.open_path(path, O_PATH | O_CLOEXEC, /*follow_final=*/true);
    if (!probe) return probe.error();
    struct stat st {};
    if (::fstat(probe->get(), &st) != 0) return Error{ErrorCode::io, "cannot stat it", where};
    const bool ok = want_block ? S_ISBLK(st.st_mode) : (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode));
    if (!ok)
        return Error{ErrorCode::unsupported, want_block ? "not a block device" : "not a regular file or block device", where};
    if (Status s = refuse_pseudo_filesystem(root, probe->get(), where); !s) return s.error();
    const std::string self = "/proc/self/fd/" + std::to_string(probe->get());
    UniqueFd fd(::open(self.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno != ENOENT) return error_from_errno(errno, where);
        auto reopened = root.open_path(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, /*follow_final=*/true);
        if (!reopened) return reopened.error();  // no /proc in triad's namespace: a second lookup
        fd = std::move(*reopened);
    }
    struct stat again {};
    if (::fstat(fd.get(), &again) != 0) return Error{ErrorCode::io, "cannot stat it", where};
    if (again.st_ino != st.st_ino || again.st_dev != st.st_dev || again.st_rdev != st.st_rdev)
        return Error{ErrorCode::invalid_input, "changed while being opened; not read", where};
    // Back to blocking reads for the libraries.
    ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
    return fd;
}

// The device node of a kernel block device name: DEVNAME= of its uevent (what udev names
// it under /dev), else /dev/NAME.
std::string device_node(const Sysroot& sys, const std::string& name) {
    if (auto uevent = sys.read_file("/class/block/" + name + "/uevent", 64 * 1024)) {
        std::size_t at = 0;
        while (at < uevent->size()) {
            std::size_t end = uevent->find('\n', at);
            if (end == std::string::npos) end = uevent->size();
            std::string_view line(uevent->data() + at, end - at);
            if (line.starts_with("DEVNAME=") && line.size() > 8 && line.find("..") == std::string_view::npos)
                return "/dev/" + std::string(line.substr(8));
            at = end + 1;
        }
    }
    return "/dev/" + name;
}

// The device numbers ("254:0") of the block devices mounted as file systems: such a device
// holds that file system, so it is not a LUKS container and need not be opened (a VM may
// even forbid opening its root disk, as this test machine does).
std::set<std::string> mounted_devices(const CollectContext& ctx) {
    std::set<std::string> out;
    if (!ctx.proc) return out;
    auto text = ctx.proc->read_file("/self/mountinfo", 4 * 1024 * 1024);
    if (!text) return out;
    for (const MountinfoEntry& e : parse_mountinfo(*text, nullptr))
        if (e.major != 0) out.insert(std::to_string(e.major) + ":" + std::to_string(e.minor));
    return out;
}

// The block devices of a running system whose superblock libblkid calls crypto_LUKS.
FactSet read_block_devices(const CollectContext& ctx, std::vector<ReadHeader>& out) {
    if (!ctx.sys)
        return {Fact::not_applicable("luks", "no sys root (offline --root): block devices cannot be listed; name image files with `images`")};
    auto names = list_block_devices(*ctx.sys);
    if (!names) return {Fact::error(ctx.sys->display("/class/block"), names.error().describe())};
    const std::set<std::string> mounted = mounted_devices(ctx);
    FactSet errors;
    for (const std::string& name : *names) {
        if (ctx.cancelled()) break;
        // An empty device (an unused loop device, an empty drive) has nothing to probe.
        auto size = read_first_line(*ctx.sys, "/class/block/" + name + "/size");
        if (size && *size == "0") continue;
        auto devnum = read_first_line(*ctx.sys, "/class/block/" + name + "/dev");
        if (devnum && mounted.count(*devnum)) continue;
        const std::string node = device_node(*ctx.sys, name);
        auto fd = open_for_header(ctx.root, node, /*want_block=*/true);
        if (!fd) {
            errors.push_back(Fact::error(node, fd.error().describe()));
            continue;
        }
        auto probe = probe_block_type(fd->get(), node);
        if (!probe) {
            errors.push_back(Fact::error(node, probe.error().describe()));
            continue;
        }
        if (probe->type != "crypto_LUKS") continue;
        out.push_back({node, "block_device", read_luks_header(fd->get(), node)});
    }
    return errors;
}

FactSet read_images(const CollectContext& ctx, const StringList& patterns, std::vector<ReadHeader>& out) {
    FactSet other;
    for (const std::string& pattern : patterns) {
        auto paths = expand_path_glob(ctx.root, pattern);
        if (!paths) {
            other.push_back(Fact::error(pattern, paths.error().describe()));
            continue;
        }
        if (paths->empty()) {
            Fact f;
            f.object = pattern;
            f.status = FactStatus::absent;
            other.push_back(std::move(f));
        }
        for (const std::string& path : *paths) {
            if (ctx.cancelled()) return other;
            if (out.size() == kMaxImages) {
                other.push_back(Fact::error(pattern, "more than " + std::to_string(kMaxImages) + " images named; the rest were not read"));
                return other;
            }
            auto fd = open_for_header(ctx.root, path, /*want_block=*/false);
            if (!fd) {
                other.push_back(Fact::error(path, fd.error().describe()));
                continue;
            }
            out.push_back({path, "image", read_luks_header(fd->get(), ctx.root.display(path))});
        }
    }
    return other;
}

// The headers a select asks for, and the facts that are not headers (errors, absences).
FactSet read_headers(const CollectContext& ctx, const SelectArgs& args, std::vector<ReadHeader>& headers) {
    const StringList images = args.list("images");
    return images.empty() ? read_block_devices(ctx, headers) : read_images(ctx, images, headers);
}

int pbkdf_strength(const std::string& pbkdf) {
    if (pbkdf == "argon2id") return 3;
    if (pbkdf == "argon2i") return 2;
    if (pbkdf == "pbkdf2") return 1;
    return 0;  // unknown to triad: weakest of all, so a check cannot pass on it
}

Fact header_fact(const ReadHeader& r, const std::optional<std::vector<CryptMappingEntry>>& mappings) {
    const LuksHeader& h = *r.header;
    Fact f;
    f.object = r.path;
    f.fields.resize(kLuksFieldCount);
    f.fields[kPath] = Value{r.path};
    f.fields[kUuid] = Value{h.uuid};
    f.fields[kVersion] = Value{std::int64_t{h.version}};
    f.fields[kCipher] = Value{h.cipher};
    f.fields[kCipherMode] = Value{h.cipher_mode};
    f.fields[kKeyBits] = Value{h.key_bits};
    f.fields[kActiveKeyslots] = Value{static_cast<std::int64_t>(h.keyslots.size())};
    const LuksKeyslot* weakest = nullptr;
    std::optional<std::int64_t> min_iterations, min_memory;
    for (const LuksKeyslot& k : h.keyslots) {
        if (!weakest || pbkdf_strength(k.pbkdf) < pbkdf_strength(weakest->pbkdf)) weakest = &k;
        if (k.pbkdf == "pbkdf2") min_iterations = std::min(min_iterations.value_or(k.iterations), k.iterations);
        if (k.pbkdf.starts_with("argon2")) min_memory = std::min(min_memory.value_or(k.memory_kib), k.memory_kib);
    }
    if (weakest) f.fields[kWeakestPbkdf] = Value{weakest->pbkdf};
    if (min_iterations) f.fields[kMinPbkdf2Iterations] = Value{*min_iterations};
    if (min_memory) f.fields[kMinArgon2Memory] = Value{*min_memory};
    f.fields[kHeaderCopiesValid] = Value{h.header_copies_valid};
    if (mappings) {
        const std::string hex = uuid_without_dashes(h.uuid);
        auto it = std::find_if(mappings->begin(), mappings->end(), [&](const CryptMappingEntry& m) { return m.uuid_hex == hex; });
        f.fields[kOpen] = Value{it != mappings->end()};
        if (it != mappings->end()) f.fields[kMappedAs] = Value{it->dm_name};
    }
    if (!h.label.empty()) f.fields[kLabel] = Value{h.label};
    if (!h.header_problem.empty()) f.fields[kHeaderProblem] = Value{h.header_problem};
    f.fields[kKind] = Value{r.kind};
    return f;
}

FactSet collect_luks(const CollectContext& ctx, const SelectArgs& args) {
    std::vector<ReadHeader> headers;
    FactSet out = read_headers(ctx, args, headers);
    const auto mappings = crypt_mappings(ctx);
    for (const ReadHeader& r : headers) {
        if (!r.header)
            out.push_back(Fact::error(r.path, r.header.error().describe()));
        else
            out.push_back(header_fact(r, mappings));
    }
    return out;
}

FactSet collect_luks_keyslots(const CollectContext& ctx, const SelectArgs& args) {
    std::vector<ReadHeader> headers;
    FactSet out = read_headers(ctx, args, headers);
    for (const ReadHeader& r : headers) {
        if (!r.header) {
            out.push_back(Fact::error(r.path, r.header.error().describe()));
            continue;
        }
        for (const LuksKeyslot& k : r.header->keyslots) {
            Fact f;
            f.object = r.path + "#" + std::to_string(k.slot);
            f.fields.resize(kKeyslotFieldCount);
            f.fields[kSlotPath] = Value{r.path};
            f.fields[kSlot] = Value{std::int64_t{k.slot}};
            f.fields[kSlotPbkdf] = Value{k.pbkdf};
            f.fields[kSlotIterations] = Value{k.iterations};
            f.fields[kSlotMemory] = Value{k.memory_kib};
            f.fields[kSlotParallel] = Value{k.parallel};
            f.fields[kSlotPriority] = Value{k.priority};
            if (!k.hash.empty()) f.fields[kSlotHash] = Value{k.hash};
            f.fields[kSlotEncryption] = Value{k.encryption};
            f.fields[kSlotVersion] = Value{std::int64_t{r.header->version}};
            out.push_back(std::move(f));
        }
    }
    return out;
}

}  // namespace

const CollectorEntry kLuksCollector = with_collect(kLuksCollectorSpec, collect_luks);
const CollectorEntry kLuksKeyslotsCollector = with_collect(kLuksKeyslotsCollectorSpec, collect_luks_keyslots);

}  // namespace triad::scanner
