// SPDX-License-Identifier: Apache-2.0
// The `listeners` collector: real listening sockets on 127.0.0.1 and 0.0.0.0 made by the
// test, read back with their process from the live /proc and cross-checked with ss(8); a
// listener no process can be found for is kept as unattributed (a fixture tree whose
// process's fd directory cannot be read, and, where this machine has one, PID 1's real
// listener whose descriptors the kernel hides).
#include "scanner/collectors/isolation/listeners.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "scanner/core/registry.h"
#include "tests/scanner/collectors/isolation/isolation_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/scanner/proc_fixture.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::find_object;
using triad::test::TempDir;

namespace {

std::string field(const Fact& f, const char* name) { return triad::test::field_text(f, kListenersCollector.fields, name); }

FactSet collect(const std::string& proc_dir) {
    TempDir root;
    auto r = Sysroot::open(root.path()).value();
    auto proc = Sysroot::open(proc_dir).value();
    const IdentityTable ids = IdentityTable::load(r);
    CollectContext ctx{r, ids, &proc, nullptr};
    return kListenersCollector.collect(ctx, SelectArgs{});
}

std::pair<int, int> listen_on(in_addr_t address, int type) {
    int s = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(address);
    REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    if (type == SOCK_STREAM) REQUIRE(::listen(s, 1) == 0);
    socklen_t len = sizeof sa;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&sa), &len);
    return {s, ntohs(sa.sin_port)};
}

}  // namespace

TEST_CASE("listeners: attributed and unattributed sockets in a fixture proc tree") {
    triad::test::IsolationProc proc;
    proc.add({.pid = 10, .name = "sshd", .cgroup = "0::/system.slice/ssh.service\n", .exe = "/usr/sbin/sshd", .sockets = {7001}});
    proc.add({.pid = 20, .name = "web", .uid = 33, .cap_eff = "0000000000000400", .seccomp = 2, .no_new_privs = 1,
              .exe = "/usr/bin/web", .sockets = {7002}});
    // A process whose descriptors cannot be listed: its socket cannot be attributed.
    proc.add({.pid = 30, .name = "agent", .exe = "/usr/bin/agent"});
    std::filesystem::remove_all(proc.path() + "/30/fd");
    triad::test::write_file(proc.path() + "/30/fd", "");  // not a directory: ENOTDIR, as the kernel's EACCES is for root
    using triad::test::ProcFixture;
    std::string tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    tcp += ProcFixture::socket_line(0, "00000000:0016", "00000000:0000", "0A", 7001);
    tcp += ProcFixture::socket_line(1, "0100007F:1F90", "00000000:0000", "0A", 7002);
    tcp += ProcFixture::socket_line(2, "00000000:07E8", "00000000:0000", "0A", 7003);
    tcp += ProcFixture::socket_line(3, "0100007F:0050", "0100007F:C350", "01", 7004);  // established: not a listener
    proc.write("net/tcp", tcp);

    const FactSet facts = collect(proc.path());
    REQUIRE(facts.size() == 3);
    const Fact* ssh = find_object(facts, "tcp 0.0.0.0:22");
    REQUIRE(ssh);
    CHECK(field(*ssh, "loopback") == "false");
    CHECK(field(*ssh, "attributed") == "true");
    CHECK(field(*ssh, "processes") == "10 sshd");
    CHECK(field(*ssh, "root") == "true");
    CHECK(field(*ssh, "seccomp") == "disabled");
    CHECK(field(*ssh, "exe") == "/usr/sbin/sshd");
    const Fact* web = find_object(facts, "tcp 127.0.0.1:8080");
    REQUIRE(web);
    CHECK(field(*web, "loopback") == "true");
    CHECK(field(*web, "uid") == "33");
    CHECK(field(*web, "capabilities") == "net_bind_service");
    CHECK(field(*web, "seccomp") == "filter");
    CHECK(field(*web, "no_new_privs") == "true");
    const Fact* hidden = find_object(facts, "tcp 0.0.0.0:2024");
    REQUIRE(hidden);
    CHECK(hidden->status == FactStatus::ok);  // kept, not dropped
    CHECK(field(*hidden, "attributed") == "false");
    CHECK(field(*hidden, "hidden_processes").find("30 agent: ") != std::string::npos);
}

TEST_CASE("listeners: real sockets on 127.0.0.1 and 0.0.0.0, cross-checked with ss") {
    auto [local, local_port] = listen_on(INADDR_LOOPBACK, SOCK_STREAM);
    auto [any, any_port] = listen_on(INADDR_ANY, SOCK_STREAM);
    auto [udp, udp_port] = listen_on(INADDR_LOOPBACK, SOCK_DGRAM);
    const FactSet facts = collect("/proc");
    const std::string me = std::to_string(::getpid()) + " ";

    const Fact* l = find_object(facts, "tcp 127.0.0.1:" + std::to_string(local_port));
    REQUIRE(l);
    CHECK(field(*l, "loopback") == "true");
    CHECK(field(*l, "processes").find(me) != std::string::npos);
    CHECK(field(*l, "uid") == std::to_string(::getuid()));
    const Fact* a = find_object(facts, "tcp 0.0.0.0:" + std::to_string(any_port));
    REQUIRE(a);
    CHECK(field(*a, "loopback") == "false");
    CHECK(field(*a, "attributed") == "true");
    CHECK(field(*a, "port") == std::to_string(any_port));
    const Fact* u = find_object(facts, "udp 127.0.0.1:" + std::to_string(udp_port));
    REQUIRE(u);
    CHECK(field(*u, "processes").find(me) != std::string::npos);

    // ss sees the listeners of this network namespace; each is one of ours, with the same
    // process where ss names one and unattributed where ss names none. Tests running beside
    // this one open and close sockets: only lines ss shows before and after the collection
    // are compared.
    if (triad::test::sh("command -v ss >/dev/null").exit_code == 0) {
        const std::string ss = "ss -H -ltnp -4; ss -H -lunp -4";
        std::istringstream first(triad::test::sh(ss).out);
        std::set<std::string> before;
        for (std::string line; std::getline(first, line);) before.insert(line);
        const FactSet again = collect("/proc");
        std::istringstream in(triad::test::sh(ss).out);
        int compared = 0;
        for (std::string line; std::getline(in, line);) {
            if (!before.count(line)) continue;
            std::istringstream w(line);
            std::string state, recvq, sendq, local_addr;
            w >> state >> recvq >> sendq >> local_addr;
            if (local_addr.rfind("*:", 0) == 0) local_addr = "0.0.0.0:" + local_addr.substr(2);
            const bool tcp = line.find("LISTEN") != std::string::npos;
            const Fact* f = find_object(again, std::string(tcp ? "tcp " : "udp ") + local_addr);
            CAPTURE(line);
            REQUIRE(f);
            const bool ss_names = line.find("users:((") != std::string::npos;
            CHECK(field(*f, "attributed") == (ss_names ? "true" : "false"));
            if (ss_names) {
                const std::size_t p = line.find("pid=");
                const std::string pid = line.substr(p + 4, line.find_first_not_of("0123456789", p + 4) - p - 4);
                CHECK(field(*f, "processes").find(pid + " ") != std::string::npos);
            }
            ++compared;
        }
        CHECK(compared >= 3);
    }
    ::close(local);
    ::close(any);
    ::close(udp);
}

TEST_CASE("listeners: a listener whose process the kernel hides is reported unattributed") {
    // The kernel lets /proc/1/fd be listed but refuses each link (EACCES) when PID 1 holds
    // capabilities the reader lacks.
    std::error_code ec;
    (void)std::filesystem::read_symlink("/proc/1/fd/0", ec);
    if (ec != std::errc::permission_denied) {
        MESSAGE("PID 1's descriptors are readable here (" << ec.message() << "): no hidden process to test with");
        return;
    }
    bool some_unattributed = false;
    for (const Fact& f : collect("/proc"))
        if (field(f, "attributed") == "false") {
            some_unattributed = true;
            CHECK(field(f, "hidden_processes").find("1 ") != std::string::npos);
        }
    // Only where PID 1 listens (here: the VM agent); otherwise nothing is hidden from us.
    if (!some_unattributed) MESSAGE("PID 1 is hidden but listens on nothing here");
}

namespace {

// A gcc-built server that listens on 0.0.0.0 (any port), prints the port and waits to be
// killed: a real listener whose binary has known hardening.
struct Server {
    pid_t pid = -1;
    int port = 0;
    Server(const std::string& binary) {
        int out[2];
        REQUIRE(::pipe(out) == 0);
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::dup2(out[1], 1);
            ::close(out[0]);
            ::execl(binary.c_str(), binary.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(out[1]);
        char buf[32] = {};
        const ssize_t n = ::read(out[0], buf, sizeof buf - 1);
        ::close(out[0]);
        if (n > 0) port = std::atoi(buf);
    }
    ~Server() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

constexpr const char* kServerSource =
    "#include <stdio.h>\n#include <string.h>\n#include <unistd.h>\n#include <netinet/in.h>\n#include <sys/socket.h>\n"
    "int main(void) { char buf[64]; int s = socket(AF_INET, SOCK_STREAM, 0); struct sockaddr_in a; memset(&a, 0, sizeof a);\n"
    "  a.sin_family = AF_INET; if (bind(s, (struct sockaddr*)&a, sizeof a) || listen(s, 1)) return 1;\n"
    "  socklen_t l = sizeof a; getsockname(s, (struct sockaddr*)&a, &l); (void)buf;\n"
    "  printf(\"%d\\n\", ntohs(a.sin_port)); fflush(stdout); for (;;) pause(); }\n";

}  // namespace

TEST_CASE("listeners: the ELF hardening of a listener's binary (gcc-built servers, cross-checked with readelf)") {
    TempDir dir;
    triad::test::write_file(dir / "server.c", kServerSource);
    auto built = triad::test::sh("cd " + dir.path() + " && gcc -O2 -fPIE -pie -fstack-protector-strong -Wl,-z,relro,-z,now -o hardened server.c"
                                 " && gcc -O0 -fno-PIE -no-pie -fno-stack-protector -Wl,-z,norelro -o weak server.c");
    REQUIRE_MESSAGE(built.exit_code == 0, built.err);
    Server hardened(dir / "hardened"), weak(dir / "weak");
    REQUIRE(hardened.port > 0);
    REQUIRE(weak.port > 0);

    auto root = Sysroot::open("/").value();
    auto proc = Sysroot::open("/proc").value();
    const IdentityTable ids = IdentityTable::load(root);
    ScanMemo memo;
    CollectContext ctx{root, ids, &proc, nullptr};
    ctx.memo = &memo;
    const FactSet facts = kListenersCollector.collect(ctx, SelectArgs{});
    const Fact* h = find_object(facts, "tcp 0.0.0.0:" + std::to_string(hardened.port));
    const Fact* w = find_object(facts, "tcp 0.0.0.0:" + std::to_string(weak.port));
    REQUIRE(h);
    REQUIRE(w);
    CHECK(field(*h, "exe") == dir / "hardened");
    if (!not_built_reason(*find_collector("elf")).empty()) {
        // Built without TRIAD_WITH_ELF: absent, with the reason.
        CHECK(field(*h, "pie") == "(absent)");
        CHECK(field(*h, "hardening_error").find("TRIAD_WITH_ELF") != std::string::npos);
        return;
    }
    CHECK(field(*h, "hardening_error") == "(absent)");
    CHECK(field(*h, "pie") == "true");
    CHECK(field(*h, "relro") == "full");
    CHECK(field(*h, "nx") == "true");
    CHECK(field(*w, "pie") == "false");
    CHECK(field(*w, "relro") == "none");
    CHECK(field(*w, "canary") == "false");

    // readelf, an independent reader: ELF type and BIND_NOW/GNU_RELRO as it prints them.
    if (triad::test::sh("command -v readelf >/dev/null").exit_code == 0) {
        for (const auto& [name, fact] : {std::pair{"hardened", h}, std::pair{"weak", w}}) {
            const std::string path = dir / name;
            const bool dyn = triad::test::sh("readelf -h " + path + " | grep -q 'Type:.*DYN'").exit_code == 0;
            const bool relro = triad::test::sh("readelf -lW " + path + " | grep -q GNU_RELRO").exit_code == 0;
            const bool now = triad::test::sh("readelf -dW " + path + " | grep -Eq 'BIND_NOW|FLAGS.*NOW'").exit_code == 0;
            CAPTURE(name);
            CHECK(field(*fact, "pie") == (dyn ? "true" : "false"));
            CHECK(field(*fact, "relro") == (relro && now ? "full" : relro ? "partial" : "none"));
        }
    }

    // A binary replaced on disk after its process started cannot be judged: an error reason, no values.
    REQUIRE(::unlink((dir / "weak").c_str()) == 0);
    const FactSet again = kListenersCollector.collect(ctx, SelectArgs{});
    const Fact* gone = find_object(again, "tcp 0.0.0.0:" + std::to_string(weak.port));
    REQUIRE(gone);
    CHECK(field(*gone, "pie") == "(absent)");
    CHECK(field(*gone, "hardening_error").find("deleted") != std::string::npos);
}
