// SPDX-License-Identifier: Apache-2.0
// The `listeners` collector: every listening socket (TCP in LISTEN, UDP bound without a
// peer) of every network namespace, from /proc/net/{tcp,tcp6,udp,udp6}, with the processes
// that hold it (matched through /proc/PID/fd inodes) and how those are confined: user,
// capabilities, seccomp, NoNewPrivs, LSM label, container. A socket no process can be
// found for — typically because the kernel hides /proc/PID/fd of a process with more
// capabilities than the reader — is reported as unattributed, with the processes whose
// descriptors were hidden, never dropped. Host scope.
#pragma once

#include "scanner/core/collector.h"

namespace triad::scanner {

enum ListenerField : std::size_t {
    kLsnProto, kLsnAddress, kLsnPort, kLsnLoopback, kLsnInode, kLsnAttributed, kLsnProcesses, kLsnExe, kLsnUid,
    kLsnRoot, kLsnCapabilities, kLsnSeccomp, kLsnNoNewPrivs, kLsnLsmLabel, kLsnContainer, kLsnHiddenProcesses,
    kLsnPie, kLsnRelro, kLsnCanary, kLsnNx, kLsnHardeningError,
    kLsnFieldCount
};

extern const CollectorEntry kListenersCollector;

}  // namespace triad::scanner
