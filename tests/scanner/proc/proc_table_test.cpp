// SPDX-License-Identifier: Apache-2.0
// The process table: kernel-formatted socket tables decoded, processes read from a fixture
// proc tree, and the same reader against this machine's own /proc with real sockets.
#include "scanner/proc/proc_table.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "tests/scanner/proc_fixture.h"

using namespace triad::scanner;
using triad::test::FixtureProcess;
using triad::test::ProcFixture;

TEST_CASE("socket addresses decode as the kernel prints them") {
    CHECK(decode_socket_address("0100007F:0016") == "127.0.0.1:22");
    CHECK(decode_socket_address("00000000:0277") == "0.0.0.0:631");
    CHECK(decode_socket_address("00000000000000000000000001000000:0035") == "[::1]:53");
    CHECK(decode_socket_address("0000000000000000FFFF00000100007F:0050") == "[::ffff:127.0.0.1]:80");
    CHECK(decode_socket_address("00000000000000000000000000000000:01BB") == "[::]:443");
    // A big-endian host prints the words in network order.
    CHECK(decode_socket_address("7F000001:0016", false) == "127.0.0.1:22");
    CHECK(decode_socket_address("garbage") == "garbage");
    CHECK(decode_socket_address("0100007F:zz") == "0100007F:zz");
}

TEST_CASE("net tables: listening TCP and unconnected bound UDP sockets") {
    const std::string tcp = "header\n" + ProcFixture::socket_line(0, "00000000:0016", "00000000:0000", "0A", 111) +
                            ProcFixture::socket_line(1, "0100007F:0277", "00000000:0000", "0A", 112) +
                            ProcFixture::socket_line(2, "0200000A:0016", "0300000A:C350", "01", 113) +  // established
                            "   3: truncated line\n";
    auto sockets = parse_proc_net(tcp, "tcp");
    REQUIRE(sockets.size() == 2);
    CHECK(sockets[0].describe() == "tcp 0.0.0.0:22");
    CHECK_FALSE(sockets[0].loopback);
    CHECK(sockets[0].inode == 111);
    CHECK(sockets[1].describe() == "tcp 127.0.0.1:631");
    CHECK(sockets[1].loopback);

    const std::string udp = "header\n" + ProcFixture::socket_line(0, "00000000:0035", "00000000:0000", "07", 211) +
                            ProcFixture::socket_line(1, "00000000:A000", "0800080A:0035", "01", 212);  // connected
    auto bound = parse_proc_net(udp, "udp");
    REQUIRE(bound.size() == 1);
    CHECK(bound[0].describe() == "udp 0.0.0.0:53");
}

TEST_CASE("processes from a fixture proc tree: binaries, seccomp, NoNewPrivs and listening sockets") {
    ProcFixture proc;
    proc.add({1, "systemd", "/usr/lib/systemd/systemd", 0, 0, 0, {}});
    proc.add({2, "kthreadd", "", 0, 0, 0, {}});  // kernel thread: no exe link
    proc.add({100, "sshd", "/usr/sbin/sshd", 0, 0, 0, {111, 999}});
    proc.add({200, "cupsd", "/usr/sbin/cupsd", 0, 2, 1, {112}});
    proc.add({300, "old", "/usr/bin/old (deleted)", 1000, -1, 0, {}});
    proc.add({400, "contained", "/usr/bin/web", 33, 2, 1, {311}, "net:[4026532000]"});
    proc.net_table("", "tcp", {ProcFixture::socket_line(0, "00000000:0016", "00000000:0000", "0A", 111),
                               ProcFixture::socket_line(1, "0100007F:0277", "00000000:0000", "0A", 112)});
    // A second network namespace, seen only through a process in it.
    proc.net_table("400", "tcp6", {ProcFixture::socket_line(0, "00000000000000000000000000000000:0050",
                                                            "00000000000000000000000000000000:0000", "0A", 311)});

    auto root = Sysroot::open(proc.path()).value();
    auto processes = read_processes(root);
    REQUIRE(processes.size() == 6);
    auto by_pid = [&](int pid) {
        auto it = std::find_if(processes.begin(), processes.end(), [&](const ProcessInfo& p) { return p.pid == pid; });
        REQUIRE(it != processes.end());
        return *it;
    };
    CHECK(by_pid(2).exe.empty());
    CHECK(by_pid(2).exe_error.empty());

    const ProcessInfo sshd = by_pid(100);
    CHECK(sshd.name == "sshd");
    CHECK(sshd.exe == "/usr/sbin/sshd");
    CHECK(sshd.uid == 0);
    CHECK(sshd.seccomp == 0);
    CHECK(sshd.no_new_privs == false);
    CHECK(sshd.listening == std::vector<std::string>{"tcp 0.0.0.0:22"});
    CHECK(sshd.listens_on_network);

    const ProcessInfo cups = by_pid(200);
    CHECK(cups.seccomp == 2);
    CHECK(cups.no_new_privs == true);
    CHECK(cups.listening == std::vector<std::string>{"tcp 127.0.0.1:631"});
    CHECK_FALSE(cups.listens_on_network);  // loopback only

    const ProcessInfo old = by_pid(300);
    CHECK(old.exe == "/usr/bin/old");
    CHECK(old.exe_deleted);
    CHECK_FALSE(old.seccomp.has_value());
    CHECK(old.uid == 1000);

    CHECK(by_pid(400).listening == std::vector<std::string>{"tcp6 [::]:80"});

    auto binaries = listening_binaries(processes);
    REQUIRE(binaries.size() == 2);
    CHECK(binaries["/usr/sbin/sshd"] == std::vector<std::string>{"tcp 0.0.0.0:22"});
    CHECK(binaries["/usr/bin/web"] == std::vector<std::string>{"tcp6 [::]:80"});
}

TEST_CASE("this process, read from the live /proc, with a real listening socket") {
    if (!std::filesystem::exists("/proc/self/status")) {
        MESSAGE("no /proc mounted; nothing live to read");
        return;
    }
    auto listen_on = [](in_addr_t address) {
        int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(address);
        REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
        REQUIRE(::listen(s, 1) == 0);
        socklen_t len = sizeof sa;
        ::getsockname(s, reinterpret_cast<sockaddr*>(&sa), &len);
        return std::pair{s, ntohs(sa.sin_port)};
    };
    auto proc = Sysroot::open("/proc").value();
    auto find_self = [&] {
        for (ProcessInfo& p : read_processes(proc))
            if (p.pid == ::getpid()) return p;
        FAIL("this process is not in /proc");
        return ProcessInfo{};
    };

    auto [local, local_port] = listen_on(INADDR_LOOPBACK);
    ProcessInfo self = find_self();
    CHECK(self.exe == std::filesystem::read_symlink("/proc/self/exe").string());
    const std::string want = "tcp 127.0.0.1:" + std::to_string(local_port);
    CHECK(std::find(self.listening.begin(), self.listening.end(), want) != self.listening.end());
    CHECK_FALSE(self.listens_on_network);

    auto [any, any_port] = listen_on(INADDR_ANY);
    self = find_self();
    const std::string want_any = "tcp 0.0.0.0:" + std::to_string(any_port);
    CHECK(std::find(self.listening.begin(), self.listening.end(), want_any) != self.listening.end());
    CHECK(self.listens_on_network);
    CHECK(listening_binaries(read_processes(proc)).count(self.exe) == 1);
    ::close(local);
    ::close(any);
}
