// SPDX-License-Identifier: Apache-2.0
// The running processes as a proc tree shows them (the host's /proc, or a fixture shaped
// like it): name, ids, the binary behind /proc/PID/exe, seccomp and NoNewPrivs from
// /proc/PID/status, and the network sockets each one listens on. Host scope; read only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/sysroot.h"

namespace triad::scanner {

// A socket accepting traffic: TCP in LISTEN, or UDP bound without a peer.
struct ListeningSocket {
    std::string proto;  // tcp, tcp6, udp, udp6
    std::string local;  // "0.0.0.0:22", "[::]:53"
    std::uint64_t inode = 0;
    bool loopback = false;  // 127.0.0.0/8, ::1 or ::ffff:127.x: reachable from this host only
    std::string describe() const { return proto + " " + local; }
};

struct ProcessInfo {
    int pid = 0;
    std::string name;         // Name: from status (the kernel's comm)
    std::string exe;          // /proc/PID/exe target; empty for kernel threads
    bool exe_deleted = false; // the kernel marked the target " (deleted)"
    std::string exe_error;    // why exe could not be read (not for kernel threads)
    std::optional<std::int64_t> uid;  // real uid
    std::optional<int> seccomp;       // 0 disabled, 1 strict, 2 filter; absent: kernel without seccomp
    std::optional<bool> no_new_privs;
    std::vector<std::string> listening;  // ListeningSocket::describe() of each, sorted
    bool listens_on_network = false;     // some listening socket is not loopback-only
    std::vector<std::uint64_t> sockets;  // inode of every socket among its descriptors, sorted
    std::string fd_error;                // why /proc/PID/fd could not be read (the kernel hides it)
};

// The processes and every listening socket of every network namespace they are in.
struct ProcessTable {
    std::vector<ProcessInfo> processes;
    std::vector<ListeningSocket> listening;  // by inode
};

// Parses one of /proc/net/{tcp,tcp6,udp,udp6}; `proto` is the file's name.
std::vector<ListeningSocket> parse_proc_net(std::string_view text, std::string_view proto);

// "0100007F:0016" (IPv4) or a 32-hex-digit IPv6 address with port, as the kernel prints
// them (each 32-bit word in host byte order), to "127.0.0.1:22" / "[::1]:22".
std::string decode_socket_address(std::string_view hex, bool little_endian_host = true);

// Seccomp mode number to the name `proc(5)` uses.
const char* seccomp_mode_name(int mode);

// Every process of the proc tree; threads are not listed separately. Processes that
// vanish while being read are left out.
std::vector<ProcessInfo> read_processes(const Sysroot& proc);
ProcessTable read_process_table(const Sysroot& proc);

// The binaries (exe targets, " (deleted)" removed) of processes listening on a network
// (not loopback-only) address, each with everything it listens on.
std::map<std::string, std::vector<std::string>> listening_binaries(const std::vector<ProcessInfo>& processes);

}  // namespace triad::scanner
