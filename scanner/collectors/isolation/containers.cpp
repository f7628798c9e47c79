// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/isolation/containers.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

namespace triad::scanner {
namespace {

constexpr FieldSpec kFields[] = {
    {"name", ValueKind::string, "the container as its cgroup path names it (\"docker 0123456789ab\"), or its namespaces"},
    {"engine", ValueKind::string, "docker, containerd, cri-o, podman, lxc, systemd-nspawn; \"namespaces\" for a sandbox no cgroup path names; absent for self outside a container"},
    {"id", ValueKind::string, "the engine's container id or machine name"},
    {"pod", ValueKind::string, "the Kubernetes pod uid, for a container of a pod"},
    {"cgroup", ValueKind::string, "the cgroup path of its first process (/proc/PID/cgroup)"},
    {"pids", ValueKind::list, "the processes in it (\"PID NAME\"), at most 64 listed"},
    {"in_container", ValueKind::boolean, "it has namespaces of its own (pid, mnt, user or cgroup) or a cgroup path that names a container"},
    {"own_namespaces", ValueKind::list, "namespace types it does not share with the host (inode differs from the kernel's initial one)"},
    {"host_namespaces", ValueKind::list, "namespace types it shares with the host (the initial namespaces)"},
    {"host_pid", ValueKind::boolean, "it is in the host's pid namespace: it sees and can signal every process"},
    {"host_net", ValueKind::boolean, "it is in the host's network namespace: every host interface and port"},
    {"host_ipc", ValueKind::boolean, "it is in the host's IPC namespace: the host's SysV and POSIX message objects"},
    {"host_uts", ValueKind::boolean, "it is in the host's UTS namespace: it can change the host name"},
    {"user_namespace", ValueKind::boolean, "it has a user namespace of its own"},
    {"root_is_host_root", ValueKind::boolean, "uid 0 inside is uid 0 of the host (no user namespace, or uid_map maps 0 to 0)"},
    {"uid_map", ValueKind::string, "its /proc/PID/uid_map, one \"INSIDE OUTSIDE COUNT\" per range, ';'-separated"},
    {"capabilities", ValueKind::list, "its capabilities: the union of the bounding, permitted and effective sets over its processes, what any process in it can hold"},
    {"dangerous_capabilities", ValueKind::list, "bounding-set capabilities that reach the host (sys_admin, sys_ptrace, sys_module, net_admin, dac_read_search, sys_rawio, bpf, ...)"},
    {"privileged", ValueKind::boolean, "its bounding set holds every capability the kernel knows (docker --privileged)"},
    {"seccomp", ValueKind::string, "the weakest seccomp mode among its processes: disabled, filter or strict"},
    {"no_new_privs", ValueKind::boolean, "every process in it has NoNewPrivs set"},
    {"lsm_label", ValueKind::string, "the LSM label of its first process (/proc/PID/attr/current); absent when no LSM labels processes"},
    {"lsm_confined", ValueKind::boolean, "every process has an LSM label other than unconfined (false when no LSM labels processes)"},
    {"memory_limit", ValueKind::integer, "the memory limit in bytes (memory.max, or memory.limit_in_bytes in v1) of its cgroup or an ancestor; absent when unlimited"},
    {"memory_limited", ValueKind::boolean, "a memory limit applies"},
    {"pids_limit", ValueKind::integer, "the pids.max of its cgroup or an ancestor; absent when unlimited"},
    {"pids_limited", ValueKind::boolean, "a limit on the number of processes applies (a fork bomb stays inside)"},
    {"cpu_limited", ValueKind::boolean, "a CPU quota applies (cpu.max, or cpu.cfs_quota_us in v1)"},
    {"limits_from", ValueKind::list, "the cgroup files the limits were read from, as /sys paths"},
    {"sensitive_mounts", ValueKind::list, "mounts that reach the host: engine-socket, writable-kernel-fs, host-path, device-fs (each with its mount point)"},
    {"engine_socket", ValueKind::boolean, "a container engine's socket is mounted in: control of the engine is control of the host"},
    {"writable_kernel_fs", ValueKind::boolean, "/proc/sys or /sys is mounted read-write"},
    {"host_path_mounts", ValueKind::boolean, "the host's /, /etc, /root, /boot, /run or an engine's state directory is mounted in"},
    {"device_mounts", ValueKind::boolean, "the host's device file system (devtmpfs) is mounted in"},
    {"rootfs_writable", ValueKind::boolean, "its root file system is mounted read-write"},
};
static_assert(std::size(kFields) == kIsoFieldCount);

constexpr std::size_t kMaxListedPids = 64;
constexpr std::size_t kMaxLimitFile = 256;
constexpr std::size_t kMaxMountinfo = 16 * 1024 * 1024;
constexpr std::int64_t kV1Unlimited = 0x7FFFFFFFFFFFF000;  // LONG_MAX rounded down to a page

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

bool to_int(std::string_view s, std::int64_t& out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
}

// The cgroup directory and its ancestors, innermost first, without the root: a limit set
// higher up (a Kubernetes pod, a systemd slice) binds the container too.
std::vector<std::string> cgroup_chain(std::string path) {
    std::vector<std::string> out;
    while (!path.empty() && path != "/") {
        out.push_back(path);
        const std::size_t slash = path.rfind('/');
        path = slash == std::string::npos || slash == 0 ? std::string() : path.substr(0, slash);
    }
    return out;
}

// Where a v1 controller is mounted: the directory named after it, or the combined one.
std::vector<std::string> v1_dirs(std::string_view controller) {
    if (controller == "cpu") return {"fs/cgroup/cpu", "fs/cgroup/cpu,cpuacct", "fs/cgroup/cpuacct,cpu"};
    return {"fs/cgroup/" + std::string(controller)};
}

// The mount that decides what `path` is: the last one (later mounts hide earlier ones)
// with the longest mount point that contains it.
const MountEntry* covering_mount(const std::vector<MountEntry>& mounts, std::string_view path) {
    const MountEntry* best = nullptr;
    for (const MountEntry& m : mounts) {
        const std::string& mp = m.mount_point;
        const bool covers = mp == "/" || path == mp || (path.starts_with(mp) && path.size() > mp.size() && path[mp.size()] == '/');
        if (covers && (!best || mp.size() >= best->mount_point.size())) best = &m;
    }
    return best;
}

bool virtual_fs(std::string_view t) {
    static const std::set<std::string_view> kVirtual = {"proc", "sysfs", "tmpfs", "devtmpfs", "devpts", "mqueue", "cgroup",
                                                        "cgroup2", "overlay", "securityfs", "debugfs", "tracefs", "bpf",
                                                        "fusectl", "configfs", "pstore", "hugetlbfs", "nsfs", "autofs",
                                                        "binfmt_misc", "ramfs", "efivarfs", "rpc_pipefs", "nfsd"};
    return kVirtual.count(t) > 0;
}

}  // namespace

CgroupLimits read_cgroup_limits(const Sysroot& sys, const ProcessIsolation& p) {
    CgroupLimits limits;
    auto read = [&](const std::string& path) -> std::optional<std::string> {
        auto text = sys.read_file(path, kMaxLimitFile);
        if (!text) {
            // Not there: no such controller governs this cgroup, so it sets no limit. Any
            // other failure leaves the limit unknown, and the container an error.
            if (text.error().code != ErrorCode::not_found && limits.error.empty()) limits.error = text.error().describe();
            return std::nullopt;
        }
        limits.sources.push_back("/sys/" + path);
        return trimmed(*text);
    };
    for (const CgroupEntry& c : p.cgroups) {
        const bool v2 = c.hierarchy == "0" && c.controllers.empty();
        for (const std::string& dir : cgroup_chain(c.path)) {
            if (v2) {
                // The unified hierarchy at /sys/fs/cgroup, or at fs/cgroup/unified on a hybrid host.
                for (const char* base : {"fs/cgroup", "fs/cgroup/unified"}) {
                    const std::string d = base + dir;
                    if (auto v = read(d + "/memory.max")) {
                        std::int64_t n = 0;
                        if (*v != "max" && to_int(*v, n) && !limits.memory) limits.memory = n;
                    }
                    if (auto v = read(d + "/pids.max")) {
                        std::int64_t n = 0;
                        if (*v != "max" && to_int(*v, n) && !limits.pids) limits.pids = n;
                    }
                    if (auto v = read(d + "/cpu.max")) {
                        const std::size_t sp = v->find(' ');
                        if (!v->starts_with("max") && !limits.cpu)
                            limits.cpu = v->substr(0, sp) + "/" + (sp == std::string::npos ? "100000" : v->substr(sp + 1));
                    }
                }
                continue;
            }
            const std::string& ctl = c.controllers;
            auto has = [&](std::string_view name) {
                std::string_view rest = ctl;
                while (!rest.empty()) {
                    const std::size_t comma = rest.find(',');
                    if (rest.substr(0, comma) == name) return true;
                    if (comma == std::string_view::npos) break;
                    rest.remove_prefix(comma + 1);
                }
                return false;
            };
            if (has("memory"))
                for (const std::string& base : v1_dirs("memory"))
                    if (auto v = read(base + dir + "/memory.limit_in_bytes")) {
                        std::int64_t n = 0;
                        if (to_int(*v, n) && n < kV1Unlimited && !limits.memory) limits.memory = n;
                    }
            if (has("pids"))
                for (const std::string& base : v1_dirs("pids"))
                    if (auto v = read(base + dir + "/pids.max")) {
                        std::int64_t n = 0;
                        if (*v != "max" && to_int(*v, n) && !limits.pids) limits.pids = n;
                    }
            if (has("cpu"))
                for (const std::string& base : v1_dirs("cpu"))
                    if (auto v = read(base + dir + "/cpu.cfs_quota_us")) {
                        std::int64_t n = 0;
                        if (to_int(*v, n) && n > 0 && !limits.cpu) {
                            auto period = read(base + dir + "/cpu.cfs_period_us");
                            limits.cpu = std::to_string(n) + "/" + (period ? *period : "100000");
                        }
                    }
        }
    }
    std::sort(limits.sources.begin(), limits.sources.end());
    limits.sources.erase(std::unique(limits.sources.begin(), limits.sources.end()), limits.sources.end());
    return limits;
}

std::vector<std::string> sensitive_mounts(const std::vector<MountEntry>& mounts) {
    static const std::set<std::string_view> kSockets = {"docker.sock", "containerd.sock", "crio.sock",
                                                        "podman.sock", "dockershim.sock", "cri-dockerd.sock"};
    static const std::set<std::string_view> kHostPaths = {"/", "/etc", "/root", "/boot", "/run", "/var/run",
                                                          "/var/lib/docker", "/var/lib/containerd", "/var/lib/kubelet", "/home", "/usr"};
    std::set<std::string> out;
    auto base = [](std::string_view p) { return p.substr(p.rfind('/') + 1); };
    for (const MountEntry& m : mounts) {
        if (kSockets.count(base(m.mount_point)) || kSockets.count(base(m.root)))
            out.insert("engine-socket " + m.mount_point);
        else if (!virtual_fs(m.fstype) && m.mount_point != "/" && kHostPaths.count(m.root))
            out.insert("host-path " + m.root + " of " + m.source + " on " + m.mount_point);
        if (m.fstype == "devtmpfs") out.insert("device-fs " + m.mount_point);
    }
    for (const char* path : {"/proc/sys", "/sys"}) {
        const MountEntry* m = covering_mount(mounts, path);
        if (m && m->read_write() && (m->fstype == "proc" || m->fstype == "sysfs")) out.insert("writable-kernel-fs " + std::string(path));
    }
    return {out.begin(), out.end()};
}

namespace {

// Fills the facts one or more processes (the members of one container) share.
std::string fill_members(Fact& f, const std::vector<const ProcessIsolation*>& members, const CollectContext& ctx, unsigned last_cap) {
    const ProcessIsolation& first = *members.front();
    // Without its cgroups the limits cannot be judged, and without its uid_map whether its
    // root is the host's: an error for the container, never a guess.
    if (!first.cgroup_error.empty()) return "cannot read its cgroups: " + first.cgroup_error;
    if (!first.uid_map_error.empty()) return "cannot read its user mapping: " + first.uid_map_error;
    auto put = [&f](IsolationField k, Value v) { f.fields[k] = std::move(v); };
    put(kIsoCgroup, Value{first.cgroup_path()});
    StringList pids;
    for (const ProcessIsolation* p : members)
        if (pids.size() < kMaxListedPids) pids.push_back(std::to_string(p->pid) + " " + p->name);
    put(kIsoPids, Value{pids});

    const ContainerRef ref = first.container();
    const auto own = first.own_namespaces();
    auto owns = [&own](const char* t) { return std::find(own.begin(), own.end(), t) != own.end(); };
    put(kIsoInContainer, Value{!ref.engine.empty() || owns("pid") || owns("mnt") || owns("user") || owns("cgroup")});
    put(kIsoOwnNamespaces, Value{StringList(own)});
    put(kIsoHostNamespaces, Value{StringList(first.host_namespaces())});
    auto host = [&first](const char* t, IsolationField k, Fact& fact) {
        auto it = first.namespaces.find(t);
        if (it != first.namespaces.end()) fact.fields[k] = Value{it->second == *initial_namespace_inode(t)};
    };
    host("pid", kIsoHostPid, f);
    host("net", kIsoHostNet, f);
    host("ipc", kIsoHostIpc, f);
    host("uts", kIsoHostUts, f);
    if (first.namespaces.count("user")) {
        const bool userns = owns("user");
        put(kIsoUserNamespace, Value{userns});
        if (!userns) put(kIsoRootIsHostRoot, Value{true});
        else if (first.uid_map_error.empty()) put(kIsoRootIsHostRoot, Value{first.root_is_host_root()});
    }
    std::string map;
    for (const IdMapRange& r : first.uid_map)
        map += (map.empty() ? "" : ";") + std::to_string(r.inside) + " " + std::to_string(r.outside) + " " + std::to_string(r.count);
    if (first.uid_map_error.empty()) put(kIsoUidMap, Value{map});

    std::uint64_t bounding = 0;
    bool caps_known = true, nnp_all = true, nnp_known = true, confined = true;
    int weakest = -1;  // -1 unknown, 0 disabled, 2 filter, 1 strict
    for (const ProcessIsolation* p : members) {
        // A set-id program can raise a process to its bounding set, so the bounding set is
        // what the container can hold; the effective and permitted sets are included in
        // case a kernel or fixture shows more there.
        if (p->cap_bnd) bounding |= *p->cap_bnd | p->cap_eff.value_or(0) | p->cap_prm.value_or(0);
        else caps_known = false;
        if (p->no_new_privs) nnp_all = nnp_all && *p->no_new_privs;
        else nnp_known = false;
        if (p->seccomp) {
            const int rank = *p->seccomp == 0 ? 0 : *p->seccomp == 2 ? 1 : 2;
            weakest = weakest < 0 ? rank : std::min(weakest, rank);
        }
        if (!p->lsm_label || p->lsm_label->find("unconfined") != std::string::npos || *p->lsm_label == "kernel" ||
            p->lsm_label->find("spc_t") != std::string::npos)
            confined = false;
    }
    if (caps_known) {
        put(kIsoCapabilities, Value{StringList(capability_names(bounding))});
        put(kIsoDangerousCaps, Value{StringList(dangerous_capability_names(bounding))});
        const std::uint64_t full = last_cap >= 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (last_cap + 1)) - 1;
        put(kIsoPrivileged, Value{(bounding & full) == full});
    }
    if (weakest >= 0) put(kIsoSeccomp, Value{std::string(weakest == 0 ? "disabled" : weakest == 1 ? "filter" : "strict")});
    if (nnp_known) put(kIsoNoNewPrivs, Value{nnp_all});
    if (first.lsm_label) put(kIsoLsmLabel, Value{*first.lsm_label});
    put(kIsoLsmConfined, Value{confined});

    if (ctx.sys) {
        const CgroupLimits l = read_cgroup_limits(*ctx.sys, first);
        if (!l.error.empty()) return "cannot read its cgroup limits: " + l.error;
        if (l.memory) put(kIsoMemoryLimit, Value{*l.memory});
        if (l.pids) put(kIsoPidsLimit, Value{*l.pids});
        put(kIsoMemoryLimited, Value{l.memory.has_value()});
        put(kIsoPidsLimited, Value{l.pids.has_value()});
        put(kIsoCpuLimited, Value{l.cpu.has_value()});
        put(kIsoLimitsFrom, Value{StringList(l.sources)});
    }

    auto mountinfo = ctx.proc->read_file(std::to_string(first.pid) + "/mountinfo", kMaxMountinfo);
    if (!mountinfo) return "cannot read its mounts: " + mountinfo.error().describe();
    {
        const auto mounts = parse_mountinfo(*mountinfo);
        const auto sensitive = sensitive_mounts(mounts);
        auto any = [&sensitive](std::string_view kind) {
            return std::any_of(sensitive.begin(), sensitive.end(), [&](const std::string& s) { return s.starts_with(kind); });
        };
        put(kIsoSensitiveMounts, Value{StringList(sensitive)});
        put(kIsoEngineSocket, Value{any("engine-socket ")});
        put(kIsoWritableKernelFs, Value{any("writable-kernel-fs ")});
        put(kIsoHostPathMounts, Value{any("host-path ")});
        put(kIsoDeviceMounts, Value{any("device-fs ")});
        if (const MountEntry* root = covering_mount(mounts, "/")) put(kIsoRootfsWritable, Value{root->read_write()});
    }
    return {};
}

FactSet collect_containers(const CollectContext& ctx, const SelectArgs&) {
    if (!ctx.proc) return {Fact::not_applicable("containers", "needs the running system (/proc)")};
    const IsolationTable table = read_isolation_table(*ctx.proc, ctx.cancel);
    const unsigned last_cap = last_capability(*ctx.proc);
    FactSet out;
    // Container key → members, in pid order; the first member stands for the container.
    std::map<std::string, std::vector<const ProcessIsolation*>> groups;
    std::map<std::string, ContainerRef> refs;
    // For a process whose ns links the kernel hides, the namespaces that decide whether it
    // is a container can still be told from files it does show: NSpid with one entry puts
    // it in the reader's pid namespace, and a mountinfo with the reader's mount ids in the
    // reader's mount namespace. Only when the reader itself is in the initial ones does
    // that make the hidden process a host process.
    std::optional<ProcessIsolation> self;
    if (auto s = read_process_isolation(*ctx.proc, "self"); s && s->namespace_error.empty()) self = std::move(*s);
    std::vector<std::uint64_t> self_mounts;
    if (auto mi = ctx.proc->read_file("self/mountinfo", kMaxMountinfo)) self_mounts = mount_ids(*mi);
    const bool self_on_host = self && !self_mounts.empty() && self->namespaces.count("pid") && self->namespaces.count("mnt") &&
                              self->own_namespaces().empty();
    auto hidden_on_host = [&](const ProcessIsolation& p) {
        if (!self_on_host || p.pid_levels != 1) return false;
        auto mi = ctx.proc->read_file(std::to_string(p.pid) + "/mountinfo", kMaxMountinfo);
        return mi && mount_ids(*mi) == self_mounts;
    };
    for (const ProcessIsolation& p : table.processes) {
        if (p.kernel_thread) continue;  // kernel threads (kdevtmpfs has a mount namespace of its own) are not containers
        const ContainerRef ref = p.container();
        if (!ref.engine.empty()) {
            const std::string key = ref.engine + " " + ref.id;
            groups[key].push_back(&p);
            refs[key] = ref;
            continue;
        }
        if (!p.namespace_error.empty() && hidden_on_host(p)) continue;
        if (!p.namespace_error.empty()) {
            // The kernel hides its namespaces (EACCES on /proc/PID/ns): whether it is
            // isolated cannot be told, and it is not passed over in silence.
            out.push_back(Fact::error(std::to_string(p.pid) + " " + p.name,
                                      "cannot tell which namespaces this process is in: " + p.namespace_error));
            continue;
        }
        const auto own = p.own_namespaces();
        auto owns = [&own](const char* t) { return std::find(own.begin(), own.end(), t) != own.end(); };
        if (!owns("pid") && !owns("mnt")) continue;  // the host itself
        auto ns = [&p](const char* t) {
            auto it = p.namespaces.find(t);
            return std::string(t) + ":[" + (it == p.namespaces.end() ? std::string("?") : std::to_string(it->second)) + "]";
        };
        const std::string key = "namespaces " + ns("pid") + " " + ns("mnt");
        groups[key].push_back(&p);
        refs[key] = ContainerRef{"namespaces", "", ""};
    }
    for (const auto& [pid, reason] : table.unreadable) out.push_back(Fact::error(std::to_string(pid), reason));
    for (const auto& [key, members] : groups) {
        if (ctx.cancelled()) break;
        const ContainerRef& ref = refs[key];
        Fact f;
        f.object = ref.engine == "namespaces" ? key : ref.name();
        f.fields.resize(kIsoFieldCount);
        f.fields[kIsoName] = Value{f.object};
        f.fields[kIsoEngine] = Value{ref.engine};
        if (!ref.id.empty()) f.fields[kIsoId] = Value{ref.id};
        if (!ref.pod.empty()) f.fields[kIsoPod] = Value{ref.pod};
        if (std::string err = fill_members(f, members, ctx, last_cap); !err.empty()) out.push_back(Fact::error(f.object, err));
        else out.push_back(std::move(f));
    }
    return out;
}

FactSet collect_self(const CollectContext& ctx, const SelectArgs&) {
    if (!ctx.proc) return {Fact::not_applicable("self", "needs the running system (/proc)")};
    auto self = read_process_isolation(*ctx.proc, "self");
    if (!self) return {Fact::error("self", self.error().describe())};
    if (!self->namespace_error.empty())
        return {Fact::error("self", "cannot read this process's namespaces: " + self->namespace_error)};
    Fact f;
    f.object = "self";
    f.fields.resize(kIsoFieldCount);
    const ContainerRef ref = self->container();
    f.fields[kIsoName] = Value{ref.engine.empty() ? std::to_string(self->pid) + " " + self->name : ref.name()};
    if (!ref.engine.empty()) f.fields[kIsoEngine] = Value{ref.engine};
    if (!ref.id.empty()) f.fields[kIsoId] = Value{ref.id};
    if (!ref.pod.empty()) f.fields[kIsoPod] = Value{ref.pod};
    if (std::string err = fill_members(f, {&*self}, ctx, last_capability(*ctx.proc)); !err.empty()) return {Fact::error("self", err)};
    return {f};
}

}  // namespace

const CollectorEntry kContainersCollector{
    "containers", Scope::host, kFields, {}, collect_containers,
    "each container on the host: namespaces, capabilities, seccomp, LSM, user mapping, cgroup limits, mounts\n"
    "\n"
    "One object per container, found from /proc alone (no container engine is asked): "
    "processes are grouped by the container their cgroup path names (docker, containerd, "
    "CRI-O, podman, LXC, systemd-nspawn, Kubernetes pods), or by their pid and mount "
    "namespaces when no path names one. Namespaces are compared with the kernel's initial "
    "ones (fixed inode numbers); limits are read from the cgroup files in /sys (v1 and v2), "
    "mounts from the first process's mountinfo. A process whose namespaces the kernel hides "
    "(EACCES on /proc/PID/ns) is an error naming it. No container: no object.",
};

const CollectorEntry kSelfCollector{
    "self", Scope::host, kFields, {}, collect_self,
    "the isolation of the process triad runs in: the same facts as `containers`\n"
    "\n"
    "One object, \"self\", from /proc/self: so a scan run inside a container audits that "
    "container (its namespaces, capabilities, seccomp, NoNewPrivs, LSM label, user mapping, "
    "cgroup limits and mounts). `in_container` tells whether it is in one.",
};

}  // namespace triad::scanner
