// SPDX-License-Identifier: Apache-2.0
#include "scanner/walk/file_entry.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace triad::scanner {
namespace {

constexpr FieldSpec kFields[] = {
    {"path", ValueKind::string, "absolute path inside the audited root"},
    {"name", ValueKind::string, "last path component"},
    {"exists", ValueKind::boolean, "the path exists (a dangling symlink exists)"},
    {"type", ValueKind::string, "file, dir, symlink, fifo, socket, char or block"},
    {"mode", ValueKind::mode, "permission bits including setuid/setgid/sticky"},
    {"uid", ValueKind::integer, "owner user id"},
    {"gid", ValueKind::integer, "owner group id"},
    {"owner", ValueKind::string, "owner name from the audited root's /etc/passwd; absent if unknown",
     FieldNeeds::user_names},
    {"group", ValueKind::string, "group name from the audited root's /etc/group; absent if unknown",
     FieldNeeds::group_names},
    {"size", ValueKind::integer, "size in bytes"},
    {"link_target", ValueKind::string, "target of a symlink, not followed; absent otherwise"},
    {"acl", ValueKind::boolean, "a POSIX access or default ACL is set"},
    {"capabilities", ValueKind::string, "file capabilities as getcap prints them; absent if none"},
    {"immutable", ValueKind::boolean, "chattr +i"},
    {"append_only", ValueKind::boolean, "chattr +a"},
    {"setuid", ValueKind::boolean, "set-user-id bit on a regular file"},
    {"setgid", ValueKind::boolean, "set-group-id bit on a regular file"},
    {"sticky", ValueKind::boolean, "sticky bit (directories)"},
    {"world_writable", ValueKind::boolean, "others may write (symlinks never count)"},
    {"world_readable", ValueKind::boolean, "others may read (symlinks never count)"},
    {"unowned", ValueKind::boolean, "uid has no entry in the audited root's /etc/passwd", FieldNeeds::user_names},
    {"ungrouped", ValueKind::boolean, "gid has no entry in the audited root's /etc/group", FieldNeeds::group_names},
    {"executable", ValueKind::boolean, "a regular file with an execute bit for anyone"},
};
static_assert(std::size(kFields) == kFileFieldCount);

// The kernel's XATTR_SIZE_MAX: no file system stores a longer value.
constexpr std::size_t kMaxXattrBytes = 64 * 1024;

// getxattrat(2) arrived in Linux 6.13; before that we go through /proc/self/fd.
#ifndef SYS_getxattrat
#define SYS_getxattrat 464
#endif
struct XattrArgs {
    std::uint64_t value;
    std::uint32_t size;
    std::uint32_t flags;
};

}  // namespace

std::span<const FieldSpec> file_fields() { return kFields; }

const char* file_type_name(std::uint32_t mode) {
    switch (mode & S_IFMT) {
        case S_IFREG: return "file";
        case S_IFDIR: return "dir";
        case S_IFLNK: return "symlink";
        case S_IFIFO: return "fifo";
        case S_IFSOCK: return "socket";
        case S_IFCHR: return "char";
        case S_IFBLK: return "block";
    }
    return "unknown";
}

namespace {

long read_xattr_via_proc(int dirfd, const char* name, const char* attr, void* buf, std::size_t size) {
    // dirfd was resolved safely; the path below re-enters it (and names one component).
    std::string path = "/proc/self/fd/" + std::to_string(dirfd);
    if (*name) {
        path += '/';
        path += name;
    }
    ssize_t rc = *name ? ::lgetxattr(path.c_str(), attr, buf, size) : ::getxattr(path.c_str(), attr, buf, size);
    return rc >= 0 ? rc : -errno;
}

}  // namespace

long read_xattr_at(int dirfd, const char* name, const char* attr, void* buf, std::size_t size) {
    static std::atomic<bool> getxattrat_usable{true};
    // getxattrat refuses an O_PATH descriptor with an empty name (EBADF), so the object's
    // own descriptor goes through /proc/self/fd below.
    if (!*name || !getxattrat_usable.load(std::memory_order_relaxed))
        return read_xattr_via_proc(dirfd, name, attr, buf, size);
    XattrArgs args{reinterpret_cast<std::uintptr_t>(buf), static_cast<std::uint32_t>(size), 0};
    long rc = ::syscall(SYS_getxattrat, dirfd, name, AT_SYMLINK_NOFOLLOW, attr, &args, sizeof args);
    if (rc >= 0) return rc;
    const int err = errno;
    // ENOSYS: a kernel before 6.13. EPERM: either a seccomp filter that refuses syscalls it
    // does not know (container runtimes, systemd's SystemCallFilter=) or a real refusal for
    // this file. The older path answers both: when it does not refuse too, the syscall was
    // what was refused, and is not tried again.
    if (err != ENOSYS && err != EPERM) return -err;
    long fallback = read_xattr_via_proc(dirfd, name, attr, buf, size);
    if (err == ENOSYS || fallback != -EPERM) getxattrat_usable.store(false, std::memory_order_relaxed);
    return fallback;
}

Result<std::optional<std::string>> read_whole_xattr_at(int dirfd, const char* name, const char* attr) {
    auto unreadable = [attr](std::string why) {
        return Error{ErrorCode::io, "cannot read " + std::string(attr) + ": " + why, ""};
    };
    // Most files have no ACL and no capability: one call into a small buffer settles them.
    char small[256];
    long n = read_xattr_at(dirfd, name, attr, small, sizeof small);
    std::string value;
    // A long value (an ACL with many entries) gets a buffer of the size the kernel reports;
    // the value may change between the two calls, so a few rounds are allowed.
    for (int round = 0; n == -ERANGE && round < 4; ++round) {
        long size = read_xattr_at(dirfd, name, attr, nullptr, 0);
        if (size < 0) {
            n = size;
            break;
        }
        if (static_cast<std::size_t>(size) > kMaxXattrBytes)
            return unreadable("value of " + std::to_string(size) + " bytes is larger than any file system stores");
        value.resize(static_cast<std::size_t>(size));
        n = read_xattr_at(dirfd, name, attr, value.data(), value.size());
        if (n >= 0) {
            value.resize(static_cast<std::size_t>(n));
            return std::optional<std::string>(std::move(value));
        }
    }
    if (n >= 0) return std::optional<std::string>(std::in_place, small, static_cast<std::size_t>(n));
    // ENOTSUP and EOPNOTSUPP are one value on Linux: a file system without xattrs has none.
    if (n == -ENODATA || n == -EOPNOTSUPP) return std::optional<std::string>();
    if (n == -ERANGE) return unreadable("value kept changing size while being read");
    return unreadable(error_from_errno(static_cast<int>(-n), "").message);
}

std::string decode_file_capabilities(const void* data, std::size_t size) {
    if (size < 4 + 8) return "(malformed capability xattr)";
    auto le32 = [&](std::size_t off) {
        const auto* p = static_cast<const unsigned char*>(data) + off;
        return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
    };
    std::uint32_t magic = le32(0);
    std::uint32_t revision = magic & VFS_CAP_REVISION_MASK;
    std::size_t words = revision == VFS_CAP_REVISION_1 ? 1 : 2;
    if (revision != VFS_CAP_REVISION_1 && revision != VFS_CAP_REVISION_2 && revision != VFS_CAP_REVISION_3)
        return "(unknown capability xattr revision)";
    if (size < 4 + 8 * words) return "(malformed capability xattr)";
    bool effective = magic & VFS_CAP_FLAGS_EFFECTIVE;

    cap_t caps = cap_init();
    for (std::size_t w = 0; w < words; ++w) {
        std::uint32_t permitted = le32(4 + 8 * w), inheritable = le32(8 + 8 * w);
        for (int bit = 0; bit < 32; ++bit) {
            cap_value_t cap = static_cast<cap_value_t>(w * 32 + bit);
            if (permitted & (1u << bit)) {
                cap_set_flag(caps, CAP_PERMITTED, 1, &cap, CAP_SET);
                if (effective) cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, CAP_SET);
            }
            if (inheritable & (1u << bit)) cap_set_flag(caps, CAP_INHERITABLE, 1, &cap, CAP_SET);
        }
    }
    char* text = cap_to_text(caps, nullptr);
    std::string out = text ? text : "";
    cap_free(text);
    cap_free(caps);
    if (revision == VFS_CAP_REVISION_3 && size >= 4 + 8 * words + 4 && le32(4 + 8 * words) != 0)
        out += " [rootid=" + std::to_string(le32(4 + 8 * words)) + "]";
    return out;
}

void FileEntry::reset(std::string_view path, int dirfd, const char* name, const struct statx& st) {
    path_.assign(path);
    dirfd_ = dirfd;
    name_ = name;
    st_ = st;
    cached_ = 0;
    errored_ = 0;
}

void FileEntry::reset_swap(std::string& path, int dirfd, const char* name, const struct statx& st) {
    path_.swap(path);
    dirfd_ = dirfd;
    name_ = name;
    st_ = st;
    cached_ = 0;
    errored_ = 0;
}

std::optional<Value> FileEntry::xattr_field(std::size_t index, std::string& error) const {
    if (S_ISLNK(st_.stx_mode)) {  // Linux keeps neither ACLs nor capabilities on symlinks
        if (index == kFileAcl) return Value{false};
        return std::nullopt;
    }
    if (index == kFileAcl) {
        auto access = read_whole_xattr_at(dirfd_, name_, "system.posix_acl_access");
        if (!access) {
            error = access.error().message;
            return std::nullopt;
        }
        if (*access || !S_ISDIR(st_.stx_mode)) return Value{access->has_value()};
        auto inherited = read_whole_xattr_at(dirfd_, name_, "system.posix_acl_default");
        if (!inherited) {
            error = inherited.error().message;
            return std::nullopt;
        }
        return Value{inherited->has_value()};
    }
    if (!S_ISREG(st_.stx_mode)) return std::nullopt;
    auto caps = read_whole_xattr_at(dirfd_, name_, "security.capability");
    if (!caps) {
        error = caps.error().message;
        return std::nullopt;
    }
    if (!*caps || (*caps)->empty()) return std::nullopt;
    return Value{decode_file_capabilities((*caps)->data(), (*caps)->size())};
}

const Value* FileEntry::field(std::size_t index) const {
    if (index >= kFileFieldCount) return nullptr;
    const std::uint32_t bit = 1u << index;
    if (!(cached_ & bit)) {
        std::string error;
        cache_[index] = compute(index, error);
        if (!error.empty()) {
            errors_[index] = std::move(error);
            errored_ |= bit;
        }
        cached_ |= bit;
    }
    return cache_[index] ? &*cache_[index] : nullptr;
}

const std::string* FileEntry::field_error(std::size_t index) const {
    if (index >= kFileFieldCount) return nullptr;
    field(index);  // a field's error is known once it has been computed
    return errored_ & (1u << index) ? &errors_[index] : nullptr;
}

std::optional<Value> FileEntry::compute(std::size_t index, std::string& error) const {
    const std::uint32_t mode = st_.stx_mode;
    const bool is_reg = S_ISREG(mode), is_link = S_ISLNK(mode);
    switch (static_cast<FileField>(index)) {
        case kFilePath: return Value{path_};
        case kFileName: {
            std::size_t slash = path_.rfind('/');
            return Value{slash == std::string::npos ? path_ : path_.substr(slash + 1)};
        }
        case kFileExists: return Value{true};
        case kFileType: return Value{std::string(file_type_name(mode))};
        case kFileMode: return Value{Mode{mode & 07777u}};
        case kFileUid: return Value{std::int64_t{st_.stx_uid}};
        case kFileGid: return Value{std::int64_t{st_.stx_gid}};
        case kFileOwner:
            if (const std::string* n = ids_->user_name(st_.stx_uid)) return Value{*n};
            return std::nullopt;
        case kFileGroup:
            if (const std::string* n = ids_->group_name(st_.stx_gid)) return Value{*n};
            return std::nullopt;
        case kFileSize: return Value{static_cast<std::int64_t>(st_.stx_size)};
        case kFileLinkTarget: {
            if (!is_link) return std::nullopt;
            char target[4096];
            ssize_t n = ::readlinkat(dirfd_, name_, target, sizeof target);
            if (n < 0) {
                error = "cannot read the link: " + error_from_errno(errno, "").message;
                return std::nullopt;
            }
            return Value{std::string(target, static_cast<std::size_t>(n))};
        }
        case kFileAcl:
        case kFileCapabilities: return xattr_field(index, error);
        case kFileImmutable: return Value{(st_.stx_attributes & STATX_ATTR_IMMUTABLE) != 0};
        case kFileAppendOnly: return Value{(st_.stx_attributes & STATX_ATTR_APPEND) != 0};
        case kFileSetuid: return Value{is_reg && (mode & S_ISUID)};
        case kFileSetgid: return Value{is_reg && (mode & S_ISGID)};
        case kFileSticky: return Value{(mode & S_ISVTX) != 0};
        case kFileWorldWritable: return Value{!is_link && (mode & S_IWOTH)};
        case kFileWorldReadable: return Value{!is_link && (mode & S_IROTH)};
        case kFileUnowned: return Value{ids_->user_name(st_.stx_uid) == nullptr};
        case kFileUngrouped: return Value{ids_->group_name(st_.stx_gid) == nullptr};
        case kFileExecutable: return Value{is_reg && (mode & 0111)};
        case kFileFieldCount: break;
    }
    return std::nullopt;
}

Fact FileEntry::to_fact() const {
    Fact f;
    f.object = path_;
    f.fields.reserve(kFileFieldCount);
    for (std::size_t i = 0; i < kFileFieldCount; ++i) {
        const Value* v = field(i);
        if (const std::string* why = field_error(i)) return Fact::error(path_, *why);
        f.fields.push_back(v ? std::optional<Value>(*v) : std::nullopt);
    }
    return f;
}

}  // namespace triad::scanner
