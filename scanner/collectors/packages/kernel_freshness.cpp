// SPDX-License-Identifier: Apache-2.0
// The `kernel_freshness` collector (see kernel_freshness.h).
#include "scanner/collectors/packages/kernel_freshness.h"

#include <dirent.h>
#include <fcntl.h>

#include <algorithm>

#include "base/version_compare.h"
#include "scanner/packages/apt_inventory.h"

namespace triad::scanner {
namespace {

constexpr std::size_t kMaxSmallFile = 64 * 1024;
constexpr std::size_t kMaxBootEntries = 4096;

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
    return s;
}

StringList lines_of(const std::string& text) {
    StringList out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = trimmed(text.substr(pos, end - pos));
        pos = end + 1;
        if (!line.empty() && std::find(out.begin(), out.end(), line) == out.end()) out.push_back(line);
    }
    return out;
}

Result<StringList> boot_images(const Sysroot& root) {
    StringList out;
    auto fd = root.open_path("/boot", O_RDONLY | O_DIRECTORY, /*follow_final=*/true);
    if (!fd) {
        if (fd.error().code == ErrorCode::not_found) return out;
        return fd.error();
    }
    DIR* d = ::fdopendir(fd->get());
    if (!d) return error_from_errno(errno, root.display("/boot"));
    fd->release();
    std::size_t seen = 0;
    while (dirent* e = ::readdir(d)) {
        if (++seen > kMaxBootEntries) break;
        std::string_view n = e->d_name;
        if (n.starts_with("vmlinuz-") && n.size() > 8) out.emplace_back(n.substr(8));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

FactSet collect_kernel_freshness(const CollectContext& ctx, const SelectArgs&) {
    if (!ctx.proc) return {Fact::not_applicable("kernel", "needs the running system (/proc)")};
    auto running = ctx.proc->read_file("sys/kernel/osrelease", kMaxSmallFile);
    if (!running) return {Fact::error("kernel", running.error().describe())};
    auto inv = apt_inventory(ctx.root, ctx.memo, ctx.cancel);
    if (!*inv) {
        const Error& e = inv->error();
        if (e.code == ErrorCode::not_found) return {Fact::not_applicable("kernel", e.describe())};
        return {Fact::error("kernel", e.describe())};
    }

    Fact f;
    f.object = "kernel";
    f.fields.resize(kKernFieldCount);
    const std::string release = trimmed(*running);
    f.fields[kKernRunning] = Value{release};

    StringList installed;
    const AptPackage* newest = nullptr;
    std::string newest_release;
    for (const AptPackage& p : (*inv)->packages) {
        if (p.state != "installed") continue;
        std::string r = kernel_release_of_package(p.name);
        if (r.empty()) continue;
        if (std::find(installed.begin(), installed.end(), r) == installed.end()) installed.push_back(r);
        const int by_version = newest ? compare_versions(p.version, newest->version) : 1;
        if (!newest || by_version > 0 || (by_version == 0 && compare_versions(r, newest_release) > 0)) {
            newest = &p;
            newest_release = r;
        }
    }
    f.fields[kKernPackaged] = Value{newest != nullptr};
    if (newest) {
        f.fields[kKernInstalled] = Value{installed};
        f.fields[kKernNewest] = Value{newest_release};
        f.fields[kKernRunningIsNewest] = Value{release == newest_release};
    }
    auto images = boot_images(ctx.root);
    if (!images) return {Fact::error("kernel", images.error().describe())};
    if (!images->empty()) f.fields[kKernBootImages] = Value{*images};

    // Debian's and Ubuntu's package scripts write these; /var/run is a link to /run.
    auto flag = ctx.root.lstat("/run/reboot-required");
    if (!flag && flag.error().code != ErrorCode::not_found) return {Fact::error("kernel", flag.error().describe())};
    f.fields[kKernRebootRequired] = Value{flag.has_value()};
    auto pkgs = ctx.root.read_file("/run/reboot-required.pkgs", kMaxSmallFile);
    if (pkgs) {
        StringList names = lines_of(*pkgs);
        if (!names.empty()) f.fields[kKernRebootPackages] = Value{names};
    } else if (pkgs.error().code != ErrorCode::not_found) {
        return {Fact::error("kernel", pkgs.error().describe())};
    }
    return {std::move(f)};
}

}  // namespace

std::string kernel_release_of_package(std::string_view name) {
    constexpr std::string_view kPrefix = "linux-image-";
    if (!name.starts_with(kPrefix)) return {};
    name.remove_prefix(kPrefix.size());
    if (const std::size_t colon = name.find(':'); colon != std::string_view::npos) name = name.substr(0, colon);
    if (name.empty() || name.front() < '0' || name.front() > '9') return {};
    if (name.ends_with("-unsigned")) name.remove_suffix(9);
    if (name.ends_with("-dbg")) return {};
    return std::string(name);
}

const CollectorEntry kKernelFreshnessCollector = with_collect(kKernelFreshnessCollectorSpec, collect_kernel_freshness);

}  // namespace triad::scanner
