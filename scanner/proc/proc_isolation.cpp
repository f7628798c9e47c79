// SPDX-License-Identifier: Apache-2.0
// Reads what isolates a process (see proc_isolation.h). Every file is read below the
// process's directory with O_NOFOLLOW; a part the kernel refuses is recorded with its
// reason, never replaced by a default.
#include "scanner/proc/proc_isolation.h"

#include <fcntl.h>
#include <sys/capability.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>

#include "scanner/config/config_file.h"
#include "scanner/proc/proc_files.h"

namespace triad::scanner {
namespace {

constexpr std::size_t kMaxSmallFile = 64 * 1024;
constexpr std::size_t kMaxCgroupLines = 256;
constexpr std::size_t kMaxIdMapLines = 340;  // the kernel's own limit on uid_map lines
constexpr std::size_t kMaxMounts = 100000;
constexpr std::size_t kMaxProcesses = 1 << 20;

template <typename T>
bool parse_number(std::string_view s, T& out, int base = 10) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), out, base);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
}

std::vector<std::string_view> lines_of(std::string_view text, std::size_t max) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < text.size() && out.size() < max) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        if (end > pos) out.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

bool is_hex_id(std::string_view s) {
    return s.size() >= 12 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// "docker-<id>.scope" → "<id>" when the text has that prefix and suffix.
std::optional<std::string_view> strip(std::string_view s, std::string_view prefix, std::string_view suffix) {
    if (s.size() <= prefix.size() + suffix.size() || !s.starts_with(prefix) || !s.ends_with(suffix)) return std::nullopt;
    return s.substr(prefix.size(), s.size() - prefix.size() - suffix.size());
}

// Mountinfo escapes space, tab, newline and backslash as \040 and the like.
std::string unescape_octal(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            unsigned v = 0;
            if (parse_number(s.substr(i + 1, 3), v, 8) && v < 256) {
                out.push_back(static_cast<char>(v));
                i += 3;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

}  // namespace

std::optional<std::uint64_t> initial_namespace_inode(std::string_view type) {
    // include/linux/proc_ns.h: PROC_{IPC,UTS,USER,PID,CGROUP,TIME,NET,MNT}_INIT_INO.
    static const std::pair<std::string_view, std::uint64_t> kInitial[] = {
        {"ipc", 0xEFFFFFFFu},  {"uts", 0xEFFFFFFEu},  {"user", 0xEFFFFFFDu}, {"pid", 0xEFFFFFFCu},
        {"cgroup", 0xEFFFFFFBu}, {"time", 0xEFFFFFFAu}, {"net", 0xEFFFFFF9u},  {"mnt", 0xEFFFFFF8u},
    };
    for (const auto& [name, inode] : kInitial)
        if (name == type) return inode;
    return std::nullopt;
}

std::optional<std::uint64_t> parse_namespace_link(std::string_view link) {
    const std::size_t open = link.find(":[");
    if (open == std::string_view::npos || !link.ends_with("]")) return std::nullopt;
    std::uint64_t inode = 0;
    if (!parse_number(link.substr(open + 2, link.size() - open - 3), inode)) return std::nullopt;
    return inode;
}

std::vector<CgroupEntry> parse_cgroup_file(std::string_view text) {
    std::vector<CgroupEntry> out;
    for (std::string_view line : lines_of(text, kMaxCgroupLines)) {
        // "ID:CONTROLLERS:PATH"; the path may itself contain ':'.
        const std::size_t a = line.find(':');
        const std::size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
        if (b == std::string_view::npos) continue;
        out.push_back({std::string(line.substr(0, a)), std::string(line.substr(a + 1, b - a - 1)), std::string(line.substr(b + 1))});
    }
    return out;
}

std::vector<IdMapRange> parse_id_map(std::string_view text) {
    std::vector<IdMapRange> out;
    for (std::string_view line : lines_of(text, kMaxIdMapLines)) {
        auto w = split_proc_words(line);
        IdMapRange r;
        if (w.size() == 3 && parse_number(w[0], r.inside) && parse_number(w[1], r.outside) && parse_number(w[2], r.count))
            out.push_back(r);
    }
    return out;
}

std::string ContainerRef::name() const {
    if (engine.empty()) return {};
    const std::string shown = is_hex_id(id) ? id.substr(0, 12) : id;
    if (!pod.empty()) return "kubernetes pod " + pod + " (" + engine + " " + shown + ")";
    return engine + " " + shown;
}

ContainerRef classify_cgroup_path(std::string_view path) {
    std::vector<std::string_view> parts;
    for (std::size_t pos = 0; pos < path.size();) {
        std::size_t end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        if (end > pos) parts.push_back(path.substr(pos, end - pos));
        pos = end + 1;
    }
    ContainerRef ref;
    // The pod uid: "pod<uid>" (cgroupfs driver) or "kubepods-<qos>-pod<uid_with_underscores>.slice".
    bool kube = false;
    for (std::string_view p : parts) {
        if (p.starts_with("kubepods")) kube = true;
        std::string_view uid;
        if (auto s = strip(p, "pod", "")) uid = *s;
        const std::size_t at = p.rfind("-pod");
        if (p.ends_with(".slice") && at != std::string_view::npos) uid = p.substr(at + 4, p.size() - at - 4 - 6);
        if (kube && !uid.empty()) {
            ref.pod = std::string(uid);
            std::replace(ref.pod.begin(), ref.pod.end(), '_', '-');
        }
    }
    // The innermost component that names a container decides.
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        const std::string_view p = *it;
        const std::string_view parent = it + 1 != parts.rend() ? *(it + 1) : std::string_view{};
        static const std::pair<std::string_view, std::string_view> kScopes[] = {
            {"docker-", "docker"}, {"cri-containerd-", "containerd"}, {"crio-", "cri-o"}, {"libpod-", "podman"},
            {"nerdctl-", "containerd"},
        };
        for (const auto& [prefix, engine] : kScopes)
            if (auto id = strip(p, prefix, ".scope"); id && is_hex_id(*id)) {
                ref.engine = engine;
                ref.id = *id;
                return ref;
            }
        if (auto id = strip(p, "libpod-", ""); id && is_hex_id(*id)) return {"podman", std::string(*id), {}};
        if (parent == "docker" && is_hex_id(p)) return {"docker", std::string(p), ref.pod};
        if (parent == "libpod_parent" && is_hex_id(p)) return {"podman", std::string(p), {}};
        if (kube && is_hex_id(p) && p.size() == 64) {
            ref.engine = "containerd";  // the cgroupfs driver does not say which runtime
            ref.id = p;
            return ref;
        }
        if (auto name = strip(p, "lxc.payload.", "")) return {"lxc", std::string(*name), {}};
        if (parent == "lxc" && !p.empty()) return {"lxc", std::string(p), {}};
        if (auto name = strip(p, "systemd-nspawn@", ".service")) return {"systemd-nspawn", std::string(*name), {}};
        if (parent == "machine.slice")
            if (auto name = strip(p, "machine-", ".scope")) return {"systemd-nspawn", std::string(*name), {}};
    }
    return {};
}

std::string capability_name(unsigned bit) {
    // libcap knows the names of the capabilities it was built with; a newer kernel's extra
    // bits come back as numbers.
    char* text = cap_to_name(static_cast<cap_value_t>(bit));
    if (!text) return std::to_string(bit);
    std::string name = text;
    cap_free(text);
    if (name.starts_with("cap_")) name.erase(0, 4);
    return name;
}

std::vector<std::string> capability_names(std::uint64_t mask) {
    std::vector<std::string> out;
    for (unsigned bit = 0; bit < 64; ++bit)
        if (mask & (std::uint64_t{1} << bit)) out.push_back(capability_name(bit));
    return out;
}

std::vector<std::string> dangerous_capability_names(std::uint64_t mask) {
    // Not in the default set of docker/containerd/podman, and each enough on its own to
    // reach the host: load modules, mount, trace other processes, read any file, raw I/O,
    // reconfigure the network, load BPF programs, change the clock or the LSM policy.
    static const unsigned kDangerous[] = {
        CAP_DAC_READ_SEARCH, CAP_LINUX_IMMUTABLE, CAP_NET_ADMIN, CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_PTRACE,
        CAP_SYS_ADMIN, CAP_SYS_BOOT, CAP_SYS_TIME, CAP_AUDIT_CONTROL, CAP_MAC_OVERRIDE, CAP_MAC_ADMIN, CAP_SYSLOG,
        38 /* perfmon */, 39 /* bpf */, 40 /* checkpoint_restore */,
    };
    std::vector<std::string> out;
    for (unsigned bit : kDangerous)
        if (mask & (std::uint64_t{1} << bit)) out.push_back(capability_name(bit));
    std::sort(out.begin(), out.end());
    return out;
}

unsigned last_capability(const Sysroot& proc) {
    unsigned last = 40;
    if (auto text = proc.read_file("sys/kernel/cap_last_cap", 64)) {
        std::string_view v = *text;
        while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
        unsigned n = 0;
        if (parse_number(v, n) && n < 64) last = n;
    }
    return last;
}

std::string ProcessIsolation::cgroup_path() const {
    for (const CgroupEntry& c : cgroups)
        if (!classify_cgroup_path(c.path).engine.empty()) return c.path;
    for (const CgroupEntry& c : cgroups)
        if (c.hierarchy == "0" && c.controllers.empty() && c.path != "/") return c.path;
    for (const CgroupEntry& c : cgroups)
        if (c.path != "/") return c.path;
    return cgroups.empty() ? std::string() : cgroups.front().path;
}

std::vector<std::string> ProcessIsolation::own_namespaces() const {
    std::vector<std::string> out;
    for (const auto& [type, inode] : namespaces)
        if (auto initial = initial_namespace_inode(type); initial && *initial != inode) out.push_back(type);
    return out;
}

std::vector<std::string> ProcessIsolation::host_namespaces() const {
    std::vector<std::string> out;
    for (const auto& [type, inode] : namespaces)
        if (auto initial = initial_namespace_inode(type); initial && *initial == inode) out.push_back(type);
    return out;
}

bool ProcessIsolation::root_is_host_root() const {
    for (const IdMapRange& r : uid_map)
        if (r.inside == 0 && r.count > 0) return r.outside == 0;
    return false;
}

bool MountEntry::has_option(std::string_view opt) const {
    std::string_view rest = options;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        if (rest.substr(0, comma) == opt) return true;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return false;
}

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
    // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS"
    std::vector<MountEntry> out;
    for (std::string_view line : lines_of(text, kMaxMounts)) {
        auto w = split_proc_words(line);
        auto dash = std::find(w.begin(), w.end(), std::string_view("-"));
        if (w.size() < 10 || dash == w.end() || dash - w.begin() < 6 || w.end() - dash < 4) continue;
        MountEntry m;
        m.root = unescape_octal(w[3]);
        m.mount_point = unescape_octal(w[4]);
        m.options = std::string(w[5]);
        m.fstype = std::string(dash[1]);
        m.source = unescape_octal(dash[2]);
        m.super_options = std::string(dash[3]);
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<std::uint64_t> mount_ids(std::string_view mountinfo) {
    std::vector<std::uint64_t> ids;
    for (std::string_view line : lines_of(mountinfo, kMaxMounts)) {
        const std::size_t sp = line.find(' ');
        std::uint64_t id = 0;
        if (sp != std::string_view::npos && parse_number(line.substr(0, sp), id)) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

Result<ProcessIsolation> read_process_isolation(const Sysroot& proc, const std::string& dir) {
    auto dfd = proc.open_path(dir, O_RDONLY | O_DIRECTORY, /*follow_final=*/dir == "self");
    if (!dfd) return dfd.error();
    ProcessIsolation p;
    auto status = read_proc_file_at(dfd->get(), "status", kMaxSmallFile, proc.display(dir + "/status"));
    if (!status) return status.error();
    for (const ConfigEntry& e : parse_config(*status, ConfigSyntax{ConfigSeparator::colon, false, ""})) {
        auto w = split_proc_words(e.value);
        if (e.key == "Name") p.name = e.value;
        if (w.empty()) continue;
        std::int64_t n = 0;
        std::uint64_t mask = 0;
        if (e.key == "Pid" && parse_number(w[0], n)) p.pid = static_cast<int>(n);
        else if (e.key == "PPid" && parse_number(w[0], n)) p.ppid = static_cast<int>(n);
        else if (e.key == "Kthread" && parse_number(w[0], n)) p.kernel_thread = n != 0;
        else if (e.key == "NSpid") p.pid_levels = static_cast<int>(w.size());
        else if (e.key == "Uid" && parse_number(w[0], n)) p.uid = n;
        else if (e.key == "Seccomp" && parse_number(w[0], n)) p.seccomp = static_cast<int>(n);
        else if (e.key == "NoNewPrivs" && parse_number(w[0], n)) p.no_new_privs = n != 0;
        else if (e.key == "CapEff" && parse_number(w[0], mask, 16)) p.cap_eff = mask;
        else if (e.key == "CapPrm" && parse_number(w[0], mask, 16)) p.cap_prm = mask;
        else if (e.key == "CapBnd" && parse_number(w[0], mask, 16)) p.cap_bnd = mask;
        else if (e.key == "CapAmb" && parse_number(w[0], mask, 16)) p.cap_amb = mask;
    }
    if (p.pid == 0 && all_digits(dir)) p.pid = std::atoi(dir.c_str());
    if (p.pid == 2 || p.ppid == 2) p.kernel_thread = true;  // kthreadd and its children (kernels without Kthread:)

    UniqueFd ns(::openat(dfd->get(), "ns", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!ns.valid()) {
        p.namespace_error = error_from_errno(errno, proc.display(dir + "/ns")).message;
    } else {
        for (const char* type : kNamespaceTypes) {
            auto link = read_proc_link_at(ns.get(), type);
            if (!link) {
                // ENOENT: this kernel has no such namespace type (time before 5.6).
                if (errno != ENOENT && p.namespace_error.empty())
                    p.namespace_error = error_from_errno(errno, proc.display(dir + "/ns/" + type)).message;
                continue;
            }
            if (auto inode = parse_namespace_link(*link)) p.namespaces[type] = *inode;
        }
    }
    if (auto cg = read_proc_file_at(dfd->get(), "cgroup", kMaxSmallFile, proc.display(dir + "/cgroup")))
        p.cgroups = parse_cgroup_file(*cg);
    else
        p.cgroup_error = cg.error().message;
    if (auto map = read_proc_file_at(dfd->get(), "uid_map", kMaxSmallFile, proc.display(dir + "/uid_map")))
        p.uid_map = parse_id_map(*map);
    else
        p.uid_map_error = map.error().message;
    // attr/current: the LSM label ("unconfined", "docker-default (enforce)", an SELinux
    // context). EINVAL or an empty file: no LSM that labels processes is active.
    UniqueFd attr(::openat(dfd->get(), "attr", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (attr.valid())
        if (auto label = read_proc_file_at(attr.get(), "current", 4096, proc.display(dir + "/attr/current"))) {
            std::string l = *label;
            while (!l.empty() && (l.back() == '\n' || l.back() == '\0')) l.pop_back();
            if (!l.empty()) p.lsm_label = l;
        }
    return p;
}

IsolationTable read_isolation_table(const Sysroot& proc, const CancelToken* cancel) {
    IsolationTable table;
    auto root = proc.open_path("/", O_RDONLY | O_DIRECTORY, /*follow_final=*/true);
    if (!root) return table;
    std::vector<int> pids;
    for (const std::string& name : list_proc_dir(root->get()))
        if (all_digits(name) && name.size() < 10 && pids.size() < kMaxProcesses) pids.push_back(std::atoi(name.c_str()));
    std::sort(pids.begin(), pids.end());
    for (int pid : pids) {
        if (cancel && cancel->cancelled()) break;
        auto p = read_process_isolation(proc, std::to_string(pid));
        if (p) table.processes.push_back(std::move(*p));
        else if (p.error().code != ErrorCode::not_found) table.unreadable.emplace_back(pid, p.error().describe());
    }
    return table;
}

}  // namespace triad::scanner
