// SPDX-License-Identifier: Apache-2.0
// The `stale_code` collector (see stale_code.h). What needrestart and checkrestart look for,
// narrowed to what runs: only executable mappings count (a deleted data file a process keeps
// open is not old code). A path that still exists but names another inode than the one
// mapped was replaced under the process (dpkg installs by rename, so the old inode is usually
// also marked deleted), and counts as stale too.
#include "scanner/collectors/packages/stale_code.h"

#include <sys/sysmacros.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "scanner/packages/dpkg_md5sums.h"
#include "scanner/proc/proc_table.h"

namespace triad::scanner {
namespace {

// maps files are one line per mapping; a process with a huge number of mappings (a JVM)
// has tens of thousands. Larger than this is not a maps file.
constexpr std::size_t kMaxMapsBytes = 32 * 1024 * 1024;
constexpr std::string_view kDeletedSuffix = " (deleted)";

bool not_a_system_file(std::string_view path) {
    return path.empty() || path.front() != '/' || path.starts_with("/memfd:") || path.starts_with("/dev/shm/") ||
           path.starts_with("/SYSV") || path.starts_with("/dev/zero") || path.starts_with("/anon_hugepage");
}

std::string_view next_word(std::string_view& line) {
    const std::size_t start = line.find_first_not_of(' ');
    if (start == std::string_view::npos) {
        line = {};
        return {};
    }
    line.remove_prefix(start);
    const std::size_t end = std::min(line.find(' '), line.size());
    std::string_view word = line.substr(0, end);
    line.remove_prefix(end);
    return word;
}

template <class T>
bool parse_hex(std::string_view s, T& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
    return ec == std::errc{} && p == s.data() + s.size();
}

}  // namespace

std::vector<StaleMapping> executable_file_mappings(std::string_view maps) {
    std::vector<StaleMapping> out;
    std::set<std::string> seen;
    std::size_t pos = 0;
    while (pos < maps.size()) {
        std::size_t end = maps.find('\n', pos);
        if (end == std::string_view::npos) end = maps.size();
        std::string_view line = maps.substr(pos, end - pos);
        pos = end + 1;
        // "ADDR PERMS OFFSET MAJ:MIN INODE      PATH" (the path may contain spaces).
        next_word(line);
        const std::string_view perms = next_word(line);
        next_word(line);
        const std::string_view dev = next_word(line);
        const std::string_view inode = next_word(line);
        const std::size_t path_start = line.find_first_not_of(' ');
        if (perms.size() < 3 || perms[2] != 'x' || path_start == std::string_view::npos) continue;
        std::string_view path = line.substr(path_start);
        StaleMapping m;
        if (path.ends_with(kDeletedSuffix)) {
            path.remove_suffix(kDeletedSuffix.size());
            m.deleted = true;
        }
        if (not_a_system_file(path)) continue;
        const std::size_t colon = dev.find(':');
        if (colon == std::string_view::npos || !parse_hex(dev.substr(0, colon), m.dev_major) ||
            !parse_hex(dev.substr(colon + 1), m.dev_minor))
            continue;
        auto [p, ec] = std::from_chars(inode.data(), inode.data() + inode.size(), m.inode);
        if (ec != std::errc{} || m.inode == 0) continue;
        m.path = std::string(path);
        if (seen.insert(m.path).second) out.push_back(std::move(m));
    }
    return out;
}

namespace {

FactSet collect_stale_code(const CollectContext& ctx, const SelectArgs&) {
    if (!ctx.proc) return {Fact::not_applicable("stale_code", "needs the running system (/proc)")};
    struct Stale {
        const ProcessInfo* process;
        std::vector<std::string> files;
        std::vector<std::string> paths;
    };
    const std::vector<ProcessInfo> processes = read_processes(*ctx.proc);
    std::vector<Stale> stale;
    FactSet out;
    for (const ProcessInfo& p : processes) {
        if (ctx.cancelled()) break;
        if (p.exe.empty()) continue;  // a kernel thread maps nothing
        const std::string maps_path = std::to_string(p.pid) + "/maps";
        auto maps = ctx.proc->read_file(maps_path, kMaxMapsBytes);
        if (!maps) {
            if (maps.error().code == ErrorCode::not_found) continue;  // exited meanwhile
            out.push_back(Fact::error(std::to_string(p.pid) + " " + p.name, maps.error().describe()));
            continue;
        }
        Stale s{&p, {}, {}};
        for (const StaleMapping& m : executable_file_mappings(*maps)) {
            bool replaced = false;
            if (!m.deleted) {
                // Same device, another inode at the path: the file was replaced under it.
                auto st = ctx.root.lstat(m.path);
                replaced = st && st->stx_dev_major == m.dev_major && st->stx_dev_minor == m.dev_minor &&
                           st->stx_ino != m.inode;
            }
            if (!m.deleted && !replaced) continue;
            s.files.push_back(m.path + (m.deleted ? " (deleted)" : " (replaced)"));
            s.paths.push_back(m.path);
        }
        // A sealed memfd re-executed as the binary (runc does this) was never a file on disk.
        if (p.exe_deleted && !not_a_system_file(p.exe) &&
            std::find(s.paths.begin(), s.paths.end(), p.exe) == s.paths.end()) {
            s.files.push_back(p.exe + " (deleted)");
            s.paths.push_back(p.exe);
        }
        if (!s.files.empty()) stale.push_back(std::move(s));
    }
    if (stale.empty()) return out;
    // Only now, with something to name, are dpkg's file lists read.
    const FileOwners owners = read_file_owners(ctx.root);
    for (Stale& s : stale) {
        Fact f;
        f.object = std::to_string(s.process->pid) + " " + s.process->name;
        f.fields.resize(kStaleFieldCount);
        f.fields[kStalePid] = Value{std::int64_t{s.process->pid}};
        f.fields[kStaleName] = Value{s.process->name};
        f.fields[kStaleExe] = Value{s.process->exe};
        f.fields[kStaleFiles] = Value{s.files};
        StringList packages;
        for (const std::string& path : s.paths)
            if (const std::string* pkg = owners.find(path);
                pkg && std::find(packages.begin(), packages.end(), *pkg) == packages.end())
                packages.push_back(*pkg);
        if (!packages.empty()) f.fields[kStalePackages] = Value{packages};
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

const CollectorEntry kStaleCodeCollector = with_collect(kStaleCodeCollectorSpec, collect_stale_code);

}  // namespace triad::scanner
