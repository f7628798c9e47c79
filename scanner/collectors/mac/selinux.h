// SPDX-License-Identifier: Apache-2.0
// The SELinux collectors (libselinux):
//   selinux            — configured mode and policy type from the audited root's
//                        /etc/selinux/config, live mode from selinuxfs under the sys root.
//   selinux_files      — each named file's security.selinux label against the label the
//                        audited root's file_contexts expects (restorecon -n, nothing changed).
//   selinux_processes  — host scope: each process's context and whether it listens on the network.
#pragma once

#include <span>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

// The specs of the three collectors are here rather than in selinux.cpp so that a build
// without libselinux (TRIAD_WITH_SELINUX=OFF) still has them: policies that select these
// collectors then load as usual and their checks say the collector is not built
// (left_out() in scanner/core/collector.h). selinux.cpp adds the collect functions; the
// field enums there index these tables in this order.
inline constexpr FieldSpec kSelinuxFields[] = {
    {"config_exists", ValueKind::boolean, "/etc/selinux/config exists in the audited root"},
    {"configured_mode", ValueKind::string, "SELINUX= of /etc/selinux/config: enforcing, permissive or disabled"},
    {"policy_type", ValueKind::string, "SELINUXTYPE= of /etc/selinux/config (targeted, default, mls...)"},
    {"policy_installed", ValueKind::boolean, "a compiled policy exists under /etc/selinux/<policy_type>/policy/"},
    {"enabled", ValueKind::boolean, "live: selinuxfs is present under the sys root; absent without one"},
    {"live_mode", ValueKind::string, "live: enforcing, permissive or disabled; absent without a sys root"},
    {"mode_matches", ValueKind::boolean, "the live mode is the configured one; absent when either is unknown"},
    {"active", ValueKind::boolean, "live: SELinux runs in the kernel (selinuxfs is mounted under the sys root); absent without a sys root"},
    {"active_reason", ValueKind::string, "live: what `active` was decided from"},
};

inline constexpr FieldSpec kSelinuxFileFields[] = {
    {"path", ValueKind::string, "path inside the audited root"},
    {"exists", ValueKind::boolean, "the path exists"},
    {"context", ValueKind::string, "the security.selinux label; absent when the file has none"},
    {"type", ValueKind::string, "the type of that label (etc_t)"},
    {"expected", ValueKind::string, "the label file_contexts gives this path; absent when no entry matches or it says <<none>>"},
    {"expected_type", ValueKind::string, "the type of the expected label"},
    {"labeled", ValueKind::boolean, "the file carries a security.selinux label"},
    {"customizable", ValueKind::boolean, "its type is in customizable_types: restorecon keeps it without -F"},
    {"relabel", ValueKind::boolean, "restorecon -n would change the type (unlabeled, or another type than expected)"},
};

inline constexpr FieldSpec kSelinuxProcessFields[] = {
    {"pid", ValueKind::integer, "process id"},
    {"comm", ValueKind::string, "process name"},
    {"exe", ValueKind::string, "executable path"},
    {"context", ValueKind::string, "SELinux context from /proc/PID/attr/current"},
    {"type", ValueKind::string, "the domain (type) of that context"},
    {"unconfined", ValueKind::boolean, "the domain is unconfined_t, unconfined_service_t, initrc_t or kernel_t"},
    {"listening", ValueKind::boolean, "listens on a TCP/UDP socket not bound to loopback only"},
    {"sockets", ValueKind::list, "the listening sockets (tcp 0.0.0.0:22)"},
    {"active", ValueKind::boolean, "SELinux runs in the kernel; when it does not, every process is unconfined"},
};

inline constexpr ArgSpec kSelinuxFileArgs[] = {
    {"path", ArgKind::paths, true, "path or glob (or a list of them) whose labels to compare with file_contexts"},
    {"policy_type", ArgKind::string, false, "policy whose file_contexts to use (default: SELINUXTYPE of /etc/selinux/config)"},
};

inline constexpr CollectorEntry kSelinuxCollectorSpec{
    "selinux", Scope::root, kSelinuxFields, {}, nullptr,
    "SELinux configured mode and policy (/etc/selinux/config) against the live mode (selinuxfs)\n"
    "\n"
    "One object, `selinux`: SELINUX= and SELINUXTYPE= of the audited root's "
    "/etc/selinux/config and whether that policy is installed, and, when the scan has a "
    "sys root, the live mode from selinuxfs and whether it is the configured one (absent "
    "otherwise), and whether SELinux is `active` in the running kernel. When neither a "
    "configuration nor a live SELinux exists the collector is not_applicable; an "
    "unreadable /etc/selinux/config is an error.",
};

inline constexpr CollectorEntry kSelinuxFilesCollectorSpec{
    "selinux_files", Scope::root, kSelinuxFileFields, kSelinuxFileArgs, nullptr,
    "SELinux labels of named files against the policy's file_contexts, as restorecon -n\n"
    "\n"
    "One object per path that `path` names (globs expanded inside the audited root, "
    "symlinks not followed): its security.selinux label and the label the policy's "
    "file_contexts gives it, looked up with libselinux as restorecon does, and whether "
    "restorecon would change the type. Nothing is relabelled. Without a configured policy "
    "type, or when its file_contexts is not installed, the collector is not_applicable; a "
    "file whose label cannot be read is an error.",
};

inline constexpr CollectorEntry kSelinuxProcessesCollectorSpec{
    "selinux_processes", Scope::host, kSelinuxProcessFields, {}, nullptr,
    "SELinux domain of each running process and whether it listens on the network\n"
    "\n"
    "One object per process (`PID NAME`), with its context from /proc/PID/attr/current, "
    "its domain, whether that domain is an unconfined one, and the TCP/UDP sockets it "
    "listens on, so a check can find network daemons that run unconfined. Needs the "
    "running system. When /etc/selinux/config asks for SELinux but the kernel does not run "
    "it, every process is reported unconfined (`active: false`); only when SELinux is "
    "neither configured nor running is the collector not_applicable.",
};

// The specs with their collect functions (selinux.cpp).
extern const CollectorEntry kSelinuxCollector;
extern const CollectorEntry kSelinuxFilesCollector;
extern const CollectorEntry kSelinuxProcessesCollector;

std::span<const FieldSpec> selinux_fields();
std::span<const FieldSpec> selinux_file_fields();
std::span<const FieldSpec> selinux_process_fields();

FactSet collect_selinux(const CollectContext& ctx, const SelectArgs& args);
FactSet collect_selinux_files(const CollectContext& ctx, const SelectArgs& args);
FactSet collect_selinux_processes(const CollectContext& ctx, const SelectArgs& args);

}  // namespace triad::scanner
