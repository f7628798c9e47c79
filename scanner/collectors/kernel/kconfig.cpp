// SPDX-License-Identifier: Apache-2.0
// The `kconfig` collector (see kconfig.h).
#include "scanner/collectors/kernel/kconfig.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <zlib.h>

#include <memory>
#include <mutex>

#include "base/version_compare.h"
#include "scanner/collectors/kernel/kconfig_internal.h"

namespace triad::scanner {
namespace kconfig_internal {

Result<std::string> gunzip(std::string_view compressed, std::size_t max_bytes) {
    z_stream zs{};
    // 16 + MAX_WBITS: expect a gzip header and trailer, as /proc/config.gz has.
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Error{ErrorCode::io, "zlib: cannot initialise inflate", ""};
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    zs.avail_in = static_cast<uInt>(compressed.size());
    std::string out;
    char buf[64 * 1024];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            const std::string why = zs.msg ? zs.msg : rc == Z_BUF_ERROR ? "truncated stream" : "corrupt stream";
            inflateEnd(&zs);
            return Error{ErrorCode::invalid_input, "not a valid gzip stream: " + why, ""};
        }
        out.append(buf, sizeof buf - zs.avail_out);
        if (out.size() > max_bytes) {
            inflateEnd(&zs);
            return Error{ErrorCode::invalid_input, "decompresses to more than " + std::to_string(max_bytes) + " bytes", ""};
        }
    }
    inflateEnd(&zs);
    return out;
}

std::map<std::string, std::string, std::less<>> parse_kconfig(std::string_view text) {
    std::map<std::string, std::string, std::less<>> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        constexpr std::string_view kUnset = " is not set";
        if (line.starts_with("# CONFIG_") && line.ends_with(kUnset)) {
            out[std::string(line.substr(2, line.size() - 2 - kUnset.size()))] = "n";
            continue;
        }
        if (!line.starts_with("CONFIG_")) continue;
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view value = line.substr(eq + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        out[std::string(line.substr(0, eq))] = std::string(value);
    }
    return out;
}

}  // namespace kconfig_internal

namespace {

using namespace kconfig_internal;

// A distribution config is about 300 KiB; compressed about 60.
constexpr std::size_t kMaxConfigBytes = 8 * 1024 * 1024;
constexpr std::size_t kMaxBootEntries = 4096;

struct KernelConfig {
    std::string file, release;
    std::map<std::string, std::string, std::less<>> options;
};

// The newest /boot/config-RELEASE of an offline root: what the root boots by default on
// Debian, whose kernel packages make the newest version the first menu entry.
std::optional<std::string> newest_boot_config(const Sysroot& root) {
    auto fd = root.open_path("/boot", O_RDONLY | O_DIRECTORY, /*follow_final=*/true);
    if (!fd) return std::nullopt;
    DIR* d = ::fdopendir(fd->get());
    if (!d) return std::nullopt;
    fd->release();  // owned by d now
    std::optional<std::string> best;
    std::size_t seen = 0;
    while (dirent* e = ::readdir(d)) {
        if (++seen > kMaxBootEntries) break;
        std::string_view n = e->d_name;
        if (!n.starts_with("config-") || n.size() == 7) continue;
        std::string release(n.substr(7));
        if (!best || compare_versions(release, *best) > 0) best = std::move(release);
    }
    ::closedir(d);
    return best;
}

// Parsed configurations by file identity: the 70 checks of a policy each select options of
// the same file, which is then read and (for /proc/config.gz) inflated once per scan. The key
// holds the tree, the path and the file's device, inode, size and change time, so a daemon
// that keeps the memo across scans reads a replaced or rewritten file again.
struct KconfigMemo {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<const KernelConfig>> parsed;
};

using ConfigPtr = std::shared_ptr<const KernelConfig>;

Result<ConfigPtr> load(const CollectContext& ctx, const Sysroot& tree, const std::string& path, const std::string& shown,
                       const std::string& release, bool gzipped) {
    auto fd = tree.open_path(path, O_PATH, /*follow_final=*/true);
    if (!fd) return Error{fd.error().code, fd.error().message, shown};
    struct statx st {};
    if (::statx(fd->get(), "", AT_EMPTY_PATH, STATX_INO | STATX_SIZE | STATX_CTIME, &st) != 0)
        return Error{ErrorCode::io, "cannot stat", shown};
    const std::string key = tree.path() + "\n" + path + "\n" + std::to_string(st.stx_dev_major) + ":" +
                            std::to_string(st.stx_dev_minor) + ":" + std::to_string(st.stx_ino) + ":" + std::to_string(st.stx_size) +
                            ":" + std::to_string(st.stx_ctime.tv_sec) + "." + std::to_string(st.stx_ctime.tv_nsec) + "\n" + release;
    KconfigMemo* memo = ctx.memo ? &ctx.memo->get<KconfigMemo>() : nullptr;
    if (memo) {
        std::lock_guard lock(memo->mutex);
        if (auto it = memo->parsed.find(key); it != memo->parsed.end()) return it->second;
    }
    auto bytes = tree.read_file(path, kMaxConfigBytes);
    if (!bytes) return Error{bytes.error().code, bytes.error().message, shown};
    std::string text;
    if (gzipped) {
        auto inflated = gunzip(*bytes, kMaxConfigBytes);
        if (!inflated) return Error{inflated.error().code, inflated.error().message, shown};
        text = std::move(*inflated);
    } else {
        text = std::move(*bytes);
    }
    auto config = std::make_shared<const KernelConfig>(KernelConfig{shown, release, parse_kconfig(text)});
    if (memo) {
        std::lock_guard lock(memo->mutex);
        memo->parsed.emplace(key, config);
    }
    return ConfigPtr{config};
}

// Null: the root has no kernel configuration at all.
Result<ConfigPtr> find_config(const CollectContext& ctx) {
    if (ctx.proc) {
        std::string release;
        if (auto r = ctx.proc->read_file("sys/kernel/osrelease", 4096)) {
            release = *r;
            while (!release.empty() && (release.back() == '\n' || release.back() == ' ')) release.pop_back();
        }
        auto gz = load(ctx, *ctx.proc, "config.gz", "/proc/config.gz", release, /*gzipped=*/true);
        if (gz || gz.error().code != ErrorCode::not_found) return gz;
        if (!release.empty())
            for (const std::string& path : {"/boot/config-" + release, "/lib/modules/" + release + "/config"}) {
                auto c = load(ctx, ctx.root, path, path, release, /*gzipped=*/false);
                if (c || c.error().code != ErrorCode::not_found) return c;
            }
        return Error{ErrorCode::not_found,
                     "the running kernel's build configuration is not available (no /proc/config.gz, /boot/config-" + release +
                         " or /lib/modules/" + release + "/config)",
                     ""};
    }
    auto release = newest_boot_config(ctx.root);
    if (!release) return ConfigPtr{};
    return load(ctx, ctx.root, "/boot/config-" + *release, "/boot/config-" + *release, *release, /*gzipped=*/false);
}

FactSet collect_kconfig(const CollectContext& ctx, const SelectArgs& args) {
    FactSet out;
    auto config = find_config(ctx);
    for (std::string option : args.list("option")) {
        if (!option.starts_with("CONFIG_")) option = "CONFIG_" + option;
        if (!config) {
            out.push_back(Fact::error(option, config.error().describe()));
            continue;
        }
        if (!*config) {  // no kernel configuration in the root
            out.push_back(Fact::not_applicable(option, "the audited root has no kernel build configuration (/boot/config-*)"));
            continue;
        }
        const KernelConfig& c = **config;
        auto it = c.options.find(option);
        const std::string value = it == c.options.end() ? "n" : it->second;
        Fact f;
        f.object = option;
        f.fields.resize(kKconfigFieldCount);
        f.fields[kKconfigOption] = Value{option};
        f.fields[kKconfigValue] = Value{value};
        f.fields[kKconfigEnabled] = Value{value != "n" && !value.empty()};
        f.fields[kKconfigListed] = Value{it != c.options.end()};
        f.fields[kKconfigFile] = Value{c.file};
        if (!c.release.empty()) f.fields[kKconfigRelease] = Value{c.release};
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

const CollectorEntry kKconfigCollector = with_collect(kKconfigCollectorSpec, collect_kconfig);

}  // namespace triad::scanner
