// SPDX-License-Identifier: Apache-2.0
// Which installed package owns a file, from the audited root's dpkg database: the file lists
// /var/lib/dpkg/info/PACKAGE.list that dpkg writes for every installed package. Listed paths
// are taken to where they live in the root (/bin/ls of a merged-/usr system is /usr/bin/ls),
// so a path found by a walk is looked up as it is. Read once per scan through the ScanMemo;
// bounded in bytes per file and in paths in all. Read only; runs no command.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/cancel.h"
#include "base/result.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

inline constexpr const char* kDpkgInfoDir = "/var/lib/dpkg/info";
inline constexpr std::size_t kMaxPackageListBytes = 64 * 1024 * 1024;  // one .list (the largest real ones are a few MiB)
inline constexpr std::size_t kMaxPackagePaths = 8'000'000;             // all .list files together

class PackageFileIndex {
public:
    // Reads the root's dpkg file lists. No /var/lib/dpkg/info: an index that owns nothing
    // (has_database() false). A list that cannot be read, or a database past the bounds, is
    // an error naming the file: ownership would be a guess. Stops between lists once
    // `cancel` is set (ErrorCode::cancelled).
    static Result<PackageFileIndex> load(const Sysroot& root, const CancelToken* cancel = nullptr);

    // The package that lists `path` ("coreutils", "libc6:amd64"), or several joined by ", "
    // when more than one lists it; nullopt when none does (a locally installed file).
    std::optional<std::string> owner(std::string_view path) const;

    bool has_database() const { return has_database_; }
    std::size_t package_count() const { return package_count_; }
    std::size_t path_count() const { return owners_.size(); }

private:
    bool has_database_ = false;
    std::size_t package_count_ = 0;
    static constexpr std::uint32_t kShared = 0x80000000u;
    std::vector<std::string> packages_;                      // "libc6:amd64", in the order read
    std::vector<std::vector<std::uint32_t>> shared_;         // packages of a path listed by several
    std::unordered_map<std::string, std::uint32_t> owners_;  // path -> index in packages_, or kShared | index in shared_
};

// The index of one scan, kept in the ScanMemo (ScanMemo::get<PackageFilesMemo>()): loaded by
// the first caller, shared by the rest. A daemon that keeps the memo across scans reloads it
// when the dpkg database changed (the info directory's modification time moved).
class PackageFilesMemo {
public:
    // The index, or the error that loading it gave (a cancelled load is not kept).
    Result<std::shared_ptr<const PackageFileIndex>> get(const Sysroot& root, const CancelToken* cancel = nullptr);

private:
    std::mutex mutex_;
    std::optional<Result<std::shared_ptr<const PackageFileIndex>>> loaded_;
    std::string root_path_;
    std::int64_t info_mtime_sec_ = -1;
    std::uint32_t info_mtime_nsec_ = 0;
};

}  // namespace triad::scanner
