// SPDX-License-Identifier: Apache-2.0
#include "scanner/packages/package_files.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace {

constexpr int kMaxSymlinkHops = 40;  // as the kernel's MAXSYMLINKS
// All lists together, held at once while the index is built: 8 million paths (the bound on
// paths) of 128 bytes; a desktop system has 9 MiB.
constexpr std::size_t kMaxPackageListsBytes = std::size_t{1} << 30;

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
                const Component& c = component(next);
                if (!c.exists) return normalize(done + pending.substr(i));
                if (c.link) {
                    const std::optional<std::string>& target = c.target;
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

    // What one path component is. The lists name about 13,000 directories, 5 components deep
    // on average; each component (/usr, /usr/share, ...) is looked up once, not once for every
    // directory below it (98,000 lookups of three system calls each on a desktop system).
    struct Component {
        bool exists = false;
        bool link = false;
        std::optional<std::string> target;  // a link's target; nullopt when it cannot be read
    };

    const Component& component(const std::string& path) {
        auto it = components_.find(path);
        if (it != components_.end()) return it->second;
        Component c;
        if (auto st = root_.lstat(path)) {
            c.exists = true;
            c.link = S_ISLNK(st->stx_mode);
            if (c.link)
                if (auto target = root_.read_link(path)) c.target = std::move(*target);
        }
        return components_.emplace(path, std::move(c)).first->second;
    }

    const Sysroot& root_;
    std::map<std::string, std::string> cache_;
    std::unordered_map<std::string, Component> components_;
};


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
    // A list names its files directory by directory, so consecutive lines mostly share the
    // directory whose resolution was looked up last.
    std::string last_dir;
    const std::string* last_resolved = nullptr;
    // Every list is read before any is indexed, so that the table is sized once for all the
    // lines (about 150,000 on a desktop system) instead of rehashing as it grows.
    std::vector<std::string> texts;
    texts.reserve(lists->size());
    std::size_t lines = 0, bytes = 0;
    for (const std::string& list : *lists) {
        if (cancel && cancel->cancelled()) return Error{ErrorCode::cancelled, "reading the dpkg database was cancelled", kDpkgInfoDir};
        auto text = root.read_file(list, kMaxPackageListBytes);
        if (!text) return Error{text.error().code, "cannot read the dpkg file list: " + text.error().message, list};
        lines += static_cast<std::size_t>(std::count(text->begin(), text->end(), '\n'));
        bytes += text->size();
        if (bytes > kMaxPackageListsBytes)
            return Error{ErrorCode::invalid_input, "the dpkg file lists hold more than 1 GiB", kDpkgInfoDir};
        texts.push_back(std::move(*text));
    }
    index.owners_.reserve(std::min(lines, kMaxPackagePaths + 1));
    for (std::size_t k = 0; k < lists->size(); ++k) {
        if (cancel && cancel->cancelled()) return Error{ErrorCode::cancelled, "reading the dpkg database was cancelled", kDpkgInfoDir};
        const std::string& list = (*lists)[k];
        const std::string file = list.substr(list.rfind('/') + 1);
        std::string text = std::move(texts[k]);  // freed once indexed
        ++index.package_count_;
        const auto own = static_cast<std::uint32_t>(index.packages_.size());
        index.packages_.push_back(file.substr(0, file.size() - 5));  // "libc6:amd64.list" -> "libc6:amd64"
        std::string_view rest = text;
        while (!rest.empty()) {
            const std::size_t nl = rest.find('\n');
            std::string_view line = rest.substr(0, nl);
            rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
            if (line.empty() || line.front() != '/' || line == "/." || line == "/") continue;
            const std::size_t slash = line.rfind('/');
            const std::string_view dir = slash == 0 ? std::string_view("/") : line.substr(0, slash);
            if (!last_resolved || dir != last_dir) {
                last_dir = dir;
                last_resolved = &dirs.resolve(last_dir);
            }
            std::string path = *last_resolved == "/" ? std::string() : *last_resolved;
            path += line.substr(slash);
            auto [it, fresh] = index.owners_.emplace(std::move(path), own);
            if (fresh || it->second == own) {
                // a new path, or one this package listed already under another spelling
            } else if (!(it->second & kShared)) {
                // Directories (and the odd shared file) are listed by several packages: the
                // path then points at the list of them, one entry more per package (joining
                // their names here would copy ever longer strings for /usr/share/doc).
                index.shared_.push_back({it->second, own});
                it->second = kShared | static_cast<std::uint32_t>(index.shared_.size() - 1);
            } else if (std::vector<std::uint32_t>& owners = index.shared_[it->second & ~kShared]; owners.back() != own) {
                owners.push_back(own);
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
    if (!(it->second & kShared)) return packages_[it->second];
    std::string joined;
    for (std::uint32_t p : shared_[it->second & ~kShared]) joined += (joined.empty() ? "" : ", ") + packages_[p];
    return joined;
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
