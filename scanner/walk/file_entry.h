// SPDX-License-Identifier: Apache-2.0
// One object of the file system as the walk and the `file` collector see it: type, mode,
// owner, size, link target (never followed), POSIX ACL, file capabilities,
// immutable/append-only, each computed only when asked for.
#pragma once

#include <sys/stat.h>

#include <array>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "scanner/core/fact.h"
#include "scanner/identity/identity.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

enum FileField : std::size_t {
    kFilePath, kFileName, kFileExists, kFileType, kFileMode, kFileUid, kFileGid, kFileOwner,
    kFileGroup, kFileSize, kFileLinkTarget, kFileAcl, kFileCapabilities, kFileImmutable,
    kFileAppendOnly, kFileSetuid, kFileSetgid, kFileSticky, kFileWorldWritable,
    kFileWorldReadable, kFileUnowned, kFileUngrouped, kFileExecutable, kFileFieldCount
};

std::span<const FieldSpec> file_fields();

// "file", "dir", "symlink", "fifo", "socket", "char", "block".
const char* file_type_name(std::uint32_t mode);

// One object of the file system. Cheap fields come from statx; names, ACL, capabilities
// and link target are read only when a condition asks (the walk sees every file).
class FileEntry final : public FieldSource {
public:
    explicit FileEntry(const IdentityTable& ids) : ids_(&ids) {}

    // `dirfd` + `name` locate the object without following it; name "" means dirfd is
    // an O_PATH descriptor of the object itself. Both must outlive the use of this entry.
    void reset(std::string_view path, int dirfd, const char* name, const struct statx& st);
    // The same, taking the path's buffer (and leaving the previous one in `path`): the walk
    // calls this for every entry, so the path is not copied.
    void reset_swap(std::string& path, int dirfd, const char* name, const struct statx& st);
    void release_path(std::string& into) { into.swap(path_); }

    std::string_view object_name() const override { return path_; }
    const Value* field(std::size_t index) const override;
    // Non-null when the kernel refused to tell (an ACL or capability read failing with EIO or
    // EACCES): then field() is null but does not mean "none".
    const std::string* field_error(std::size_t index) const override;
    const struct statx& stat() const { return st_; }
    const std::string& path() const { return path_; }
    // The file system the object lives on (major:minor packed), for one-file-system scopes.
    std::uint64_t device() const { return (std::uint64_t{st_.stx_dev_major} << 32) | st_.stx_dev_minor; }

    // Every field materialised, for evidence and for the `file` collector's output; an error
    // fact when a field could not be read, never that field left out as if absent.
    Fact to_fact() const;

private:
    // A field that cannot be read sets `error` and yields no value.
    std::optional<Value> compute(std::size_t index, std::string& error) const;
    std::optional<Value> xattr_field(std::size_t index, std::string& error) const;

    // Each field is computed once per entry, however many checks ask: the walk evaluates
    // every check's `where` on every file. `cached_` has a bit per field, `errored_` a bit per
    // field that could not be read (its reason in `errors_`); reset clears both.
    mutable std::array<std::optional<Value>, kFileFieldCount> cache_;
    mutable std::array<std::string, kFileFieldCount> errors_;
    mutable std::uint32_t cached_ = 0;
    mutable std::uint32_t errored_ = 0;
    static_assert(kFileFieldCount <= 32);

    const IdentityTable* ids_;
    std::string path_;
    int dirfd_ = -1;
    const char* name_ = "";
    struct statx st_ {};
};

// Reads an extended attribute of dirfd/name without following a final symlink.
// Returns the value size, or -errno. With size 0, the size the value needs.
long read_xattr_at(int dirfd, const char* name, const char* attr, void* buf, std::size_t size);

// The whole value of an extended attribute of dirfd/name, however long (up to the kernel's
// 64 KiB limit), without following a final symlink. nullopt: the object has no such
// attribute, or its file system keeps none. An Error: it could not be read; the message
// names the attribute and the reason.
Result<std::optional<std::string>> read_whole_xattr_at(int dirfd, const char* name, const char* attr);

// Decodes a security.capability value into getcap's text form ("cap_net_raw=ep").
std::string decode_file_capabilities(const void* data, std::size_t size);

}  // namespace triad::scanner
