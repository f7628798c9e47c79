// SPDX-License-Identifier: Apache-2.0
// Reads the process table from a proc tree (see proc_table.h). Sockets are matched to
// processes by inode: /proc/PID/fd/N reads "socket:[INODE]", and the net tables of each
// network namespace list which inodes listen.
#include "base/file_read.h"
#include "scanner/proc/proc_table.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <set>

#include "scanner/config/config_file.h"
#include "scanner/proc/proc_files.h"

namespace triad::scanner {
namespace {

constexpr std::size_t kMaxStatusBytes = 64 * 1024;
constexpr std::size_t kMaxNetTableBytes = 64 * 1024 * 1024;  // ~400k sockets
constexpr const char* kNetTables[] = {"tcp", "tcp6", "udp", "udp6"};

bool parse_hex(std::string_view s, std::uint64_t& out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), out, 16);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

void parse_status(std::string_view text, ProcessInfo& p) {
    // "Key:<TAB>value" lines; numeric ones start with the number that matters.
    for (const ConfigEntry& e : parse_config(text, ConfigSyntax{ConfigSeparator::colon, false, ""})) {
        if (e.key == "Name") {
            p.name = e.value;
            continue;
        }
        auto fields = split_proc_words(e.value);
        if (fields.empty()) continue;
        std::int64_t n = 0;
        auto r = std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), n);
        if (r.ec != std::errc()) continue;
        if (e.key == "Uid") p.uid = n;
        else if (e.key == "Seccomp") p.seccomp = static_cast<int>(n);
        else if (e.key == "NoNewPrivs") p.no_new_privs = n != 0;
    }
}

using SocketTable = std::map<std::uint64_t, ListeningSocket>;

void add_net_tables(const Sysroot& proc, const std::string& dir, SocketTable& sockets) {
    for (const char* table : kNetTables) {
        auto text = proc.read_file(dir + "/" + table, kMaxNetTableBytes);
        if (!text) continue;  // no IPv6, or the namespace is gone
        for (ListeningSocket& s : parse_proc_net(*text, table)) sockets.emplace(s.inode, std::move(s));
    }
}

}  // namespace

const char* seccomp_mode_name(int mode) {
    switch (mode) {
        case 0: return "disabled";
        case 1: return "strict";
        case 2: return "filter";
    }
    return "unknown";
}

namespace {

// The address bytes (4 or 16) and port of a kernel-printed "HEX:PORT"; false if malformed.
bool address_bytes(std::string_view hex, bool little_endian_host, std::vector<unsigned char>& bytes, std::uint64_t& port) {
    const std::size_t colon = hex.find(':');
    if (colon == std::string_view::npos) return false;
    std::string_view addr = hex.substr(0, colon);
    if (!parse_hex(hex.substr(colon + 1), port) || (addr.size() != 8 && addr.size() != 32)) return false;
    // The kernel prints each 32-bit word of the address as a host-order integer.
    bytes.clear();
    for (std::size_t w = 0; w < addr.size(); w += 8) {
        std::uint64_t word = 0;
        if (!parse_hex(addr.substr(w, 8), word)) return false;
        for (int i = 0; i < 4; ++i) {
            const int shift = little_endian_host ? 8 * i : 8 * (3 - i);
            bytes.push_back(static_cast<unsigned char>(word >> shift));
        }
    }
    return true;
}

bool loopback_bytes(const std::vector<unsigned char>& b) {
    if (b.size() == 4) return b[0] == 127;
    static const unsigned char kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::equal(b.begin(), b.end(), kLoopback6) || (std::equal(kMapped, kMapped + 12, b.begin()) && b[12] == 127);
}

}  // namespace

std::string decode_socket_address(std::string_view hex, bool little_endian_host) {
    std::vector<unsigned char> bytes;
    std::uint64_t port = 0;
    if (!address_bytes(hex, little_endian_host, bytes, port)) return std::string(hex);
    char text[INET6_ADDRSTRLEN] = {};
    const bool v4 = bytes.size() == 4;
    ::inet_ntop(v4 ? AF_INET : AF_INET6, bytes.data(), text, sizeof text);
    return v4 ? std::string(text) + ":" + std::to_string(port) : "[" + std::string(text) + "]:" + std::to_string(port);
}

std::vector<ListeningSocket> parse_proc_net(std::string_view text, std::string_view proto) {
    std::vector<ListeningSocket> out;
    const bool tcp = proto.starts_with("tcp");
    const bool little = std::endian::native == std::endian::little;
    std::size_t pos = text.find('\n');  // the first line is the column header
    while (pos != std::string_view::npos && pos < text.size()) {
        std::size_t end = text.find('\n', pos + 1);
        std::string_view line = text.substr(pos + 1, end == std::string_view::npos ? std::string_view::npos : end - pos - 1);
        pos = end;
        auto f = split_proc_words(line);
        if (f.size() < 10) continue;
        std::uint64_t state = 0, inode = 0;
        if (!parse_hex(f[3], state)) continue;
        if (std::from_chars(f[9].data(), f[9].data() + f[9].size(), inode).ec != std::errc() || inode == 0) continue;
        // TCP_LISTEN is 0x0A; an unconnected bound UDP socket sits in TCP_CLOSE (0x07).
        const bool remote_unset = f[2].ends_with(":0000");
        if (tcp ? state != 0x0A : (state != 0x07 || !remote_unset)) continue;
        ListeningSocket s{std::string(proto), decode_socket_address(f[1], little), inode};
        std::vector<unsigned char> bytes;
        std::uint64_t port = 0;
        s.loopback = address_bytes(f[1], little, bytes, port) && loopback_bytes(bytes);
        out.push_back(std::move(s));
    }
    return out;
}

ProcessTable read_process_table(const Sysroot& proc) {
    ProcessTable table;
    std::vector<ProcessInfo>& out = table.processes;
    auto root = proc.open_path("/", O_RDONLY | O_DIRECTORY, /*follow_final=*/true);
    if (!root) return table;
    std::vector<int> pids;
    for (const std::string& name : list_proc_dir(root->get()))
        if (all_digits(name) && name.size() < 10) pids.push_back(std::stoi(name));
    std::sort(pids.begin(), pids.end());

    // Sockets of every network namespace a process is in, and of the reader's own.
    SocketTable sockets;
    add_net_tables(proc, "/net", sockets);
    std::set<std::string> namespaces;
    for (int pid : pids) {
        auto ns = proc.read_link(std::to_string(pid) + "/ns/net");
        if (ns && namespaces.insert(*ns).second) add_net_tables(proc, "/" + std::to_string(pid) + "/net", sockets);
    }
    for (auto& [inode, s] : sockets) table.listening.push_back(s);

    for (int pid : pids) {
        const std::string dir = std::to_string(pid);
        auto dfd = proc.open_path(dir, O_RDONLY | O_DIRECTORY, /*follow_final=*/false);
        if (!dfd) continue;  // exited
        ProcessInfo p;
        p.pid = pid;
        auto status = read_proc_file_at(dfd->get(), "status", kMaxStatusBytes, proc.display(dir + "/status"));
        if (!status) continue;
        parse_status(*status, p);
        if (auto exe = read_proc_link_at(dfd->get(), "exe")) {
            constexpr std::string_view kDeleted = " (deleted)";
            if (exe->size() > kDeleted.size() && exe->ends_with(kDeleted)) {
                exe->resize(exe->size() - kDeleted.size());
                p.exe_deleted = true;
            }
            p.exe = std::move(*exe);
        } else if (errno != ENOENT) {  // ENOENT: a kernel thread has no binary
            p.exe_error = error_from_errno(errno, proc.display(dir + "/exe")).message;
        }
        UniqueFd fds(::openat(dfd->get(), "fd", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!fds.valid()) {
            // EACCES here is the kernel hiding the process's descriptors (a process with
            // capabilities the reader lacks): its sockets cannot be attributed to it.
            if (errno != ENOENT) p.fd_error = error_from_errno(errno, proc.display(dir + "/fd")).message;
        } else {
            std::set<std::string> listening;
            std::set<std::uint64_t> inodes;
            for (const std::string& n : list_proc_dir(fds.get())) {
                auto target = read_proc_link_at(fds.get(), n.c_str());
                if (!target) {
                    if (errno == EACCES || errno == EPERM) p.fd_error = error_from_errno(errno, proc.display(dir + "/fd/" + n)).message;
                    continue;
                }
                if (!target->starts_with("socket:[") || target->back() != ']') continue;
                std::uint64_t inode = 0;
                auto digits = std::string_view(*target).substr(8, target->size() - 9);
                if (std::from_chars(digits.data(), digits.data() + digits.size(), inode).ec != std::errc()) continue;
                inodes.insert(inode);
                if (auto it = sockets.find(inode); it != sockets.end()) {
                    listening.insert(it->second.describe());
                    p.listens_on_network = p.listens_on_network || !it->second.loopback;
                }
            }
            p.listening.assign(listening.begin(), listening.end());
            p.sockets.assign(inodes.begin(), inodes.end());
        }
        out.push_back(std::move(p));
    }
    return table;
}

std::vector<ProcessInfo> read_processes(const Sysroot& proc) { return read_process_table(proc).processes; }

std::map<std::string, std::vector<std::string>> listening_binaries(const std::vector<ProcessInfo>& processes) {
    std::map<std::string, std::vector<std::string>> out;
    for (const ProcessInfo& p : processes) {
        if (p.exe.empty() || !p.listens_on_network) continue;
        auto& list = out[p.exe];
        list.insert(list.end(), p.listening.begin(), p.listening.end());
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
    }
    return out;
}

}  // namespace triad::scanner
