// SPDX-License-Identifier: Apache-2.0
// The `mounts` collector (see mounts.h). The configured state follows systemd's order for
// /tmp: a tmp.mount in /etc/systemd/system overrides an fstab line (which the fstab
// generator turns into a unit of lower priority), and a tmp.mount shipped in /usr/lib or
// /lib applies only when some .wants or .requires directory enables it.
#include "scanner/collectors/kernel/mounts.h"

#include <algorithm>

#include "scanner/config/config_file.h"
#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace mounts_internal {

namespace {

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t end = s.find(sep, start);
        if (end == std::string_view::npos) end = s.size();
        if (end > start) out.emplace_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::vector<std::string> fields_of(std::string_view line) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.emplace_back(line.substr(start, i - start));
    }
    return out;
}

// The kernel and fstab(5) write a blank, tab, newline or backslash in a path as \ooo.
std::string unescape(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            const std::string_view oct = s.substr(i + 1, 3);
            if (oct.find_first_not_of("01234567") == std::string_view::npos) {
                out += static_cast<char>((oct[0] - '0') * 64 + (oct[1] - '0') * 8 + (oct[2] - '0'));
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

std::string normalize_path(std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
}

}  // namespace

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
    std::vector<MountEntry> out;
    for (const LogicalLine& l : logical_lines(text, false)) {
        const std::vector<std::string> f = fields_of(l.text);
        auto dash = std::find(f.begin(), f.end(), "-");
        if (f.size() < 10 || dash == f.end() || f.end() - dash < 4 || dash - f.begin() < 6) continue;
        MountEntry e;
        e.mount_point = normalize_path(unescape(f[4]));
        e.options = split(f[5], ',');
        for (std::string& o : split(dash[3], ',')) e.options.push_back(std::move(o));
        e.fstype = dash[1];
        e.device = unescape(dash[2]);
        e.file = "/proc/self/mountinfo";
        e.line = l.line;
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<MountEntry> parse_fstab(std::string_view text, const std::string& file) {
    std::vector<MountEntry> out;
    for (const LogicalLine& l : logical_lines(text, false)) {
        const std::vector<std::string> f = fields_of(l.text);
        if (f.size() < 3 || f[0].starts_with("#")) continue;
        if (f[2] == "swap" || f[1] == "none" || f[1] == "swap") continue;
        MountEntry e;
        e.device = unescape(f[0]);
        e.mount_point = normalize_path(unescape(f[1]));
        e.fstype = f[2];
        e.options = f.size() > 3 ? split(f[3], ',') : std::vector<std::string>{"defaults"};
        e.file = file;
        e.line = l.line;
        out.push_back(std::move(e));
    }
    return out;
}

const MountEntry* containing_mount(const std::vector<MountEntry>& mounts, std::string_view path) {
    const MountEntry* best = nullptr;
    for (const MountEntry& m : mounts) {
        const std::string& p = m.mount_point;
        const bool holds = p == "/" || path == p || (path.starts_with(p) && path.size() > p.size() && path[p.size()] == '/');
        if (holds && (!best || p.size() >= best->mount_point.size())) best = &m;
    }
    return best;
}

bool option_in_effect(const std::vector<std::string>& options, std::string_view flag) {
    const std::string_view opposite = flag.substr(2);  // nodev -> dev
    bool on = false;
    for (const std::string& o : options) {
        if (o == flag || o == "user" || o == "users") on = true;
        else if (o == opposite || o == "defaults") on = false;
    }
    return on;
}

}  // namespace mounts_internal

namespace {

using namespace mounts_internal;

constexpr FieldSpec kFields[] = {
    {"path", ValueKind::string, "the path asked about (or the mount point, when the select names none)"},
    {"source", ValueKind::string, "live (mountinfo) or configured (fstab, tmp.mount)"},
    {"separate", ValueKind::boolean, "the path is a mount point of its own (its own partition or tmpfs)"},
    {"mount_point", ValueKind::string, "the mount that holds the path: itself when separate, else a parent such as /"},
    {"fstype", ValueKind::string, "that mount's file system type"},
    {"device", ValueKind::string, "that mount's source (device, UUID=..., tmpfs)"},
    {"options", ValueKind::list, "its options (live: per-mount then super-block options)"},
    {"nodev", ValueKind::boolean, "device files on it are not honoured"},
    {"nosuid", ValueKind::boolean, "set-user-id and set-group-id bits on it are ignored"},
    {"noexec", ValueKind::boolean, "programs on it cannot be executed directly"},
    {"file", ValueKind::string, "where the mount is described: /proc/self/mountinfo, /etc/fstab or a tmp.mount unit"},
    {"line", ValueKind::integer, "its line there"},
};
static_assert(std::size(kFields) == kMountFieldCount);

constexpr ArgSpec kArgs[] = {
    {"path", ArgKind::list, false, "absolute path(s) whose mount to judge; without it, every mount"},
    {"source", ArgKind::choice, true, "live: mounted now (mountinfo); configured: /etc/fstab and systemd's tmp.mount",
     "live|configured"},
};

constexpr std::size_t kMaxBytes = 4 * 1024 * 1024;
constexpr const char* kUnitDirs[] = {"/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
                                     "/usr/lib/systemd/system", "/lib/systemd/system"};

// tmp.mount's [Mount] What=, Type= and Options= (drop-ins in /etc and /run tmp.mount.d apply
// after the unit; a later Options= replaces an earlier one).
void apply_unit(std::string_view text, MountEntry& e) {
    bool in_mount = false;
    for (const LogicalLine& l : logical_lines(text, false)) {
        std::string_view s = l.text;
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        if (s.starts_with("[")) {
            in_mount = s.starts_with("[Mount]");
            continue;
        }
        if (!in_mount) continue;
        const std::size_t eq = s.find('=');
        if (eq == std::string_view::npos) continue;
        std::string key(s.substr(0, eq)), value(s.substr(eq + 1));
        while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.pop_back();
        if (key == "Options") e.options = split(value, ','), e.line = l.line;
        else if (key == "What") e.device = value;
        else if (key == "Type") e.fstype = value;
    }
}

// The tmp.mount that systemd would use, and whether it outranks fstab (it lives in /etc).
struct TmpUnit {
    MountEntry entry;
    bool overrides_fstab = false;
};

Result<std::optional<TmpUnit>> tmp_mount_unit(const Sysroot& root) {
    for (const char* dir : kUnitDirs) {
        const std::string path = std::string(dir) + "/tmp.mount";
        if (auto target = root.read_link(path); target && *target == "/dev/null") return std::optional<TmpUnit>{};  // masked
        auto text = root.read_file(path, kMaxBytes);
        if (!text) {
            if (text.error().code == ErrorCode::not_found) continue;
            return Error{text.error().code, text.error().message, path};
        }
        const bool in_etc = std::string_view(dir) == "/etc/systemd/system";
        if (!in_etc) {
            // A vendor unit mounts only when enabled (a .wants/.requires link) by the admin or the vendor.
            bool enabled = false;
            for (const char* d : kUnitDirs)
                for (const char* kind : {"/*.wants/tmp.mount", "/*.requires/tmp.mount"})
                    if (auto links = expand_path_glob(root, std::string(d) + kind); links && !links->empty()) enabled = true;
            if (!enabled) return std::optional<TmpUnit>{};
        }
        TmpUnit u;
        u.entry.mount_point = "/tmp";
        u.entry.file = path;
        apply_unit(*text, u.entry);
        for (const char* dropin : {"/etc/systemd/system/tmp.mount.d/*.conf", "/run/systemd/system/tmp.mount.d/*.conf"})
            if (auto files = expand_path_glob(root, dropin))
                for (const std::string& f : *files) {
                    auto more = root.read_file(f, kMaxBytes);
                    if (!more) return Error{more.error().code, more.error().message, f};
                    const auto before = u.entry.options;
                    apply_unit(*more, u.entry);
                    if (u.entry.options != before) u.entry.file = f;
                }
        u.overrides_fstab = in_etc;
        return std::optional<TmpUnit>{std::move(u)};
    }
    return std::optional<TmpUnit>{};
}

Result<std::vector<MountEntry>> configured_mounts(const Sysroot& root) {
    std::vector<MountEntry> mounts;
    auto fstab = root.read_file("/etc/fstab", kMaxBytes);
    if (fstab) mounts = parse_fstab(*fstab, "/etc/fstab");
    else if (fstab.error().code != ErrorCode::not_found) return Error{fstab.error().code, fstab.error().message, "/etc/fstab"};
    // systemd mounts /dev/shm itself early at boot (mount-setup) with nosuid and nodev; an
    // fstab line replaces those options, its absence leaves them.
    const bool systemd = root.lstat("/usr/lib/systemd/systemd").has_value() || root.lstat("/lib/systemd/systemd").has_value();
    if (systemd && std::none_of(mounts.begin(), mounts.end(), [](const MountEntry& m) { return m.mount_point == "/dev/shm"; }))
        mounts.push_back(MountEntry{"/dev/shm", "tmpfs", "tmpfs", {"nosuid", "nodev", "strictatime", "mode=1777"},
                                    "systemd (built-in /dev/shm mount)", 0});
    auto unit = tmp_mount_unit(root);
    if (!unit) return unit.error();
    if (*unit) {
        const bool fstab_has_tmp = std::any_of(mounts.begin(), mounts.end(), [](const MountEntry& m) { return m.mount_point == "/tmp"; });
        if ((*unit)->overrides_fstab || !fstab_has_tmp) {
            std::erase_if(mounts, [](const MountEntry& m) { return m.mount_point == "/tmp"; });
            mounts.push_back(std::move((*unit)->entry));
        }
    }
    return mounts;
}

Fact fact_for(const std::string& path, const char* source, const MountEntry* m) {
    Fact f;
    f.object = path;
    f.fields.resize(kMountFieldCount);
    f.fields[kMountPath] = Value{path};
    f.fields[kMountSource] = Value{std::string(source)};
    f.fields[kMountSeparate] = Value{m && m->mount_point == path};
    if (!m) return f;
    f.fields[kMountPoint] = Value{m->mount_point};
    f.fields[kMountFstype] = Value{m->fstype};
    f.fields[kMountDevice] = Value{m->device};
    f.fields[kMountOptions] = Value{StringList(m->options)};
    f.fields[kMountNodev] = Value{option_in_effect(m->options, "nodev")};
    f.fields[kMountNosuid] = Value{option_in_effect(m->options, "nosuid")};
    f.fields[kMountNoexec] = Value{option_in_effect(m->options, "noexec")};
    f.fields[kMountFile] = Value{m->file};
    if (m->line > 0) f.fields[kMountLine] = Value{std::int64_t{m->line}};
    return f;
}

FactSet collect_mounts(const CollectContext& ctx, const SelectArgs& args) {
    const std::string* source_arg = args.string("source");
    const bool live = source_arg && *source_arg == "live";
    const char* source = live ? "live" : "configured";
    const StringList paths = args.list("path");
    Result<std::vector<MountEntry>> mounts = std::vector<MountEntry>{};
    if (live) {
        if (!ctx.proc) {
            const char* why = "needs the running system (/proc/self/mountinfo); not available for an offline root";
            if (paths.empty()) return {Fact::not_applicable("mounts", why)};
            FactSet out;
            for (const std::string& p : paths) out.push_back(Fact::not_applicable(p, why));
            return out;
        }
        auto text = ctx.proc->read_file("self/mountinfo", kMaxBytes);
        if (text) mounts = parse_mountinfo(*text);
        else mounts = Error{text.error().code, text.error().message, "/proc/self/mountinfo"};
    } else {
        mounts = configured_mounts(ctx.root);
    }
    FactSet out;
    if (paths.empty()) {
        if (!mounts) return {Fact::error("mounts", mounts.error().describe())};
        for (const MountEntry& m : *mounts) {
            if (ctx.cancelled()) break;
            // A stacked mount point is judged once, by the mount on top.
            if (containing_mount(*mounts, m.mount_point) != &m) continue;
            out.push_back(fact_for(m.mount_point, source, &m));
        }
        return out;
    }
    for (const std::string& raw : paths) {
        std::string path = raw;
        while (path.size() > 1 && path.back() == '/') path.pop_back();
        if (!path.starts_with("/")) out.push_back(Fact::error(raw, "not an absolute path"));
        else if (!mounts) out.push_back(Fact::error(path, mounts.error().describe()));
        else out.push_back(fact_for(path, source, containing_mount(*mounts, path)));
    }
    return out;
}

}  // namespace

const CollectorEntry kMountsCollector{
    "mounts", Scope::root, kFields, kArgs, collect_mounts,
    "the mount options that apply to a path: live (mountinfo) or configured (fstab, tmp.mount)\n"
    "\n"
    "One object per `path`: the mount that holds it (the path itself when it is a mount "
    "point, `separate: true`; else the nearest parent mount, whose options then apply to "
    "it) and whether nodev, nosuid and noexec are in effect. Without `path`, one object per "
    "mount. `live` reads the proc tree's self/mountinfo and needs the running system. "
    "`configured` reads the audited root's /etc/fstab and systemd's tmp.mount for /tmp (a "
    "unit in /etc/systemd/system overrides fstab; a vendor unit counts when a .wants or "
    ".requires link enables it; tmp.mount.d drop-ins apply); on a root with systemd, "
    "/dev/shm without an fstab line has systemd's own nosuid,nodev. A root with none of "
    "these has no configured mount: every path is not separate and has no options.",
};

}  // namespace triad::scanner
