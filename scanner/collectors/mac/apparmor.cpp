// SPDX-License-Identifier: Apache-2.0
#include "scanner/core/path_glob.h"
#include "scanner/collectors/mac/apparmor.h"

#include <algorithm>
#include <map>

#include "scanner/walk/file_entry.h"
#include "scanner/proc/mac_processes.h"

namespace triad::scanner {
namespace {

enum AaField : std::size_t {
    kAaInstalled, kAaPolicyDir, kAaActive, kAaActiveReason, kAaKernelLsms, kAaEnabled, kAaSecurityfs, kAaBootParam,
    kAaLoaded, kAaEnforce, kAaComplain, kAaOtherMode, kAaOnDisk, kAaDisabled, kAaComplainOnDisk, kAaFieldCount
};
constexpr FieldSpec kFields[] = {
    {"installed", ValueKind::boolean, "apparmor_parser (which loads profiles into the kernel) exists in the audited root"},
    {"policy_dir", ValueKind::boolean, "/etc/apparmor.d exists (other packages create it too: it does not mean AppArmor is installed)"},
    {"active", ValueKind::boolean, "live: the running kernel's LSM list (/sys/kernel/security/lsm) names apparmor and its securityfs directory exists; absent without a sys root"},
    {"active_reason", ValueKind::string, "live: what `active` was decided from (the LSM list, or what is missing from /sys)"},
    {"kernel_lsms", ValueKind::string, "live: /sys/kernel/security/lsm as the kernel gives it; absent when securityfs is not mounted"},
    {"enabled", ValueKind::boolean, "live: the apparmor module parameter 'enabled' is Y; absent without a sys root"},
    {"securityfs", ValueKind::boolean, "live: AppArmor's securityfs directory is readable; absent without a sys root"},
    {"boot_param", ValueKind::boolean, "every kernel line of /boot/grub/grub.cfg has apparmor=1 and security=apparmor; absent without grub.cfg"},
    {"profiles_loaded", ValueKind::integer, "live: profiles loaded in the kernel; absent without securityfs"},
    {"profiles_enforce", ValueKind::integer, "live: loaded profiles in enforce mode"},
    {"profiles_complain", ValueKind::integer, "live: loaded profiles in complain mode"},
    {"profiles_other_mode", ValueKind::integer, "live: loaded profiles in kill, unconfined or prompt mode"},
    {"profiles_on_disk", ValueKind::integer, "profiles defined in files directly under /etc/apparmor.d"},
    {"profiles_disabled", ValueKind::integer, "profiles whose file is linked in /etc/apparmor.d/disable"},
    {"profiles_complain_on_disk", ValueKind::integer, "profiles on disk in complain mode (flags or force-complain)"},
};
static_assert(std::size(kFields) == kAaFieldCount);

enum ProfileField : std::size_t {
    kPrName, kPrMode, kPrLoaded, kPrOnDisk, kPrFile, kPrDisabled, kPrActive, kPrActiveReason, kPrFieldCount
};
constexpr FieldSpec kProfileFields[] = {
    {"name", ValueKind::string, "profile name (often the confined program's path)"},
    {"mode", ValueKind::string, "enforce, complain, kill, unconfined or prompt: the loaded mode when loaded, else the file's"},
    {"loaded", ValueKind::boolean, "the kernel has it loaded (securityfs)"},
    {"on_disk", ValueKind::boolean, "a file under /etc/apparmor.d defines it"},
    {"file", ValueKind::string, "the file that defines it; absent for a profile only loaded"},
    {"disabled", ValueKind::boolean, "its file is linked in /etc/apparmor.d/disable: it is not loaded at boot"},
    {"active", ValueKind::boolean, "AppArmor is active in the running kernel (the apparmor collector's `active`): without it no profile confines anything"},
    {"active_reason", ValueKind::string, "what `active` was decided from"},
};
static_assert(std::size(kProfileFields) == kPrFieldCount);

enum ProcField : std::size_t {
    kApPid, kApComm, kApExe, kApLabel, kApProfile, kApMode, kApUnconfined, kApListening, kApSockets, kApActive,
    kApFieldCount
};
constexpr FieldSpec kProcFields[] = {
    {"pid", ValueKind::integer, "process id"},
    {"comm", ValueKind::string, "process name"},
    {"exe", ValueKind::string, "executable path"},
    {"label", ValueKind::string, "AppArmor label from /proc/PID/attr"},
    {"profile", ValueKind::string, "the profile confining it; absent when unconfined"},
    {"mode", ValueKind::string, "enforce, complain, kill or unconfined"},
    {"unconfined", ValueKind::boolean, "no profile confines it (or the profile is in unconfined mode)"},
    {"listening", ValueKind::boolean, "listens on a TCP/UDP socket not bound to loopback only"},
    {"sockets", ValueKind::list, "the listening sockets (tcp 0.0.0.0:22)"},
    {"active", ValueKind::boolean, "AppArmor is active in the running kernel; when it is not, every process is unconfined"},
};
static_assert(std::size(kProcFields) == kApFieldCount);

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return std::string(s);
}

std::string mode_from_flags(std::string_view flags) {
    for (const char* m : {"complain", "kill", "unconfined", "prompt"})
        if (flags.find(m) != std::string_view::npos) return m;
    return "enforce";
}

// apparmor_parser leaves these out of a directory it loads.
bool skipped_policy_file(const std::string& name) {
    if (name.empty() || name.front() == '.' || name.back() == '~' || name == "README") return true;
    for (const char* suffix : {".dpkg-new", ".dpkg-old", ".dpkg-dist", ".dpkg-bak", ".dpkg-remove", ".rpmnew",
                               ".rpmsave", ".pacnew", ".pacsave"})
        if (name.ends_with(suffix)) return true;
    return false;
}

struct Profile {
    std::string mode;
    bool loaded = false, on_disk = false, disabled = false;
    std::string file;
};

// "name (mode)" lines of securityfs' profiles file.
std::map<std::string, std::string> parse_loaded(std::string_view text) {
    std::map<std::string, std::string> out;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        std::size_t open = line.rfind(" (");
        if (open == std::string::npos || line.back() != ')') continue;
        out[line.substr(0, open)] = line.substr(open + 2, line.size() - open - 3);
    }
    return out;
}

// Profiles on disk and loaded, merged by name.
Result<std::map<std::string, Profile>> read_profiles(const CollectContext& ctx, bool& securityfs) {
    std::map<std::string, Profile> profiles;
    securityfs = false;
    if (ctx.sys) {
        if (auto text = ctx.sys->read_file("/kernel/security/apparmor/profiles")) {
            securityfs = true;
            for (auto& [name, mode] : parse_loaded(*text)) {
                Profile& p = profiles[name];
                p.loaded = true;
                p.mode = mode;
            }
        }
    }
    auto files = expand_path_glob(ctx.root, "/etc/apparmor.d/*");
    if (!files) return files.error();
    for (const std::string& path : *files) {
        if (ctx.cancelled()) break;
        const std::string name = path.substr(path.rfind('/') + 1);
        if (skipped_policy_file(name)) continue;
        auto st = ctx.root.lstat(path);
        if (!st || !S_ISREG(st->stx_mode)) continue;
        auto text = ctx.root.read_file(path);
        if (!text) return text.error();
        const bool disabled = ctx.root.lstat("/etc/apparmor.d/disable/" + name).has_value();
        const bool forced = ctx.root.lstat("/etc/apparmor.d/force-complain/" + name).has_value();
        for (const ProfileHeader& h : parse_profile_headers(*text)) {
            Profile& p = profiles[h.name];
            p.on_disk = true;
            p.file = path;
            p.disabled = disabled;
            if (!p.loaded) p.mode = forced ? "complain" : h.mode;
        }
    }
    return profiles;
}

bool apparmor_enabled(const Sysroot* sys) {
    if (!sys) return false;
    auto v = sys->read_file("/module/apparmor/parameters/enabled", 64);
    return v && !v->empty() && (*v)[0] == 'Y';
}

// Whether AppArmor is in effect in the running kernel, and what says so. Configuration on
// disk never counts: the kernel must list AppArmor among its active LSMs (securityfs'
// "lsm" file) and AppArmor's securityfs directory, through which profiles are loaded, must
// exist. A kernel without AppArmor has no /sys/module/apparmor; the reason says which.
struct ActiveState {
    bool active = false;
    std::string reason;
    std::optional<std::string> lsms;  // the lsm file, when readable
};

Result<ActiveState> apparmor_active(const Sysroot& sys) {
    ActiveState s;
    auto lsm = sys.read_file("/kernel/security/lsm", 4096);
    if (!lsm) {
        if (lsm.error().code != ErrorCode::not_found) return lsm.error();
        const bool built_in = sys.lstat("/module/apparmor").has_value();
        s.reason = built_in ? "securityfs is not mounted (no /sys/kernel/security/lsm): no AppArmor profile can be loaded"
                            : "AppArmor is not in the running kernel: no /sys/module/apparmor, and no "
                              "/sys/kernel/security/lsm (securityfs is not mounted)";
        return s;
    }
    std::string list = trim(*lsm);
    s.lsms = list;
    bool listed = false;
    for (std::size_t at = 0; at <= list.size();) {
        std::size_t comma = list.find(',', at);
        if (list.substr(at, comma == std::string::npos ? std::string::npos : comma - at) == "apparmor") listed = true;
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    if (!listed) {
        s.reason = "the kernel's active LSMs (/sys/kernel/security/lsm: " + (list.empty() ? "none" : list) +
                   ") do not include apparmor";
        return s;
    }
    if (!sys.lstat("/kernel/security/apparmor")) {
        s.reason = "/sys/kernel/security/lsm lists apparmor but /sys/kernel/security/apparmor does not exist";
        return s;
    }
    s.active = true;
    s.reason = "/sys/kernel/security/lsm lists apparmor (" + list + ")";
    return s;
}

// apparmor_parser is what loads profiles; without it /etc/apparmor.d is only files (man-db,
// for one, ships a profile there whether or not AppArmor is installed).
bool parser_installed(const Sysroot& root) {
    for (const char* path : {"/usr/sbin/apparmor_parser", "/sbin/apparmor_parser"})
        if (auto st = root.lstat(path); st && S_ISREG(st->stx_mode)) return true;
    return false;
}

// Whether every kernel line of grub.cfg turns AppArmor on; nullopt without grub.cfg.
std::optional<bool> grub_enables_apparmor(const Sysroot& root) {
    auto text = root.read_file("/boot/grub/grub.cfg");
    if (!text) return std::nullopt;
    std::string_view rest = *text;
    bool any = false, all = true;
    while (!rest.empty()) {
        std::size_t nl = rest.find('\n');
        std::string line = trim(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        if (!line.starts_with("linux")) continue;
        any = true;
        line += ' ';
        if (line.find(" apparmor=1 ") == std::string::npos || line.find(" security=apparmor ") == std::string::npos)
            all = false;
    }
    return any && all;
}

}  // namespace

std::vector<ProfileHeader> parse_profile_headers(std::string_view text) {
    std::vector<ProfileHeader> out;
    int depth = 0, line_no = 0;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (line.starts_with("#include") || line.starts_with("include ")) continue;
        if (std::size_t hash = line.find('#'); hash != std::string::npos) line = trim(line.substr(0, hash));
        if (line.empty()) continue;
        if (depth == 0 && line.back() == '{' && !line.starts_with("@{") && !line.starts_with("hat ")) {
            std::string head = line.starts_with("profile ") ? trim(line.substr(8)) : line;
            std::string name;
            if (!head.empty() && head.front() == '"') {
                std::size_t close = head.find('"', 1);
                name = head.substr(1, close == std::string::npos ? std::string::npos : close - 1);
            } else {
                name = head.substr(0, head.find_first_of(" \t"));
                if (!name.empty() && name.back() == '{') name.pop_back();  // "name{"
            }
            std::string mode = "enforce";
            if (std::size_t f = line.find("flags"); f != std::string::npos) {
                std::size_t open = line.find('(', f), close = line.find(')', f);
                if (open != std::string::npos && close != std::string::npos && close > open)
                    mode = mode_from_flags(line.substr(open + 1, close - open - 1));
            }
            if (!name.empty()) out.push_back({name, mode, line_no});
        }
        // Count block braces; "@{VAR}" references are not blocks, and glob alternations
        // "{a,b}" open and close on the same line.
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '@' && i + 1 < line.size() && line[i + 1] == '{') {
                std::size_t close = line.find('}', i);
                if (close == std::string::npos) break;
                i = close;
                continue;
            }
            if (line[i] == '{') ++depth;
            if (line[i] == '}' && depth > 0) --depth;
        }
    }
    return out;
}

std::span<const FieldSpec> apparmor_fields() { return kFields; }
std::span<const FieldSpec> apparmor_profile_fields() { return kProfileFields; }
std::span<const FieldSpec> apparmor_process_fields() { return kProcFields; }

FactSet collect_apparmor(const CollectContext& ctx, const SelectArgs&) {
    bool securityfs = false;
    auto profiles = read_profiles(ctx, securityfs);
    if (!profiles) return {Fact::error("/etc/apparmor.d", profiles.error().describe())};
    Fact f;
    f.object = "apparmor";
    f.fields.resize(kAaFieldCount);
    auto dir = ctx.root.lstat("/etc/apparmor.d");
    f.fields[kAaPolicyDir] = Value{dir && S_ISDIR(dir->stx_mode)};
    f.fields[kAaInstalled] = Value{parser_installed(ctx.root)};
    if (ctx.sys) {
        auto active = apparmor_active(*ctx.sys);
        if (!active) return {Fact::error("/sys/kernel/security/lsm", active.error().describe())};
        f.fields[kAaActive] = Value{active->active};
        f.fields[kAaActiveReason] = Value{active->reason};
        if (active->lsms) f.fields[kAaKernelLsms] = Value{*active->lsms};
        f.fields[kAaEnabled] = Value{apparmor_enabled(ctx.sys)};
        f.fields[kAaSecurityfs] = Value{securityfs};
    }
    if (auto boot = grub_enables_apparmor(ctx.root)) f.fields[kAaBootParam] = Value{*boot};
    std::int64_t loaded = 0, enforce = 0, complain = 0, other = 0, disk = 0, disabled = 0, disk_complain = 0;
    for (const auto& [name, p] : *profiles) {
        if (p.loaded) {
            ++loaded;
            (p.mode == "enforce" ? enforce : p.mode == "complain" ? complain : other)++;
        }
        if (p.on_disk) {
            ++disk;
            if (p.disabled) ++disabled;
            if (!p.loaded && p.mode == "complain") ++disk_complain;
        }
    }
    if (securityfs) {
        f.fields[kAaLoaded] = Value{loaded};
        f.fields[kAaEnforce] = Value{enforce};
        f.fields[kAaComplain] = Value{complain};
        f.fields[kAaOtherMode] = Value{other};
    }
    f.fields[kAaOnDisk] = Value{disk};
    f.fields[kAaDisabled] = Value{disabled};
    f.fields[kAaComplainOnDisk] = Value{disk_complain};
    return {std::move(f)};
}

FactSet collect_apparmor_profiles(const CollectContext& ctx, const SelectArgs&) {
    bool securityfs = false;
    auto profiles = read_profiles(ctx, securityfs);
    if (!profiles) return {Fact::error("/etc/apparmor.d", profiles.error().describe())};
    if (profiles->empty()) {
        auto dir = ctx.root.lstat("/etc/apparmor.d");
        return {Fact::not_applicable("/etc/apparmor.d", dir ? "no AppArmor profile is defined in /etc/apparmor.d or loaded"
                                                            : "AppArmor is not installed: /etc/apparmor.d does not exist")};
    }
    // A profile protects only when the kernel enforces it: its file alone decides nothing.
    if (!ctx.sys)
        return {Fact::not_applicable("/etc/apparmor.d",
                                     "whether these profiles are in effect needs the running kernel (/sys); an offline "
                                     "root only has them on disk")};
    auto active = apparmor_active(*ctx.sys);
    if (!active) return {Fact::error("/sys/kernel/security/lsm", active.error().describe())};
    FactSet out;
    for (const auto& [name, p] : *profiles) {
        Fact f;
        f.object = name;
        f.fields.resize(kPrFieldCount);
        f.fields[kPrName] = Value{name};
        f.fields[kPrMode] = Value{p.mode};
        f.fields[kPrLoaded] = Value{p.loaded};
        f.fields[kPrOnDisk] = Value{p.on_disk};
        if (!p.file.empty()) f.fields[kPrFile] = Value{p.file};
        f.fields[kPrDisabled] = Value{p.disabled};
        f.fields[kPrActive] = Value{active->active};
        f.fields[kPrActiveReason] = Value{active->reason};
        out.push_back(std::move(f));
    }
    return out;
}

FactSet collect_apparmor_processes(const CollectContext& ctx, const SelectArgs&) {
    if (!ctx.sys)
        return {Fact::not_applicable("apparmor", "whether AppArmor confines processes needs the running kernel's /sys; "
                                                 "none was given")};
    // Without AppArmor in the kernel every process is unconfined: that is the finding, not
    // a reason to look away. The labels are not read then (attr/current may be another LSM's).
    auto active = apparmor_active(*ctx.sys);
    if (!active) return {Fact::error("/sys/kernel/security/lsm", active.error().describe())};
    const auto procs = active->active ? read_mac_processes(*ctx.proc, {"attr/apparmor/current", "attr/current"})
                                      : read_mac_processes(*ctx.proc, {});
    FactSet out;
    for (const MacProcess& p : procs) {
        if (ctx.cancelled()) break;
        Fact f;
        f.object = std::to_string(p.pid) + " " + p.name;
        f.fields.resize(kApFieldCount);
        f.fields[kApPid] = Value{std::int64_t{p.pid}};
        f.fields[kApComm] = Value{p.name};
        if (!p.exe.empty()) f.fields[kApExe] = Value{p.exe};
        std::string label = p.label.empty() ? "unconfined" : p.label;
        f.fields[kApLabel] = Value{label};
        std::string mode = "unconfined";
        if (label != "unconfined") {
            std::size_t open = label.rfind(" (");
            std::string profile = open == std::string::npos ? label : label.substr(0, open);
            if (open != std::string::npos && label.back() == ')') mode = label.substr(open + 2, label.size() - open - 3);
            else mode = "enforce";
            f.fields[kApProfile] = Value{profile};
        }
        f.fields[kApMode] = Value{mode};
        f.fields[kApUnconfined] = Value{mode == "unconfined"};
        f.fields[kApListening] = Value{p.listens_on_network};
        f.fields[kApSockets] = Value{StringList(p.sockets)};
        f.fields[kApActive] = Value{active->active};
        out.push_back(std::move(f));
    }
    return out;
}

const CollectorEntry kApparmorCollector{
    "apparmor", Scope::root, kFields, {}, collect_apparmor,
    "AppArmor installed, active in the kernel, boot parameters and profile counts by mode\n"
    "\n"
    "One object, `apparmor`. What the audited root says (apparmor_parser, /etc/apparmor.d, "
    "the kernel lines of /boot/grub/grub.cfg, profiles on disk) is always read; the live "
    "state only when the scan has a sys root, and those fields are absent otherwise. "
    "`active` is the one that says AppArmor is in effect: the kernel's LSM list "
    "(/sys/kernel/security/lsm) names it and its securityfs directory exists; "
    "`active_reason` says what it was decided from (a kernel without AppArmor has no "
    "/sys/module/apparmor). An unreadable /etc/apparmor.d or LSM list is an error.",
};

const CollectorEntry kApparmorProfilesCollector{
    "apparmor_profiles", Scope::root, kProfileFields, {}, collect_apparmor_profiles,
    "each AppArmor profile loaded or under /etc/apparmor.d, with its mode\n"
    "\n"
    "One object per profile, named by the profile: those loaded in the kernel "
    "(securityfs, when the scan has a sys root) and those defined by the files directly "
    "under /etc/apparmor.d, with the loaded mode when loaded and the file's otherwise, "
    "and whether /etc/apparmor.d/disable keeps it from loading at boot, and whether "
    "AppArmor is `active` in the running kernel (a profile of a kernel without AppArmor "
    "confines nothing). With no profile at all the collector is not_applicable, saying "
    "whether AppArmor is installed; without a sys root (an offline root) it is "
    "not_applicable too, because files on disk alone do not say a profile is in effect.",
};

const CollectorEntry kApparmorProcessesCollector{
    "apparmor_processes", Scope::host, kProcFields, {}, collect_apparmor_processes,
    "AppArmor confinement of each running process and whether it listens on the network\n"
    "\n"
    "One object per process (`PID NAME`), with its label from /proc/PID/attr, the profile "
    "and mode that confine it, and the TCP/UDP sockets it listens on, so a check can find "
    "network daemons that run unconfined. Needs the running system. When AppArmor is not "
    "active in the kernel every process is reported unconfined (`active: false`): the "
    "missing protection is the finding, not a reason for not_applicable.",
};

}  // namespace triad::scanner
