// SPDX-License-Identifier: Apache-2.0
// The `package_integrity` collector (see package_integrity.h). What debsums -a checks, read
// through the Sysroot and hashed in parallel: the dpkg status file is parsed with
// libapt-pkg's tag-file reader, each file is hashed with libapt-pkg's MD5 (Hashes).
#include "scanner/collectors/packages/package_integrity.h"

#include <apt-pkg/fileutl.h>
#include <apt-pkg/hashes.h>
#include <apt-pkg/tagfile.h>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "scanner/core/sysroot_open.h"
#include "scanner/packages/dpkg_md5sums.h"

namespace triad::scanner {
namespace {

constexpr const char* kStatus = "/var/lib/dpkg/status";
// The dpkg status budget. A package's stanza is about 900 bytes (944 packages: 0.8 MB on a
// Debian 12 server), so 64 MiB holds some 75,000 packages: more than the whole Debian archive
// (about 64,000 binary packages per architecture) installed at once. Tiny hostile stanzas are
// stopped by the count instead, before the list of packages grows past what a system has.
constexpr std::size_t kMaxStatusBytes = 64 * 1024 * 1024;
constexpr std::size_t kMaxStatusStanzas = 100'000;
constexpr std::size_t kMaxConfigBytes = 1024 * 1024;
constexpr std::size_t kMaxMd5sumsBytes = 64 * 1024 * 1024;
constexpr std::size_t kMaxFiles = 5'000'000;

struct InstalledPackage {
    std::string name, arch, multi_arch;
    std::vector<Conffile> conffiles;
};

// Installed packages and their conffiles from the dpkg status file, opened through the
// Sysroot and handed to libapt-pkg's tag-file parser as a descriptor.
Result<std::vector<InstalledPackage>> read_status(const Sysroot& root) {
    // Opened as Sysroot::read_file opens (no final symlink, no FIFO or device, nothing on a
    // procfs mounted inside the root), then handed to libapt-pkg as a descriptor.
    auto opened = open_regular_file(root, kStatus, std::numeric_limits<std::size_t>::max(), /*follow_final=*/false);
    if (!opened) return opened.error();
    if (opened->size > kMaxStatusBytes)
        return Error{ErrorCode::invalid_input,
                     "larger than 64 MiB (the dpkg status budget: more than every package of the archive "
                     "installed); not read",
                     root.display(kStatus)};
    UniqueFd fd = std::move(opened->fd);
    FileFd file;
    if (!file.OpenDescriptor(fd.release(), FileFd::ReadOnly, FileFd::None, /*AutoClose=*/true))
        return Error{ErrorCode::io, "cannot be read", root.display(kStatus)};
    pkgTagFile tags(&file);
    pkgTagSection section;
    std::vector<InstalledPackage> out;
    std::size_t stanzas = 0;
    while (tags.Step(section)) {
        if (++stanzas > kMaxStatusStanzas)
            return Error{ErrorCode::invalid_input,
                         "more than 100000 package stanzas (the dpkg status budget); not read",
                         root.display(kStatus)};
        // debsums verifies packages whose status is installed or half-configured.
        const std::string status = section.FindS("Status");
        if (!status.ends_with(" installed") && !status.ends_with(" half-configured")) continue;
        InstalledPackage p;
        p.name = section.FindS("Package");
        p.arch = section.FindS("Architecture");
        p.multi_arch = section.FindS("Multi-Arch");
        p.conffiles = parse_conffiles(section.FindS("Conffiles"));
        if (!p.name.empty()) out.push_back(std::move(p));
    }
    return out;
}

// Diverted path -> (where the owner's file went, the diverting package; ":" for a local one).
std::map<std::string, std::pair<std::string, std::string>> read_diversions(const Sysroot& root) {
    std::map<std::string, std::pair<std::string, std::string>> out;
    auto text = root.read_file("/var/lib/dpkg/diversions", kMaxConfigBytes);
    if (!text) return out;
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < text->size()) {
        std::size_t end = text->find('\n', pos);
        if (end == std::string::npos) end = text->size();
        lines.push_back(text->substr(pos, end - pos));
        pos = end + 1;
    }
    for (std::size_t i = 0; i + 2 < lines.size(); i += 3) out[lines[i]] = {lines[i + 1], lines[i + 2]};
    return out;
}

PathFilters read_path_filters(const Sysroot& root) {
    PathFilters f;
    std::vector<std::string> files = {"/etc/dpkg/dpkg.cfg"};
    if (auto fd = root.open_path("/etc/dpkg/dpkg.cfg.d", O_RDONLY | O_DIRECTORY, true)) {
        if (DIR* d = ::fdopendir(fd->get())) {
            fd->release();
            std::vector<std::string> names;
            while (dirent* e = ::readdir(d))
                if (e->d_name[0] != '.' && names.size() < 4096) names.emplace_back(e->d_name);
            ::closedir(d);
            std::sort(names.begin(), names.end());
            for (const std::string& n : names) files.push_back("/etc/dpkg/dpkg.cfg.d/" + n);
        }
    }
    for (const std::string& file : files) {
        auto text = root.read_file(file, kMaxConfigBytes);
        if (!text) continue;
        std::size_t pos = 0;
        while (pos < text->size()) {
            std::size_t end = text->find('\n', pos);
            if (end == std::string::npos) end = text->size();
            std::string line = text->substr(pos, end - pos);
            pos = end + 1;
            for (const char* key : {"path-exclude", "path-include"}) {
                const std::string k = key;
                if (!line.starts_with(k) || line.size() <= k.size() || (line[k.size()] != '=' && line[k.size()] != ' '))
                    continue;
                std::string glob = line.substr(k.size() + 1);
                glob.erase(0, glob.find_first_not_of(" \t"));
                while (!glob.empty() && (glob.back() == ' ' || glob.back() == '\t' || glob.back() == '\r')) glob.pop_back();
                if (!glob.empty()) f.rules.emplace_back(k == "path-exclude", glob);
            }
        }
    }
    return f;
}

struct Item {
    std::string path;     // as installed
    std::string read_at;  // where the owner's file is now (a diversion moves it)
    std::string package;
    std::string md5;
    bool conffile = false;
};

struct Outcome {
    enum Kind { ok, changed, missing, not_regular, unreadable, not_selected } kind = ok;
    std::string actual;
    std::string reason;
    std::string file_kind;
    bool privileged = false;  // a setuid or setgid regular file when it was opened
};

std::string kind_of(const std::string& path, bool executable) {
    const std::string name = path.substr(path.rfind('/') + 1);
    const std::string dir = path.substr(0, path.rfind('/'));
    if (executable || dir.ends_with("/bin") || dir.ends_with("/sbin")) return "executable";
    if (name.ends_with(".so") || name.find(".so.") != std::string::npos) return "library";
    if (path.find("/systemd/system/") != std::string::npos || path.find("/systemd/user/") != std::string::npos)
        for (const char* ext : {".service", ".socket", ".timer", ".path", ".mount", ".automount", ".target", ".conf"})
            if (name.ends_with(ext)) return "unit";
    return "other";
}

// `kinds` empty: every kind is wanted.
Outcome verify(const Sysroot& root, const Item& item, const StringList& kinds) {
    auto wanted = [&](const std::string& kind) {
        return kinds.empty() || std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
    };
    Outcome o;
    o.file_kind = kind_of(item.path, false);
    // Looked at before it is opened: a device node where dpkg installed a file is never
    // opened, and a file on a procfs mounted inside the root is not hashed as the image's.
    auto opened = open_regular_file(root, item.read_at, std::numeric_limits<std::size_t>::max(), /*follow_final=*/false);
    if (!opened) {
        const Error& error = opened.error();
        if (error.code == ErrorCode::not_found) {
            o.kind = wanted(o.file_kind) ? Outcome::missing : Outcome::not_selected;
            return o;
        }
        // A final symlink is refused by the no-follow open: not the regular file dpkg installed.
        auto st = root.lstat(item.read_at);
        if (st && !S_ISREG(st->stx_mode)) {
            o.kind = wanted(o.file_kind) ? Outcome::not_regular : Outcome::not_selected;
            return o;
        }
        o.kind = Outcome::unreadable;
        o.reason = error.describe();
        return o;
    }
    const UniqueFd fd = std::move(opened->fd);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        o.kind = Outcome::unreadable;
        o.reason = error_from_errno(errno, root.display(item.read_at)).describe();
        return o;
    }
    if (!S_ISREG(st.st_mode)) {
        o.kind = wanted(o.file_kind) ? Outcome::not_regular : Outcome::not_selected;
        return o;
    }
    o.file_kind = kind_of(item.path, (st.st_mode & 0111) != 0);
    o.privileged = (st.st_mode & (S_ISUID | S_ISGID)) != 0;
    if (!wanted(o.file_kind)) {
        o.kind = Outcome::not_selected;
        return o;
    }
    Hashes hashes(Hashes::MD5SUM);
    if (!hashes.AddFD(fd.get())) {
        o.kind = Outcome::unreadable;
        o.reason = root.display(item.read_at) + ": read failed";
        return o;
    }
    o.actual = hashes.GetHashString(Hashes::MD5SUM).HashValue();
    if (o.actual != item.md5) o.kind = Outcome::changed;
    return o;
}

// setuid: true. Which items are setuid or setgid regular files now, by one fstatat per file
// in its directory (opened once, inside the root): about a tenth of a second for the 116,000
// package files of a desktop-sized system, where opening each file would take several times
// that. Items that are not are marked not_selected and never opened.
void mark_privileged(const CollectContext& ctx, const std::vector<Item>& items, std::vector<Outcome>& outcomes) {
    std::map<std::string, std::vector<std::size_t>> by_dir;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string& p = items[i].read_at;
        const std::size_t slash = p.rfind('/');
        by_dir[slash == 0 ? "/" : p.substr(0, slash)].push_back(i);
    }
    std::vector<const std::pair<const std::string, std::vector<std::size_t>>*> dirs;
    for (const auto& d : by_dir) dirs.push_back(&d);
    ctx.exec().parallel_for(dirs.size(), ctx.cancel, [&](std::size_t k) {
        const auto& [dir, members] = *dirs[k];
        auto fd = ctx.root.open_path(dir, O_PATH | O_DIRECTORY | O_CLOEXEC, /*follow_final=*/true);
        // The directory is gone: so are its files, whose modes dpkg never recorded.
        if (!fd && fd.error().code == ErrorCode::not_found) {
            for (std::size_t i : members) outcomes[i].kind = Outcome::not_selected;
            return;
        }
        for (std::size_t i : members) {
            struct stat st {};
            const std::string& p = items[i].read_at;
            const std::string name = p.substr(p.rfind('/') + 1);
            // A directory that cannot be opened leaves its files to verify(), which names the error.
            if (!fd) continue;
            if (::fstatat(fd->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                if (errno == ENOENT || errno == ENOTDIR) outcomes[i].kind = Outcome::not_selected;
                continue;
            }
            if (!S_ISREG(st.st_mode) || (st.st_mode & (S_ISUID | S_ISGID)) == 0) outcomes[i].kind = Outcome::not_selected;
        }
    });
}

FactSet collect_package_integrity(const CollectContext& ctx, const SelectArgs& args) {
    const StringList kinds = args.list("kinds");
    for (const std::string& k : kinds)
        if (k != "executable" && k != "library" && k != "unit" && k != "other")
            return {Fact::error("package_integrity", "kinds: unknown kind " + k + " (executable, library, unit, other)")};
    const std::optional<bool> only_conffiles = args.boolean("conffiles");
    const bool only_privileged = args.boolean("setuid").value_or(false);
    auto packages = read_status(ctx.root);
    if (!packages) {
        if (packages.error().code == ErrorCode::not_found)
            return {Fact::not_applicable(kStatus, ctx.root.display(kStatus) + " does not exist: not a Debian-family system")};
        return {Fact::error(kStatus, packages.error().describe())};
    }
    const auto diversions = read_diversions(ctx.root);
    const PathFilters filters = read_path_filters(ctx.root);

    FactSet out;
    std::vector<Item> items;
    for (const InstalledPackage& p : *packages) {
        if (ctx.cancelled()) return out;
        // dpkg names the file PACKAGE:ARCH.md5sums for Multi-Arch: same packages.
        std::string owner = p.name + ":" + p.arch;
        std::string md5sums = "/var/lib/dpkg/info/" + owner + ".md5sums";
        auto text = ctx.root.read_file(md5sums, kMaxMd5sumsBytes);
        if (!text && text.error().code == ErrorCode::not_found) {
            owner = p.name;
            md5sums = "/var/lib/dpkg/info/" + owner + ".md5sums";
            text = ctx.root.read_file(md5sums, kMaxMd5sumsBytes);
        }
        std::set<std::string> conffile_paths;
        for (const Conffile& c : p.conffiles) conffile_paths.insert(c.path);
        auto add = [&](const std::string& path, const std::string& md5, bool conffile) {
            if (only_conffiles && *only_conffiles != conffile) return;
            if (filters.excluded(path)) return;
            Item item{path, path, owner, md5, conffile};
            if (auto d = diversions.find(path); d != diversions.end() && d->second.second != p.name)
                item.read_at = d->second.first;
            items.push_back(std::move(item));
        };
        if (!text) {
            if (text.error().code != ErrorCode::not_found) {
                out.push_back(Fact::error(ctx.root.display(md5sums), text.error().describe()));
            } else if (only_conffiles != true) {
                Fact f;
                f.object = p.name + " (no md5sums)";
                f.fields.resize(kIntFieldCount);
                f.fields[kIntPackage] = Value{p.name};
                f.fields[kIntStatus] = Value{std::string("no_md5sums")};
                f.fields[kIntConffile] = Value{false};
                out.push_back(std::move(f));
            }
        } else if (auto entries = parse_md5sums(*text, ctx.root.display(md5sums)); !entries) {
            out.push_back(Fact::error(ctx.root.display(md5sums), entries.error().describe()));
        } else {
            // Conffiles are verified against the status file's digest, not md5sums (debsums).
            for (const Md5sumEntry& e : *entries)
                if (!conffile_paths.count(e.path)) add(e.path, e.md5, false);
        }
        for (const Conffile& c : p.conffiles)
            if (!c.remove_on_upgrade && c.md5.size() == 32) add(c.path, c.md5, true);
        if (items.size() > kMaxFiles) return {Fact::error(kStatus, "more than 5000000 package files")};
    }

    { Hashes warm_up(Hashes::MD5SUM); }  // the hash library initialises once, before threads
    std::vector<Outcome> outcomes(items.size());
    if (only_privileged) mark_privileged(ctx, items, outcomes);
    if (ctx.cancelled()) return out;
    ctx.exec().parallel_for(items.size(), ctx.cancel, [&](std::size_t i) {
        if (outcomes[i].kind == Outcome::not_selected) return;
        outcomes[i] = verify(ctx.root, items[i], kinds);
        // Between the fstatat and the open the file may have been replaced: judge what was hashed.
        if (only_privileged && outcomes[i].kind == Outcome::changed && !outcomes[i].privileged) outcomes[i].kind = Outcome::not_selected;
    });
    if (ctx.cancelled()) return out;

    // A path two packages list (one took the file over with Replaces) is right when it has
    // either package's content: debsums calls that REPLACED, not FAILED.
    std::set<std::string> matched;
    for (std::size_t i = 0; i < items.size(); ++i)
        if (outcomes[i].kind == Outcome::ok) matched.insert(items[i].read_at);

    for (std::size_t i = 0; i < items.size(); ++i) {
        const Item& item = items[i];
        const Outcome& o = outcomes[i];
        if (o.kind == Outcome::ok || o.kind == Outcome::not_selected || (o.kind == Outcome::changed && matched.count(item.read_at))) continue;
        if (o.kind == Outcome::unreadable) {
            out.push_back(Fact::error(item.path, o.reason));
            continue;
        }
        Fact f;
        f.object = item.path;
        f.fields.resize(kIntFieldCount);
        f.fields[kIntPath] = Value{item.path};
        f.fields[kIntPackage] = Value{item.package};
        f.fields[kIntStatus] = Value{std::string(o.kind == Outcome::changed   ? "changed"
                                                 : o.kind == Outcome::missing ? "missing"
                                                                              : "not_regular")};
        f.fields[kIntConffile] = Value{item.conffile};
        f.fields[kIntKind] = Value{o.file_kind};
        f.fields[kIntExpected] = Value{item.md5};
        if (!o.actual.empty()) f.fields[kIntActual] = Value{o.actual};
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

std::vector<Conffile> parse_conffiles(std::string_view field) {
    std::vector<Conffile> out;
    std::size_t pos = 0;
    while (pos < field.size()) {
        std::size_t end = field.find('\n', pos);
        if (end == std::string_view::npos) end = field.size();
        std::string_view line = field.substr(pos, end - pos);
        pos = end + 1;
        std::vector<std::string_view> words;
        while (!line.empty()) {
            const std::size_t start = line.find_first_not_of(" \t");
            if (start == std::string_view::npos) break;
            line.remove_prefix(start);
            const std::size_t stop = std::min(line.find_first_of(" \t"), line.size());
            words.push_back(line.substr(0, stop));
            line.remove_prefix(stop);
        }
        if (words.size() < 2 || words[0].empty() || words[0].front() != '/') continue;
        Conffile c;
        // A path with spaces is possible; the digest and flags are the last words.
        std::size_t md5_at = words.size() - 1;
        while (md5_at > 1 && (words[md5_at] == "obsolete" || words[md5_at] == "remove-on-upgrade")) {
            if (words[md5_at] == "obsolete") c.obsolete = true;
            if (words[md5_at] == "remove-on-upgrade") c.remove_on_upgrade = true;
            --md5_at;
        }
        c.md5 = std::string(words[md5_at]);
        for (std::size_t i = 0; i < md5_at; ++i) c.path += (i ? " " : "") + std::string(words[i]);
        out.push_back(std::move(c));
    }
    return out;
}

bool PathFilters::excluded(const std::string& path) const {
    bool excluded = false;
    for (const auto& [exclude, glob] : rules)
        if (::fnmatch(glob.c_str(), path.c_str(), 0) == 0) excluded = exclude;
    return excluded;
}

const CollectorEntry kPackageIntegrityCollector = with_collect(kPackageIntegrityCollectorSpec, collect_package_integrity);

}  // namespace triad::scanner
