// SPDX-License-Identifier: Apache-2.0
#include "scanner/packages/package_files.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <map>

#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace {

constexpr int kMaxSymlinkHops = 40;  // as the kernel's MAXSYMLINKS

// Drops "." and resolves ".." lexically; `path` is absolute.
std::string normalize(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i < path.size()) {
        std::size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        std::string part = path.substr(i, j - i);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(std::move(part));
        }
        i = j + 1;
    }
    std::string out;
    for (const std::string& p : parts) out += "/" + p;
    return out.empty() ? "/" : out;
}

// Where a directory lives in the root once symlinked components are followed inside it
// (/bin -> usr/bin on a merged-/usr system, where dpkg still lists /bin/ls). A component that
// does not exist, or a loop, ends the resolution with what was resolved so far.
class DirectoryResolver {
public:
    explicit DirectoryResolver(const Sysroot& root) : root_(root) {}

    const std::string& resolve(const std::string& dir) {
        auto it = cache_.find(dir);
        if (it != cache_.end()) return it->second;
        return cache_.emplace(dir, resolve_uncached(dir)).first->second;
    }

private:
    std::string resolve_uncached(const std::string& dir) {
        std::string pending = normalize(dir), done;
        for (int hops = 0; hops <= kMaxSymlinkHops;) {
            std::size_t i = 0;
            bool restarted = false;
            while (i < pending.size()) {
                std::size_t j = pending.find('/', i + 1);
                if (j == std::string::npos) j = pending.size();
                const std::string next = done + pending.substr(i, j - i);
                auto st = root_.lstat(next);
                if (!st) return normalize(done + pending.substr(i));
                if (S_ISLNK(st->stx_mode)) {
                    auto target = root_.read_link(next);
                    if (!target || ++hops > kMaxSymlinkHops) return normalize(done + pending.substr(i));
                    const std::string base = target->starts_with("/") ? std::string() : (done.empty() ? "" : done);
                    pending = normalize(base + "/" + *target + pending.substr(j));
                    done.clear();
                    restarted = true;
                    break;
                }
                done = next;
                i = j;
            }
            if (!restarted) return done.empty() ? "/" : done;
        }
        return normalize(dir);
    }

    const Sysroot& root_;
    std::map<std::string, std::string> cache_;
};

std::string dirname_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

}  // namespace

Result<PackageFileIndex> PackageFileIndex::load(const Sysroot& root, const CancelToken* cancel) {
    PackageFileIndex index;
    auto info = root.lstat(kDpkgInfoDir);
    if (!info) {
        if (info.error().code == ErrorCode::not_found) return index;  // no dpkg here: nothing is packaged
        return info.error();
    }
    auto lists = expand_path_glob(root, std::string(kDpkgInfoDir) + "/*.list");
    if (!lists) return lists.error();
    index.has_database_ = true;
    DirectoryResolver dirs(root);
    std::map<std::string, std::uint32_t> name_index;  // owner text -> slot in owner_names_
    auto slot_of = [&](const std::string& name) {
        auto [it, fresh] = name_index.emplace(name, static_cast<std::uint32_t>(index.owner_names_.size()));
        if (fresh) index.owner_names_.push_back(name);
        return it->second;
    };
    for (const std::string& list : *lists) {
        if (cancel && cancel->cancelled()) return Error{ErrorCode::cancelled, "reading the dpkg database was cancelled", kDpkgInfoDir};
        const std::string file = list.substr(list.rfind('/') + 1);
        const std::string package = file.substr(0, file.size() - 5);  // "libc6:amd64.list" -> "libc6:amd64"
        auto text = root.read_file(list, kMaxPackageListBytes);
        if (!text) return Error{text.error().code, "cannot read the dpkg file list: " + text.error().message, list};
        ++index.package_count_;
        const std::uint32_t own = slot_of(package);
        std::string_view rest = *text;
        while (!rest.empty()) {
            const std::size_t nl = rest.find('\n');
            std::string_view line = rest.substr(0, nl);
            rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
            if (line.empty() || line.front() != '/' || line == "/." || line == "/") continue;
            const std::string listed(line);
            const std::string& dir = dirs.resolve(dirname_of(listed));
            std::string path = (dir == "/" ? "" : dir) + listed.substr(listed.rfind('/'));
            auto [it, fresh] = index.owners_.emplace(std::move(path), own);
            if (!fresh && it->second != own) {
                // Directories (and the odd shared file) are listed by several packages.
                const std::string joined = index.owner_names_[it->second] + ", " + package;
                it->second = slot_of(joined);
            }
            if (index.owners_.size() > kMaxPackagePaths)
                return Error{ErrorCode::invalid_input,
                             "the dpkg database lists more than " + std::to_string(kMaxPackagePaths) + " paths",
                             kDpkgInfoDir};
        }
    }
    return index;
}

std::optional<std::string> PackageFileIndex::owner(std::string_view path) const {
    auto it = owners_.find(std::string(path));
    if (it == owners_.end()) return std::nullopt;
    return owner_names_[it->second];
}

Result<std::shared_ptr<const PackageFileIndex>> PackageFilesMemo::get(const Sysroot& root, const CancelToken* cancel) {
    std::lock_guard lock(mutex_);
    std::int64_t sec = -1;
    std::uint32_t nsec = 0;
    if (auto st = root.lstat(kDpkgInfoDir)) {
        sec = st->stx_mtime.tv_sec;
        nsec = st->stx_mtime.tv_nsec;
    }
    if (loaded_ && root_path_ == root.path() && sec == info_mtime_sec_ && nsec == info_mtime_nsec_) return *loaded_;
    auto index = PackageFileIndex::load(root, cancel);
    if (!index && index.error().code == ErrorCode::cancelled) return index.error();
    if (index) loaded_.emplace(std::make_shared<const PackageFileIndex>(std::move(*index)));
    else loaded_.emplace(index.error());
    root_path_ = root.path();
    info_mtime_sec_ = sec;
    info_mtime_nsec_ = nsec;
    return *loaded_;
}

}  // namespace triad::scanner
