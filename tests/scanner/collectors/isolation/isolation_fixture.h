// SPDX-License-Identifier: Apache-2.0
// Fixture proc and sys trees shaped like a host running containers, for what this machine
// cannot produce (docker, containerd, Kubernetes and LXC cgroup paths, privileged
// containers, cgroup v2 limits): each process gets the files the kernel shows — status
// with its capability sets, ns/* links "TYPE:[INODE]", cgroup, uid_map, attr/current and
// mountinfo — written in the kernel's own format.
#pragma once

#include <unistd.h>

#include <iterator>
#include <map>
#include <vector>
#include <string>

#include "scanner/proc/proc_isolation.h"
#include "tests/test_support.h"

namespace triad::test {

struct FixtureIsolatedProcess {
    int pid = 0;
    std::string name;
    int uid = 0;
    std::map<std::string, std::uint64_t> ns{};  // types not named are in the initial namespace
    std::string cgroup = "0::/\n";
    std::string cap_eff = "000001ffffffffff", cap_bnd = "000001ffffffffff";
    int seccomp = 0, no_new_privs = 0;
    std::string lsm{};                        // attr/current; empty: no label
    std::string uid_map = "         0          0 4294967295\n";
    std::string mountinfo = "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n";
    std::string exe = "/usr/bin/true";
    std::vector<unsigned long> sockets{};
    bool hide_ns = false;  // ns is not a directory: its links cannot be read, as for a process the kernel hides
    int nspid_levels = 1;  // entries of NSpid: in status
};

class IsolationProc {
public:
    IsolationProc() { write_file(dir_ / "sys/kernel/cap_last_cap", "40\n"); }
    const std::string& path() const { return dir_.path(); }

    void add(const FixtureIsolatedProcess& p) {
        const std::string base = dir_ / std::to_string(p.pid);
        const std::string uid = std::to_string(p.uid);
        write_file(base + "/status", "Name:\t" + p.name + "\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t" + std::to_string(p.pid) +
                                         "\nPid:\t" + std::to_string(p.pid) + "\nNSpid:\t" + nspid(p) + "\nPPid:\t1\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" +
                                         uid + "\nCapInh:\t0000000000000000\nCapPrm:\t" + p.cap_eff + "\nCapEff:\t" + p.cap_eff +
                                         "\nCapBnd:\t" + p.cap_bnd + "\nCapAmb:\t0000000000000000\nNoNewPrivs:\t" +
                                         std::to_string(p.no_new_privs) + "\nSeccomp:\t" + std::to_string(p.seccomp) + "\n");
        if (p.hide_ns) write_file(base + "/ns", "");
        else make_dirs(base + "/ns");
        for (const char* type : p.hide_ns ? std::vector<const char*>{} : std::vector<const char*>(std::begin(scanner::kNamespaceTypes), std::end(scanner::kNamespaceTypes))) {
            auto it = p.ns.find(type);
            const std::uint64_t inode = it != p.ns.end() ? it->second : *scanner::initial_namespace_inode(type);
            ::symlink((std::string(type) + ":[" + std::to_string(inode) + "]").c_str(), (base + "/ns/" + type).c_str());
        }
        write_file(base + "/cgroup", p.cgroup);
        write_file(base + "/uid_map", p.uid_map);
        write_file(base + "/mountinfo", p.mountinfo);
        if (!p.lsm.empty()) write_file(base + "/attr/current", p.lsm + "\n");
        ::symlink(p.exe.c_str(), (base + "/exe").c_str());
        make_dirs(base + "/fd");
        int fd = 3;
        for (unsigned long inode : p.sockets)
            ::symlink(("socket:[" + std::to_string(inode) + "]").c_str(), (base + "/fd/" + std::to_string(fd++)).c_str());
    }

    void self(int pid) { ::symlink(std::to_string(pid).c_str(), (dir_ / "self").c_str()); }
    void write(const std::string& rel, const std::string& text) { write_file(dir_ / rel, text); }

private:
    static std::string nspid(const FixtureIsolatedProcess& p) {
        std::string out = std::to_string(p.pid);
        for (int i = 1; i < p.nspid_levels; ++i) out += "\t" + std::to_string(i);
        return out;
    }
    TempDir dir_;
};

}  // namespace triad::test
