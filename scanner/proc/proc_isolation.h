// SPDX-License-Identifier: Apache-2.0
// What isolates one process, as its proc directory shows it: the namespaces it is in (the
// inode of each /proc/PID/ns/* link, compared with the kernel's initial namespaces), its
// cgroups, capability sets, seccomp mode, NoNewPrivs, LSM label and user-namespace id
// mapping, and the container its cgroup path names (docker, containerd, CRI-O, podman, LXC,
// systemd-nspawn, Kubernetes). Shared by the `virt`, `containers`, `self` and `listeners`
// collectors. Host scope; read only, nothing asks a container engine.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/cancel.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

// The namespace types /proc/PID/ns lists, in a fixed order.
inline constexpr const char* kNamespaceTypes[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};

// The inode the kernel gives its initial namespace of `type`: ipc, uts, user, pid, cgroup
// and time have had fixed numbers for long (include/linux/proc_ns.h); mnt and net got them
// in Linux 6.18. nullopt for an unknown type.
std::optional<std::uint64_t> initial_namespace_inode(std::string_view type);

// "net:[4026531833]" → 4026531833; nullopt if the link text is not of that shape.
std::optional<std::uint64_t> parse_namespace_link(std::string_view link);

struct CgroupEntry {
    std::string hierarchy;    // "4" (v1) or "0" (v2)
    std::string controllers;  // "memory", "cpu,cpuacct", "name=systemd"; empty for v2
    std::string path;         // "/docker/<id>"
};
std::vector<CgroupEntry> parse_cgroup_file(std::string_view text);

// One line of uid_map / gid_map: `count` ids from `inside` map to `outside` in the parent
// user namespace.
struct IdMapRange {
    std::uint64_t inside = 0, outside = 0, count = 0;
};
std::vector<IdMapRange> parse_id_map(std::string_view text);

// The container a cgroup path names. engine is empty when the path names none.
struct ContainerRef {
    std::string engine;  // docker, containerd, cri-o, podman, lxc, systemd-nspawn
    std::string id;      // the engine's id (64 hex digits) or the machine/container name
    std::string pod;     // Kubernetes pod uid, when the path is a kubepods one
    std::string name() const;  // "docker 0123456789ab", "kubernetes pod <uid> (containerd 0123456789ab)"
};
ContainerRef classify_cgroup_path(std::string_view path);

// Capability number → name ("sys_admin"), and the names of the bits set in a mask.
std::string capability_name(unsigned bit);
std::vector<std::string> capability_names(std::uint64_t mask);
// The capabilities whose holder can escape or take over the host from a container.
std::vector<std::string> dangerous_capability_names(std::uint64_t mask);
// The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap), or 40.
unsigned last_capability(const Sysroot& proc);

struct ProcessIsolation {
    int pid = 0;
    int ppid = 0;
    std::string name;
    bool kernel_thread = false;  // Kthread: 1, or a child of kthreadd (pid 2)
    int pid_levels = 0;          // entries of NSpid: 1 when in the reader's pid namespace
    std::optional<std::int64_t> uid;
    std::map<std::string, std::uint64_t> namespaces;  // type → inode of every readable link
    std::string namespace_error;                      // why the links could not be read (EACCES: hidden)
    std::vector<CgroupEntry> cgroups;
    std::string cgroup_error;
    std::optional<std::uint64_t> cap_eff, cap_prm, cap_bnd, cap_amb;
    std::optional<int> seccomp;
    std::optional<bool> no_new_privs;
    std::optional<std::string> lsm_label;  // /proc/PID/attr/current; absent: no LSM sets one
    std::vector<IdMapRange> uid_map;
    std::string uid_map_error;

    // The cgroup path that names a container, else the v2 path, else the first v1 one.
    std::string cgroup_path() const;
    ContainerRef container() const { return classify_cgroup_path(cgroup_path()); }
    // Namespace types whose inode differs from the initial one (the process has its own).
    std::vector<std::string> own_namespaces() const;
    // Namespace types it shares with the initial (host) namespaces.
    std::vector<std::string> host_namespaces() const;
    // uid 0 inside maps to uid 0 of the initial user namespace.
    bool root_is_host_root() const;
};

// Reads /proc/DIR (DIR is a pid or "self"). An error when the process is gone or its
// status unreadable; parts the kernel hides (ns links, attr) are recorded per part.
Result<ProcessIsolation> read_process_isolation(const Sysroot& proc, const std::string& dir);

// Every process of the proc tree that could be read, and the error of each that could not.
struct IsolationTable {
    std::vector<ProcessIsolation> processes;
    std::vector<std::pair<int, std::string>> unreadable;  // pid, reason
};
IsolationTable read_isolation_table(const Sysroot& proc, const CancelToken* cancel = nullptr);

// One mount of /proc/PID/mountinfo.
struct MountEntry {
    std::string root;         // the path inside its file system that is mounted
    std::string mount_point;
    std::string options;      // per-mount: "rw,nosuid,nodev"
    std::string fstype;
    std::string source;
    std::string super_options;
    bool has_option(std::string_view opt) const;  // in the per-mount options
    bool read_write() const { return has_option("rw"); }
};
std::vector<MountEntry> parse_mountinfo(std::string_view text);
// The mount ids (first column) of a mountinfo, sorted: two processes with the same ids see
// the same mounts, which a new mount namespace never does (its copies get new ids).
std::vector<std::uint64_t> mount_ids(std::string_view mountinfo);

}  // namespace triad::scanner
