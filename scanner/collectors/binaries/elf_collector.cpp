// SPDX-License-Identifier: Apache-2.0
// The `elf` collector (see elf_collector.h): one parallel walk finds the binaries and reads
// each as it is found (through the scan's ELF memo), then exposure is joined in from the
// file's mode, its security.capability and the live process table, on every core.
#include "scanner/collectors/binaries/elf_collector.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>

#include "scanner/elf/binary_walk.h"
#include "scanner/elf/elf_cache.h"
#include "scanner/walk/file_entry.h"
#include "scanner/walk/file_walk.h"
#include "base/pattern.h"
#include "scanner/proc/proc_table.h"

namespace triad::scanner {
namespace {

bool name_selected(const std::vector<std::string>& globs, const std::string& path) {
    if (globs.empty()) return true;
    const std::string name = path.substr(path.rfind('/') + 1);
    return std::any_of(globs.begin(), globs.end(), [&](const std::string& g) { return ::fnmatch(g.c_str(), name.c_str(), 0) == 0; });
}

std::string dirname_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) return "/";
    return path.substr(0, slash);
}

// The binary's file capabilities as getcap prints them; nullopt when it has none. An Error
// when they could not be read: "no capabilities" would hide exactly what exposure looks for.
Result<std::optional<std::string>> capabilities_of(const Sysroot& root, const std::string& path) {
    auto fd = root.open_path(path, O_PATH, /*follow_final=*/false);
    if (!fd) return fd.error();
    auto value = read_whole_xattr_at(fd->get(), "", "security.capability");
    if (!value) return value.error();
    if (!*value || (*value)->empty()) return std::optional<std::string>();
    return std::optional<std::string>(decode_file_capabilities((*value)->data(), (*value)->size()));
}

// Who other than root could create a missing directory: whoever may write its first
// existing ancestor (every missing level below it is theirs to make). nullopt when only root
// can: then the entry is no way in. Set-user-id programs ignore no RPATH, so a user-writable
// ancestor is as good as a writable directory.
std::optional<std::string> who_can_create(const Sysroot& root, const IdentityTable* ids, std::string dir) {
    auto user = [&](std::uint32_t uid) {
        const std::string* name = ids ? ids->user_name(uid) : nullptr;
        return name ? "user " + *name : "uid " + std::to_string(uid);
    };
    auto group = [&](std::uint32_t gid) {
        const std::string* name = ids ? ids->group_name(gid) : nullptr;
        return name ? "group " + *name : "gid " + std::to_string(gid);
    };
    while (dir.size() > 1) {
        dir = dirname_of(dir);
        auto fd = root.open_path(dir, O_PATH, /*follow_final=*/true);
        if (!fd) {
            if (fd.error().code == ErrorCode::not_found) continue;
            return "unknown: " + dir + " cannot be examined (" + fd.error().message + ")";
        }
        struct statx st {};
        if (::statx(fd->get(), "", AT_EMPTY_PATH, STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID, &st) != 0)
            return "unknown: " + dir + " cannot be examined";
        if (!S_ISDIR(st.stx_mode)) return std::nullopt;  // a file is in the way: nothing can be created under it
        std::vector<std::string> who;
        if (st.stx_mode & S_IWOTH) who.push_back("anyone");
        if (st.stx_uid != 0 && (st.stx_mode & S_IWUSR)) who.push_back(user(st.stx_uid));
        if (st.stx_gid != 0 && (st.stx_mode & S_IWGRP)) who.push_back(group(st.stx_gid));
        if (who.empty()) return std::nullopt;
        std::string text;
        for (const std::string& w : who) text += (text.empty() ? "" : ", ") + w;
        return text + " can create it in " + dir + " (" + format_mode(st.stx_mode) + ")";
    }
    return std::nullopt;
}

}  // namespace

Fact elf_info_fact(const std::string& path, const ElfInfo& info) {
    Fact f;
    f.object = path;
    f.fields.resize(kElfFieldCount);
    f.fields[kElfPath] = Value{path};
    f.fields[kElfKind] = Value{info.kind};
    f.fields[kElfPie] = Value{info.pie};
    f.fields[kElfNx] = Value{info.nx};
    f.fields[kElfCanary] = Value{info.canary};
    f.fields[kElfRelro] = Value{info.relro};
    f.fields[kElfFortified] = Value{std::int64_t{info.fortified}};
    f.fields[kElfFortifiable] = Value{std::int64_t{info.fortifiable}};
    f.fields[kElfRpath] = Value{StringList(info.rpath)};
    f.fields[kElfRunpath] = Value{StringList(info.runpath)};
    f.fields[kElfCetIbt] = Value{info.cet_ibt};
    f.fields[kElfCetShstk] = Value{info.cet_shstk};
    f.fields[kElfStripped] = Value{info.stripped};
    f.fields[kElfTextrel] = Value{info.textrel};
    if (!info.interpreter.empty()) f.fields[kElfInterpreter] = Value{info.interpreter};
    f.fields[kElfBits] = Value{std::int64_t{info.bits}};
    f.fields[kElfEndian] = Value{std::string(info.big_endian ? "big" : "little")};
    f.fields[kElfMachine] = Value{info.machine};
    if (auto verdict = fortify_verdict(info)) {
        f.fields[kElfFortify] = Value{*verdict};
    } else {
        f.set_field_error(kElfFortify, "cannot tell: " + std::to_string(info.fortifiable) +
                                           " fortifiable import(s) and none fortified; below " +
                                           std::to_string(kFortifyDecidableImports) +
                                           " a FORTIFY_SOURCE build whose buffer sizes are unknown at compile time "
                                           "imports the same functions as a build without it");
    }
    return f;
}

std::optional<std::string> fortify_verdict(const ElfInfo& info) {
    if (info.fortified > 0) return "fortified";
    if (info.fortifiable == 0) return "not-needed";
    if (info.fortifiable >= kFortifyDecidableImports) return "unfortified";
    return std::nullopt;
}

std::vector<std::string> unsafe_search_paths(const Sysroot& root, const std::string& binary, const ElfInfo& info,
                                             const IdentityTable* ids) {
    std::vector<std::string> out;
    const std::string origin = dirname_of(binary);
    auto judge = [&](const std::string& entry) {
        std::string dir = entry;
        for (const char* token : {"${ORIGIN}", "$ORIGIN"}) {
            for (std::size_t at; (at = dir.find(token)) != std::string::npos;) dir.replace(at, std::strlen(token), origin);
        }
        if (dir.empty() || dir.front() != '/') return out.push_back(entry + " (relative: resolved against the working directory)");
        // $LIB and $PLATFORM expand per machine; what precedes them can still be judged.
        if (const std::size_t dollar = dir.find('$'); dollar != std::string::npos) dir = dirname_of(dir.substr(0, dollar + 1));
        auto fd = root.open_path(dir, O_PATH, /*follow_final=*/true);
        if (!fd) {
            if (fd.error().code == ErrorCode::not_found)
                if (auto who = who_can_create(root, ids, dir)) out.push_back(entry + " (missing: " + *who + ")");
            return;
        }
        struct statx st {};
        if (::statx(fd->get(), "", AT_EMPTY_PATH, STATX_TYPE | STATX_MODE, &st) != 0) return;
        if (!S_ISDIR(st.stx_mode)) out.push_back(entry + " (not a directory)");
        else if (st.stx_mode & S_IWOTH) out.push_back(entry + " (world-writable)");
    };
    for (const std::string& e : info.rpath) judge(e);
    for (const std::string& e : info.runpath) judge(e);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

FactSet collect_elf(const Sysroot& root, const IdentityTable& ids, const Sysroot* proc, const ElfQuery& query,
                    Executor& executor, const CancelToken* cancel, ElfMemo* memo, PackageFilesMemo* packages) {
    ElfMemo own_memo;
    ElfMemo& elf = memo ? *memo : own_memo;
    FactSet out;
    std::vector<Glob> exclude;
    for (const std::string& g : query.exclude)
        if (auto compiled = Glob::compile(g)) exclude.push_back(std::move(*compiled));
    auto excluded = [&](const std::string& path) {
        return std::any_of(exclude.begin(), exclude.end(), [&](const Glob& g) {
            const auto& sub = g.subtree();
            if (sub && path.size() > sub->size() && path.starts_with(*sub) && path[sub->size()] == '/') return true;
            return g.matches(path);
        });
    };

    // 1. The binaries: files named by `paths`, and those found below them (read as found).
    std::vector<FoundBinary> binaries;
    std::mutex mutex;
    for (const std::string& start : query.paths) {
        if (cancel && cancel->cancelled()) break;
        auto st = root.lstat(start);
        if (!st) {
            if (st.error().code != ErrorCode::not_found) out.push_back(Fact::error(start, st.error().message));
            continue;
        }
        if (S_ISREG(st->stx_mode)) {
            if (excluded(start)) continue;
            Result<ElfInfo> info = elf.read(root, start);
            if (!info && (is_not_a_binary(info.error()) || info.error().code == ErrorCode::not_found)) continue;
            binaries.push_back(FoundBinary{start, st->stx_mode, std::nullopt, std::move(info)});
            continue;
        }
        if (!S_ISDIR(st->stx_mode)) continue;  // a symlinked /bin or /lib: its target is listed itself
        BinaryWalk walk;
        walk.start = start;
        walk.one_filesystem = query.one_filesystem;
        walk.max_depth = query.recursive ? -1 : 1;
        for (const Glob& g : exclude)
            if (g.subtree()) walk.prune.push_back(*g.subtree());
        walk.wanted = [&](const std::string& path) { return name_selected(query.names, path) && !excluded(path); };
        walk_binaries(
            root, ids, walk, elf, executor, cancel,
            [&](FoundBinary&& found) {
                std::lock_guard lock(mutex);
                binaries.push_back(std::move(found));
            },
            [&](const WalkError& error) {
                std::lock_guard lock(mutex);
                out.push_back(Fact::error(error.path, error.reason));
            });
    }
    auto by_path = [](const FoundBinary& a, const FoundBinary& b) { return a.path < b.path; };
    std::sort(binaries.begin(), binaries.end(), by_path);
    binaries.erase(std::unique(binaries.begin(), binaries.end(),
                               [](const FoundBinary& a, const FoundBinary& b) { return a.path == b.path; }),
                   binaries.end());

    // 2. Exposure through the network: binaries of listening processes.
    std::map<std::string, std::vector<std::string>> listening;
    if (proc) listening = listening_binaries(read_processes(*proc));

    // 3. The owning packages (the dpkg database is read once per scan, after the walk).
    PackageFilesMemo own_packages;
    const auto owners = (packages ? *packages : own_packages).get(root, cancel);

    // 4. Join each binary with its exposure and owner, on every core.
    std::vector<std::optional<Fact>> facts(binaries.size());
    executor.parallel_for(binaries.size(), cancel, [&](std::size_t i) {
        const FoundBinary& b = binaries[i];
        const Result<ElfInfo>& info = *b.elf;
        if (!info) {
            facts[i] = Fact::error(b.path, info.error().message);
            return;
        }
        Fact f = elf_info_fact(b.path, *info);
        auto unsafe = unsafe_search_paths(root, b.path, *info, &ids);
        if (!owners) f.set_field_error(kElfPackage, "cannot read the dpkg database: " + owners.error().describe());
        else if (auto owner = (*owners)->owner(b.path)) f.fields[kElfPackage] = Value{std::move(*owner)};
        if (!unsafe.empty()) f.fields[kElfUnsafeRpath] = Value{std::move(unsafe)};
        const bool setuid = b.mode & S_ISUID, setgid = b.mode & S_ISGID;
        auto read_caps = capabilities_of(root, b.path);
        if (!read_caps) {
            // Gone since it was read, like a missing binary above: nothing to judge.
            if (read_caps.error().code != ErrorCode::not_found) facts[i] = Fact::error(b.path, read_caps.error().message);
            return;
        }
        const std::optional<std::string>& caps = *read_caps;
        auto heard = listening.find(b.path);
        const bool listens = heard != listening.end();
        f.fields[kElfSetuid] = Value{setuid};
        f.fields[kElfSetgid] = Value{setgid};
        if (caps) f.fields[kElfCapabilities] = Value{*caps};
        f.fields[kElfListening] = Value{listens};
        if (listens) f.fields[kElfListeningOn] = Value{StringList(heard->second)};
        f.fields[kElfExposed] = Value{setuid || setgid || caps.has_value() || listens};
        facts[i] = std::move(f);
    });
    for (auto& f : facts)
        if (f) out.push_back(std::move(*f));
    return out;
}

FactSet collect_elf_files(const CollectContext& ctx, const SelectArgs& args) {
    ElfQuery q;
    q.paths = args.list("paths");
    q.recursive = args.boolean("recursive").value_or(true);
    q.names = args.list("names");
    q.exclude = args.list("exclude");
    q.one_filesystem = args.boolean("one_filesystem").value_or(true);

    // Checks sharing this select get these facts from the engine's per-scan cache.
    return collect_elf(ctx.root, ctx.ids, ctx.proc, q, ctx.exec(), ctx.cancel, ctx.memo ? &ctx.memo->get<ElfMemo>() : nullptr,
                       ctx.memo ? &ctx.memo->get<PackageFilesMemo>() : nullptr);
}

const CollectorEntry kElfCollector = with_collect(kElfCollectorSpec, collect_elf_files);

}  // namespace triad::scanner
