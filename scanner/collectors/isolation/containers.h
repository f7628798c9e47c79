// SPDX-License-Identifier: Apache-2.0
// The `containers` collector: every container running on the host, found from /proc alone
// (no container engine is asked): processes grouped by the container their cgroup path
// names (docker, containerd, CRI-O, podman, LXC, systemd-nspawn, Kubernetes pods), or, for
// a namespace sandbox no cgroup names, by their pid and mount namespaces. Per container:
// the namespaces it shares with the host, its user mapping, capabilities, seccomp,
// NoNewPrivs, LSM label, cgroup limits (v1 and v2) and sensitive mounts. Host scope.
//
// The `self` collector: the same facts for the process triad runs in, so a scan inside a
// container audits that container's isolation. Host scope, one fact "self".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scanner/core/collector.h"
#include "scanner/proc/proc_isolation.h"

namespace triad::scanner {

enum IsolationField : std::size_t {
    kIsoName, kIsoEngine, kIsoId, kIsoPod, kIsoCgroup, kIsoPids, kIsoInContainer, kIsoOwnNamespaces, kIsoHostNamespaces,
    kIsoHostPid, kIsoHostNet, kIsoHostIpc, kIsoHostUts, kIsoUserNamespace, kIsoRootIsHostRoot, kIsoUidMap,
    kIsoCapabilities, kIsoDangerousCaps, kIsoPrivileged, kIsoSeccomp, kIsoNoNewPrivs, kIsoLsmLabel, kIsoLsmConfined,
    kIsoMemoryLimit, kIsoMemoryLimited, kIsoPidsLimit, kIsoPidsLimited, kIsoCpuLimited, kIsoLimitsFrom,
    kIsoSensitiveMounts, kIsoEngineSocket, kIsoWritableKernelFs, kIsoHostPathMounts, kIsoDeviceMounts,
    kIsoRootfsWritable, kIsoFieldCount
};

// A cgroup limit as the cgroup files state it; absent when nothing limits.
struct CgroupLimits {
    std::optional<std::int64_t> memory, pids;
    std::optional<std::string> cpu;       // "50000/100000" (quota/period)
    std::vector<std::string> sources;     // the files read, as /sys/... paths
    std::string error;                    // a file that exists but could not be read
};
// Reads the limits of the cgroups `p` is in, and of their ancestors, from a sys tree.
CgroupLimits read_cgroup_limits(const Sysroot& sys, const ProcessIsolation& p);

// The sensitive mounts among a mount table: "engine-socket /run/docker.sock",
// "writable-kernel-fs /sys", "host-path / on /host", "device-fs /dev".
std::vector<std::string> sensitive_mounts(const std::vector<MountEntry>& mounts);

extern const CollectorEntry kContainersCollector;
extern const CollectorEntry kSelfCollector;

}  // namespace triad::scanner
