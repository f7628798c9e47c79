// SPDX-License-Identifier: Apache-2.0
// Running processes with their MAC (SELinux or AppArmor) label, for the collectors that ask
// which listening daemons run unconfined. Builds on proc_table's process and socket reading.
// Host scope.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/sysroot.h"

namespace triad::scanner {

struct MacProcess {
    int pid = 0;
    std::string name;
    std::string exe;
    std::string label;                 // "" when no attr file gave one
    std::vector<std::string> sockets;  // "tcp 0.0.0.0:22"
    bool listens_on_network = false;   // some socket is not bound to loopback only
};

// User-space processes; `label_files` are tried in order below /proc/PID.
std::vector<MacProcess> read_mac_processes(const Sysroot& proc, const std::vector<std::string>& label_files);

// "tcp 127.0.0.1:631", "tcp6 [0:0:0:0:0:0:0:1]:25" (::1), IPv4-mapped 127/8: loopback only.
bool is_loopback_socket(std::string_view describe);

}  // namespace triad::scanner
