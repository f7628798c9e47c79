// SPDX-License-Identifier: Apache-2.0
// The `package_integrity` collector (see package_integrity.h). What debsums -a and rpm -Va
// check, read through the Sysroot and hashed in parallel: the dpkg status file is parsed with
// libapt-pkg's tag-file reader, the rpmdb's headers are decoded by librpm (rpm_inventory),
// and each file is hashed with libapt-pkg's Hashes (MD5, SHA1, SHA256 or SHA512, as recorded).
#include "scanner/collectors/packages/package_integrity.h"

#include <apt-pkg/aptconfiguration.h>
#include <apt-pkg/fileutl.h>
#include <apt-pkg/hashes.h>
#include <apt-pkg/tagfile.h>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "scanner/core/sysroot_open.h"
#include "scanner/packages/apt_inventory.h"
#include "scanner/packages/dpkg_md5sums.h"
#include "scanner/packages/rpm_inventory.h"
#include "scanner/walk/walked_directories.h"

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
    // The uncompressed "compressor" named here, not FileFd::None: that form looks it up in
    // libapt-pkg's process-wide list of compressors, which the apt reader rebuilds for each
    // root on another thread (init_apt), and reading the list while it is rebuilt corrupted
    // the heap in a scan.
    static const APT::Configuration::Compressor kUncompressed(".", "", "", nullptr, nullptr, 0);
    if (!file.OpenDescriptor(fd.release(), FileFd::ReadOnly, kUncompressed, /*AutoClose=*/true))
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
    std::string md5;      // the recorded digest (for rpm in the algorithm of `hash`), hex
    bool conffile = false;
    // Only for files of RPM packages, which record more than dpkg (what rpm -V uses).
    bool rpm = false;
    unsigned hash = Hashes::MD5SUM;  // 0: an algorithm libapt-pkg's Hashes cannot compute
    std::string algorithm = "md5";
    std::uint32_t mode = 0;          // recorded st_mode
    std::string link;                // recorded symlink target
    bool missing_ok = false;         // %config(missingok): absence is expected
    bool check_content = true;       // %verify(not md5) / %verify(not link) turn it off
    bool existence_only = false;     // RPMFILE_STATE_REPLACED: another package's file is there now
};

Item make_item(const std::string& path, const std::string& package, const std::string& digest, bool conffile) {
    Item item;
    item.path = item.read_at = path;
    item.package = package;
    item.md5 = digest;
    item.conffile = conffile;
    return item;
}

struct Outcome {
    enum Kind { ok, changed, missing, not_regular, not_directory, not_symlink, wrong_type, unreadable, not_selected } kind = ok;
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

bool wanted(const StringList& kinds, const std::string& kind) {
    return kinds.empty() || std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

// The regular file at item.read_at, opened as read_file opens (no final symlink, never a
// device or FIFO, nothing on a procfs mounted inside the root), its kind and set-id bits taken
// from the open descriptor, hashed in the item's algorithm and compared with its digest. `o`
// holds what the caller found before (the file kind from the path or the recorded mode); a
// kind `kinds` does not want is not hashed.
Outcome hash_regular_file(const Sysroot& root, const Item& item, const StringList& kinds, Outcome o) {
    auto opened = open_regular_file(root, item.read_at, std::numeric_limits<std::size_t>::max(), /*follow_final=*/false);
    if (!opened) {
        const Error& error = opened.error();
        if (error.code == ErrorCode::not_found) {
            o.kind = !wanted(kinds, o.file_kind) ? Outcome::not_selected
                     : item.missing_ok               ? Outcome::ok
                                                     : Outcome::missing;
            return o;
        }
        // A final symlink is refused by the no-follow open: not the regular file the package
        // installed (for rpm: replaced since its lstat by something that is not one).
        auto st = root.lstat(item.read_at);
        if (st && !S_ISREG(st->stx_mode)) {
            o.kind = wanted(kinds, o.file_kind) ? Outcome::not_regular : Outcome::not_selected;
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
        o.kind = wanted(kinds, o.file_kind) ? Outcome::not_regular : Outcome::not_selected;
        return o;
    }
    if ((st.st_mode & 0111) != 0) o.file_kind = kind_of(item.path, true);
    o.privileged = o.privileged || (st.st_mode & (S_ISUID | S_ISGID)) != 0;
    if (!wanted(kinds, o.file_kind)) {
        o.kind = Outcome::not_selected;
        return o;
    }
    Hashes hashes(item.hash);
    if (!hashes.AddFD(fd.get())) {
        o.kind = Outcome::unreadable;
        o.reason = root.display(item.read_at) + ": read failed";
        return o;
    }
    o.actual = hashes.GetHashString(static_cast<Hashes::SupportedHashes>(item.hash)).HashValue();
    if (o.actual != item.md5) o.kind = Outcome::changed;
    return o;
}

// One file of a dpkg package, as debsums verifies it: its content against the recorded MD5.
// `kinds` empty: every kind is wanted.
Outcome verify(const Sysroot& root, const Item& item, const StringList& kinds) {
    Outcome o;
    o.file_kind = kind_of(item.path, false);
    return hash_regular_file(root, item, kinds, std::move(o));
}

// One file of an RPM package, as rpm -V verifies it (lib/verify.c, rpmfilesVerify): a file
// that is not there is missing (unless %config(missingok)); a file rpm recorded as replaced by
// another package's only has to exist; the file type must be the recorded one (a directory may
// be a root-owned symlink to a directory, as rpm accepts); a symlink's target and a regular
// file's digest must equal the recorded ones. Owner, group, mode bits, size, mtime, device
// numbers and capabilities are not compared (docs/packages.md).
Outcome verify_rpm(const Sysroot& root, const Item& item, const StringList& kinds) {
    const std::uint32_t type = item.mode & S_IFMT;
    Outcome o;
    o.file_kind = type == S_IFREG || type == S_IFLNK ? kind_of(item.path, type == S_IFREG && (item.mode & 0111) != 0) : "other";
    o.privileged = type == S_IFREG && (item.mode & (S_ISUID | S_ISGID)) != 0;
    if (!wanted(kinds, o.file_kind)) {
        o.kind = Outcome::not_selected;
        return o;
    }
    auto st = root.lstat(item.read_at);
    if (!st) {
        if (st.error().code == ErrorCode::not_found) {
            o.kind = item.missing_ok ? Outcome::ok : Outcome::missing;
            return o;
        }
        o.kind = Outcome::unreadable;
        o.reason = st.error().describe();
        return o;
    }
    if (item.existence_only) return o;
    const std::uint32_t now = st->stx_mode & S_IFMT;
    if (type == S_IFDIR && now == S_IFLNK && st->stx_uid == 0 &&
        root.open_path(item.read_at, O_PATH | O_DIRECTORY | O_CLOEXEC, /*follow_final=*/true))
        return o;
    if (now != type) {
        o.kind = type == S_IFREG ? Outcome::not_regular : type == S_IFDIR ? Outcome::not_directory
                 : type == S_IFLNK                     ? Outcome::not_symlink
                                                       : Outcome::wrong_type;
        return o;
    }
    if (!item.check_content) return o;
    if (type == S_IFLNK) {
        auto target = root.read_link(item.read_at);
        if (!target) {
            o.kind = Outcome::unreadable;
            o.reason = target.error().describe();
        } else if (*target != item.link) {
            o.kind = Outcome::changed;
            o.actual = *target;
        }
        return o;
    }
    if (type != S_IFREG) return o;  // directories, devices, FIFOs: their type is all that is compared
    if (item.hash == 0 || item.md5.empty()) {
        o.kind = Outcome::unreadable;
        o.reason = root.display(item.read_at) + ": the rpmdb records " +
                   (item.md5.empty() ? "no digest for this regular file" : "a digest in " + item.algorithm + ", which triad cannot compute");
        return o;
    }
    return hash_regular_file(root, item, kinds, std::move(o));
}

// The files of every installed RPM package, as rpm -Va selects them: %ghost files are left
// out (rpm -V compares only their permissions, which triad does not), and so are files the
// rpmdb records as not installed (--excludedocs, --nodocs, %_install_langs), on a netshared
// path (%_netsharedpath) or of the other multilib colour, whose content rpm -V does not
// compare either.
void add_rpm_items(const RpmInventory& inv, std::optional<bool> only_conffiles, std::vector<Item>& items) {
    for (const RpmPackage& p : inv.packages) {
        for (const RpmFile& f : p.files) {
            if (f.ghost) continue;
            if (f.state == RpmFile::State::not_installed || f.state == RpmFile::State::netshared ||
                f.state == RpmFile::State::wrong_color)
                continue;
            if (only_conffiles && *only_conffiles != f.config) continue;
            Item item = make_item(f.path, p.nevra, f.digest, f.config);
            item.rpm = true;
            item.mode = f.mode;
            item.link = f.link;
            item.missing_ok = f.missingok;
            item.existence_only = f.state == RpmFile::State::replaced;
            const std::uint32_t type = f.mode & S_IFMT;
            item.check_content = type == S_IFLNK ? f.verify_link : f.verify_digest;
            switch (f.digest_algo) {
                case 1: item.hash = Hashes::MD5SUM, item.algorithm = "md5"; break;
                case 2: item.hash = Hashes::SHA1SUM, item.algorithm = "sha1"; break;
                case 8: item.hash = Hashes::SHA256SUM, item.algorithm = "sha256"; break;
                case 10: item.hash = Hashes::SHA512SUM, item.algorithm = "sha512"; break;
                default: item.hash = 0, item.algorithm = "OpenPGP hash " + std::to_string(f.digest_algo);
            }
            if (type == S_IFLNK) item.algorithm = "link";
            items.push_back(std::move(item));
        }
    }
}

// A file a package lists, as views into the md5sums texts and the status file's conffiles;
// an Item is made only of those that will be hashed.
struct Listed {
    std::string_view path;                  // as listed: md5sums lines have no leading /
    std::string_view md5;
    const std::string* diverted = nullptr;  // where the owner's file went, when a diversion moved it
    std::uint32_t package = 0;              // index in the owners
    bool conffile = false;
};

std::string absolute(std::string_view path) {
    return path.front() == '/' ? std::string(path) : "/" + std::string(path);
}

// setuid: true. Which of the `count` files `path_of` names (each with or without its leading
// /) are setuid or setgid regular files now, found without opening any file: each directory is opened once inside
// the root and, when the scan's walk listed that directory in full, its files are looked up
// in what the walk read; otherwise each gets one fstatat. Either way the answer is the file's
// mode at the time, so the verdict does not depend on what the walk covered, only the number
// of system calls does (116,000 package files, against some 9,000 package directories). A
// file that is not set-id, or is gone, is 0 and never opened; one whose directory or mode
// could not be read is 1, so that the verifier opens it and names the error.
std::vector<char> privileged_now(const CollectContext& ctx, std::size_t count,
                                 const std::function<std::string_view(std::size_t)>& path_of) {
    std::vector<char> keep(count, 0);
    // Directory (without its leading /) -> the files in it. The views point into the md5sums
    // texts and the rpm items, so grouping copies no path.
    std::unordered_map<std::string_view, std::vector<std::uint32_t>> by_dir;
    for (std::size_t i = 0; i < count; ++i) {
        std::string_view at = path_of(i);
        if (!at.empty() && at.front() == '/') at.remove_prefix(1);
        const std::size_t slash = at.rfind('/');
        by_dir[slash == std::string_view::npos ? std::string_view() : at.substr(0, slash)].push_back(static_cast<std::uint32_t>(i));
    }
    std::vector<const std::pair<const std::string_view, std::vector<std::uint32_t>>*> dirs;
    dirs.reserve(by_dir.size());
    for (const auto& d : by_dir) dirs.push_back(&d);
    // Waiting for the walk costs no thread: the wait runs the walk's queued helpers.
    const bool walked = ctx.walked && ctx.walked->wait(ctx.exec(), ctx.cancel);
    ctx.exec().parallel_for(dirs.size(), ctx.cancel, [&](std::size_t k) {
        const auto& [dir, members] = *dirs[k];
        auto fd = ctx.root.open_path("/" + std::string(dir), O_PATH | O_DIRECTORY | O_CLOEXEC, /*follow_final=*/true);
        // The directory is gone: so are its files.
        if (!fd && fd.error().code == ErrorCode::not_found) return;
        // A directory that cannot be opened leaves its files to the verifier, which names the error.
        if (!fd) {
            for (std::uint32_t i : members) keep[i] = 1;
            return;
        }
        const std::vector<std::string>* listed = nullptr;
        struct statx dir_st {};
        if (walked && ::statx(fd->get(), "", AT_EMPTY_PATH, STATX_INO, &dir_st) == 0)
            listed = ctx.walked->privileged_in(dir_st);
        std::string name;
        for (std::uint32_t i : members) {
            const std::string_view at = path_of(i);
            name.assign(at.substr(at.rfind('/') + 1));
            if (listed) {
                keep[i] = std::find(listed->begin(), listed->end(), name) != listed->end();
                continue;
            }
            struct stat st {};
            if (::fstatat(fd->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                keep[i] = errno != ENOENT && errno != ENOTDIR;
                continue;
            }
            keep[i] = S_ISREG(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID)) != 0;
        }
    });
    return keep;
}

FactSet collect_package_integrity(const CollectContext& ctx, const SelectArgs& args) {
    prepare_apt_hashes();
    const StringList kinds = args.list("kinds");
    for (const std::string& k : kinds)
        if (k != "executable" && k != "library" && k != "unit" && k != "other")
            return {Fact::error("package_integrity", "kinds: unknown kind " + k + " (executable, library, unit, other)")};
    const std::optional<bool> only_conffiles = args.boolean("conffiles");
    const bool only_privileged = args.boolean("setuid").value_or(false);
    FactSet out;
    std::vector<Item> items;
    auto dpkg = read_status(ctx.root);
    if (!dpkg && dpkg.error().code != ErrorCode::not_found) out.push_back(Fact::error(kStatus, dpkg.error().describe()));
    // A root may hold both databases (rpm installed on Debian): each one's packages are verified.
    auto rpm = read_rpm_inventory(ctx.root, RpmRead::with_files);
    if (!dpkg && !rpm && dpkg.error().code == ErrorCode::not_found) {
        if (rpm.error().code == ErrorCode::not_found)
            return {Fact::not_applicable(kStatus, ctx.root.display(kStatus) + " does not exist and " + rpm.error().describe() +
                                                      ": not a Debian- or RPM-family system")};
        if (rpm.error().code == ErrorCode::unsupported && rpm.error().message.find("TRIAD_WITH_RPM") != std::string::npos)
            return {Fact::not_applicable(rpm.error().where, rpm.error().describe())};
    }
    if (!rpm && rpm.error().code != ErrorCode::not_found) out.push_back(Fact::error(rpm.error().where, rpm.error().describe()));
    if (rpm) {
        add_rpm_items(*rpm, only_conffiles, items);
        rpm->packages = {};  // the items hold what is needed; the headers' file lists can go
    }
    if (items.size() > kMaxFiles) return {Fact::error(kStatus, "more than 5000000 package files")};
    const std::vector<InstalledPackage> no_packages;
    const std::vector<InstalledPackage>& packages = dpkg ? *dpkg : no_packages;
    const auto diversions = dpkg ? read_diversions(ctx.root) : decltype(read_diversions(ctx.root)){};
    const PathFilters filters = dpkg ? read_path_filters(ctx.root) : PathFilters{};

    std::vector<std::string> owners;
    // The md5sums files, which `listed` points into: reserved, so no string ever moves.
    std::vector<std::string> texts;
    owners.reserve(packages.size());
    texts.reserve(packages.size());
    std::vector<Listed> listed;
    std::string full;  // one listed path with its leading /, reused
    for (const InstalledPackage& p : packages) {
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
        const auto package = static_cast<std::uint32_t>(owners.size());
        owners.push_back(std::move(owner));
        std::set<std::string, std::less<>> conffile_paths;
        for (const Conffile& c : p.conffiles) conffile_paths.insert(c.path);
        auto add = [&](std::string_view path, std::string_view md5, bool conffile) {
            if (only_conffiles && *only_conffiles != conffile) return;
            full.assign(path.front() == '/' ? "" : "/").append(path);
            if (filters.excluded(full)) return;
            Listed l{path, md5, nullptr, package, conffile};
            if (auto d = diversions.find(full); d != diversions.end() && d->second.second != p.name) l.diverted = &d->second.first;
            listed.push_back(l);
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
                f.fields[kIntDatabase] = Value{std::string("dpkg")};
                out.push_back(std::move(f));
            }
        } else if (auto lines = parse_md5sums_lines(texts.emplace_back(std::move(*text)), ctx.root.display(md5sums));
                   !lines) {
            out.push_back(Fact::error(ctx.root.display(md5sums), lines.error().describe()));
        } else {
            // Conffiles are verified against the status file's digest, not md5sums (debsums).
            for (const Md5sumLine& e : *lines) {
                full.assign(e.path.front() == '/' ? "" : "/").append(e.path);
                if (!conffile_paths.contains(full)) add(e.path, e.md5, false);
            }
        }
        for (const Conffile& c : p.conffiles)
            if (!c.remove_on_upgrade && c.md5.size() == 32) add(c.path, c.md5, true);
        if (items.size() + listed.size() > kMaxFiles) return {Fact::error(kStatus, "more than 5000000 package files")};
    }

    // The rpm items are all made already; of the dpkg files only those that will be hashed
    // become items (with setuid: true, the few privileged ones).
    const std::size_t rpm_items = items.size();
    std::vector<char> keep;
    if (only_privileged) {
        // The rpm items first, then the dpkg files: one screen for both databases.
        keep = privileged_now(ctx, rpm_items + listed.size(), [&](std::size_t i) -> std::string_view {
            if (i < rpm_items) return items[i].read_at;
            const Listed& l = listed[i - rpm_items];
            return l.diverted ? std::string_view(*l.diverted) : l.path;
        });
    } else {
        keep.assign(rpm_items + listed.size(), 1);
    }
    if (ctx.cancelled()) return out;
    std::vector<Outcome> outcomes(rpm_items);
    for (std::size_t i = 0; i < rpm_items; ++i) {
        // rpm records modes: a file its package installed setuid or setgid is verified even when
        // it is not (or not a regular file, or not there) any more.
        const bool recorded = (items[i].mode & S_IFMT) == S_IFREG && (items[i].mode & (S_ISUID | S_ISGID)) != 0;
        if (!keep[i] && !recorded) outcomes[i].kind = Outcome::not_selected;
    }
    for (std::size_t i = 0; i < listed.size(); ++i) {
        if (!keep[rpm_items + i]) continue;
        const Listed& l = listed[i];
        Item item = make_item(absolute(l.path), owners[l.package], std::string(l.md5), l.conffile);
        // md5sums digests may be upper case (md5sum accepts either); Conffiles digests are compared as written.
        if (!l.conffile)
            std::transform(item.md5.begin(), item.md5.end(), item.md5.begin(), [](char c) { return c >= 'A' && c <= 'F' ? c + 32 : c; });
        if (l.diverted) item.read_at = *l.diverted;
        items.push_back(std::move(item));
    }

    { Hashes warm_up(Hashes::MD5SUM); }  // the hash library initialises once, before threads
    outcomes.resize(items.size());
    ctx.exec().parallel_for(items.size(), ctx.cancel, [&](std::size_t i) {
        if (outcomes[i].kind == Outcome::not_selected) return;
        outcomes[i] = items[i].rpm ? verify_rpm(ctx.root, items[i], kinds) : verify(ctx.root, items[i], kinds);
        // Between the screen and the open the file may have been replaced: judge what was hashed.
        if (only_privileged && outcomes[i].kind == Outcome::changed && !outcomes[i].privileged) outcomes[i].kind = Outcome::not_selected;
    });
    if (ctx.cancelled()) return out;

    // A path two packages list (one took the file over with Replaces) is right when it has
    // either package's content: debsums calls that REPLACED, not FAILED.
    std::set<std::string> matched;
    for (std::size_t i = 0; i < items.size(); ++i)
        if (!items[i].rpm && outcomes[i].kind == Outcome::ok) matched.insert(items[i].read_at);

    for (std::size_t i = 0; i < items.size(); ++i) {
        const Item& item = items[i];
        const Outcome& o = outcomes[i];
        if (o.kind == Outcome::ok || o.kind == Outcome::not_selected || (o.kind == Outcome::changed && !item.rpm && matched.count(item.read_at))) continue;
        if (o.kind == Outcome::unreadable) {
            out.push_back(Fact::error(item.path, o.reason));
            continue;
        }
        Fact f;
        f.object = item.path;
        f.fields.resize(kIntFieldCount);
        f.fields[kIntPath] = Value{item.path};
        f.fields[kIntPackage] = Value{item.package};
        f.fields[kIntStatus] = Value{std::string(o.kind == Outcome::changed         ? "changed"
                                                 : o.kind == Outcome::missing       ? "missing"
                                                 : o.kind == Outcome::not_regular   ? "not_regular"
                                                 : o.kind == Outcome::not_directory ? "not_directory"
                                                 : o.kind == Outcome::not_symlink   ? "not_symlink"
                                                                                    : "wrong_type")};
        f.fields[kIntConffile] = Value{item.conffile};
        f.fields[kIntKind] = Value{o.file_kind};
        const bool link = item.rpm && (item.mode & S_IFMT) == S_IFLNK;
        if (link) {
            f.fields[kIntExpected] = Value{item.link};
            f.fields[kIntAlgorithm] = Value{std::string("link")};
        } else if (!item.md5.empty()) {
            f.fields[kIntExpected] = Value{item.md5};
            f.fields[kIntAlgorithm] = Value{item.algorithm};
        }
        if (!o.actual.empty()) f.fields[kIntActual] = Value{o.actual};
        f.fields[kIntDatabase] = Value{std::string(item.rpm ? "rpm" : "dpkg")};
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

namespace {

// With setuid: true the collector waits for the walk's record before its screen.
bool screens_setuid(const SelectArgs& args) {
    return args.boolean("setuid").value_or(false);
}

constexpr CollectorEntry package_integrity_entry() {
    CollectorEntry entry = with_collect(kPackageIntegrityCollectorSpec, collect_package_integrity);
    entry.waits_for_walk = screens_setuid;
    return entry;
}

}  // namespace

const CollectorEntry kPackageIntegrityCollector = package_integrity_entry();

}  // namespace triad::scanner
