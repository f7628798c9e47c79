// SPDX-License-Identifier: Apache-2.0
#include "scanner/packages/dpkg_md5sums.h"

#include <dirent.h>
#include <fcntl.h>

#include <algorithm>

namespace triad::scanner {
namespace {

constexpr const char* kInfoDir = "/var/lib/dpkg/info";
// A large package (linux-image, a TeX font set) lists tens of thousands of files: its
// md5sums is a few MiB. Far beyond that is not a dpkg database.
constexpr std::size_t kMaxMd5sumsBytes = 64 * 1024 * 1024;
constexpr std::size_t kMaxPackages = 100000;

bool is_hex32(std::string_view s) {
    return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
           });
}

}  // namespace

Result<std::vector<Md5sumLine>> parse_md5sums_lines(std::string_view text, const std::string& where) {
    std::vector<Md5sumLine> out;
    std::size_t pos = 0;
    int number = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++number;
        if (line.empty()) continue;
        // "<md5>  <path>": two spaces (md5sum's text mode) or " *" (binary mode).
        if (line.size() < 35 || !is_hex32(line.substr(0, 32)) || line[32] != ' ' || (line[33] != ' ' && line[33] != '*'))
            return Error{ErrorCode::invalid_input, "line " + std::to_string(number) + " is not \"<md5>  <path>\"", where};
        out.push_back(Md5sumLine{line.substr(0, 32), line.substr(34)});
    }
    return out;
}

Result<std::vector<Md5sumEntry>> parse_md5sums(std::string_view text, const std::string& where) {
    auto lines = parse_md5sums_lines(text, where);
    if (!lines) return lines.error();
    std::vector<Md5sumEntry> out;
    out.reserve(lines->size());
    for (const Md5sumLine& line : *lines) {
        Md5sumEntry e;
        e.md5 = std::string(line.md5);
        std::transform(e.md5.begin(), e.md5.end(), e.md5.begin(), [](char c) { return c >= 'A' && c <= 'F' ? c + 32 : c; });
        e.path = line.path.front() == '/' ? std::string(line.path) : "/" + std::string(line.path);
        out.push_back(std::move(e));
    }
    return out;
}

Result<std::vector<std::string>> md5sums_packages(const Sysroot& root) {
    auto fd = root.open_path(kInfoDir, O_RDONLY | O_DIRECTORY, /*follow_final=*/true);
    if (!fd) return fd.error();
    DIR* d = ::fdopendir(fd->get());
    if (!d) return error_from_errno(errno, root.display(kInfoDir));
    fd->release();
    std::vector<std::string> out;
    constexpr std::string_view kSuffix = ".md5sums";
    while (dirent* e = ::readdir(d)) {
        std::string_view n = e->d_name;
        if (n.size() > kSuffix.size() && n.ends_with(kSuffix)) out.emplace_back(n.substr(0, n.size() - kSuffix.size()));
        if (out.size() > kMaxPackages) {
            ::closedir(d);
            return Error{ErrorCode::invalid_input, "more than 100000 md5sums files", root.display(kInfoDir)};
        }
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

const std::string* FileOwners::find(const std::string& path) const {
    if (auto it = owner.find(path); it != owner.end()) return &it->second;
    // Merged /usr: /usr/lib/x is also /lib/x, and the package may record either.
    for (const char* dir : {"/lib", "/lib64", "/bin", "/sbin", "/lib32", "/libx32"}) {
        const std::string top = dir, usr = std::string("/usr") + dir;
        std::string other;
        if (path.starts_with(usr + "/")) other = top + path.substr(usr.size());
        else if (path.starts_with(top + "/")) other = usr + path.substr(top.size());
        if (other.empty()) continue;
        if (auto it = owner.find(other); it != owner.end()) return &it->second;
    }
    return nullptr;
}

FileOwners read_file_owners(const Sysroot& root) {
    FileOwners out;
    auto packages = md5sums_packages(root);
    if (!packages) {
        if (packages.error().code != ErrorCode::not_found) out.errors.push_back(packages.error().describe());
        return out;
    }
    for (const std::string& pkg : *packages) {
        const std::string path = std::string(kInfoDir) + "/" + pkg + ".md5sums";
        auto text = root.read_file(path, kMaxMd5sumsBytes);
        if (!text) {
            out.errors.push_back(text.error().describe());
            continue;
        }
        auto entries = parse_md5sums(*text, root.display(path));
        if (!entries) {
            out.errors.push_back(entries.error().describe());
            continue;
        }
        for (Md5sumEntry& e : *entries) out.owner.emplace(std::move(e.path), pkg);
    }
    return out;
}

}  // namespace triad::scanner
