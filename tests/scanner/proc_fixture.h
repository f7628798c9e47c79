// SPDX-License-Identifier: Apache-2.0
// A fixture tree shaped like /proc for host-scope collectors: processes with status files,
// exe links, fd links to sockets, network namespaces with tcp/udp tables, /proc/sys values
// and cpuinfo. Symlinks are written as the kernel shows them ("socket:[123]", "/usr/sbin/x").
#pragma once

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace triad::test {

struct FixtureProcess {
    int pid = 0;
    std::string name;
    std::string exe;                      // link target; empty: a kernel thread (no exe link)
    int uid = 0;
    int seccomp = 0;                      // -1: no Seccomp line
    int no_new_privs = 0;
    std::vector<unsigned long> sockets;   // inodes behind fd links
    std::string netns = "net:[4026531840]";
};

class ProcFixture {
public:
    const std::string& path() const { return dir_.path(); }

    void add(const FixtureProcess& p) {
        const std::string base = dir_ / std::to_string(p.pid);
        std::string status = "Name:\t" + p.name + "\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t" + std::to_string(p.pid) +
                             "\nPid:\t" + std::to_string(p.pid) + "\nUid:\t" + std::to_string(p.uid) + "\t" +
                             std::to_string(p.uid) + "\t" + std::to_string(p.uid) + "\t" + std::to_string(p.uid) +
                             "\nNoNewPrivs:\t" + std::to_string(p.no_new_privs) + "\n";
        if (p.seccomp >= 0) status += "Seccomp:\t" + std::to_string(p.seccomp) + "\nSeccomp_filters:\t0\n";
        write_file(base + "/status", status);
        make_dirs(base + "/fd");
        make_dirs(base + "/ns");
        if (!p.exe.empty()) ::symlink(p.exe.c_str(), (base + "/exe").c_str());
        ::symlink(p.netns.c_str(), (base + "/ns/net").c_str());
        int fd = 3;
        for (unsigned long inode : p.sockets)
            ::symlink(("socket:[" + std::to_string(inode) + "]").c_str(), (base + "/fd/" + std::to_string(fd++)).c_str());
        ::symlink("/dev/null", (base + "/fd/0").c_str());
    }

    // One line of /proc/net/{tcp,udp}{,6}: addresses as the kernel prints them.
    static std::string socket_line(int slot, const std::string& local, const std::string& remote, const char* state,
                                   unsigned long inode) {
        char buf[512];
        std::snprintf(buf, sizeof buf, "%4d: %s %s %s 00000000:00000000 00:00000000 00000000     0        0 %lu 1 0000000000000000 100 0 0 10 0\n",
                      slot, local.c_str(), remote.c_str(), state, inode);
        return buf;
    }

    // Writes a net table at DIR/net/TABLE (DIR "" is the top-level /proc/net).
    void net_table(const std::string& dir, const std::string& table, const std::vector<std::string>& lines) {
        std::string text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
        for (const auto& l : lines) text += l;
        write_file((dir.empty() ? dir_.path() : dir_ / dir) + "/net/" + table, text);
    }

    void sysctl(const std::string& path, const std::string& value) { write_file(dir_ / ("sys/" + path), value + "\n"); }
    void cpuinfo(const std::string& text) { write_file(dir_ / "cpuinfo", text); }

private:
    TempDir dir_;
};

}  // namespace triad::test
