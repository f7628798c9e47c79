// SPDX-License-Identifier: Apache-2.0
// The `listener_exposure` collector: which non-loopback listeners the loaded ruleset lets
// other hosts reach. Each test moves its thread into a fresh network namespace, opens real
// listening sockets there (0.0.0.0, ::, and 127.0.0.1, which must not be listed), loads a
// real ruleset with nft -f or iptables-nft, and runs the collector in that namespace. The
// deciding rules are compared with the handles `nft -a list ruleset` prints, the socket list
// with ss(8), and one ruleset is checked by connecting to the listeners from a second
// namespace over a veth pair. The host's ruleset is never touched.
#include "scanner/collectors/isolation/listener_exposure.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <tuple>

#include "tests/scanner/collectors/isolation/private_netns.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::find_object;
using triad::test::PrivateNetns;
using triad::test::TempDir;

namespace {

// A socket listening (TCP) or bound (UDP) in the current network namespace.
class Listener {
public:
    Listener(int family, int type, const char* address, int port) {
        fd_ = ::socket(family, type | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        int rc = -1;
        if (family == AF_INET) {
            sockaddr_in sa{};
            sa.sin_family = AF_INET;
            sa.sin_port = htons(static_cast<std::uint16_t>(port));
            REQUIRE(::inet_pton(AF_INET, address, &sa.sin_addr) == 1);
            rc = ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        } else {
            sockaddr_in6 sa{};
            sa.sin6_family = AF_INET6;
            sa.sin6_port = htons(static_cast<std::uint16_t>(port));
            REQUIRE(::inet_pton(AF_INET6, address, &sa.sin6_addr) == 1);
            rc = ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        }
        REQUIRE_MESSAGE(rc == 0, "bind " << address << ":" << port << ": " << std::strerror(errno));
        if (type == SOCK_STREAM) REQUIRE(::listen(fd_, 4) == 0);
    }
    ~Listener() { ::close(fd_); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

private:
    int fd_ = -1;
};

// The namespace's loopback up (127.0.0.1 can be bound) and the four listeners every test
// judges: TCP 22 and UDP 53 on 0.0.0.0, TCP 8443 on :: (IPv4 and IPv6), TCP 8080 on
// 127.0.0.1 (loopback: never listed).
struct Listeners {
    Listeners() {
        auto r = triad::test::run({"ip", "link", "set", "lo", "up"});
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        ssh = std::make_unique<Listener>(AF_INET, SOCK_STREAM, "0.0.0.0", 22);
        dns = std::make_unique<Listener>(AF_INET, SOCK_DGRAM, "0.0.0.0", 53);
        web = std::make_unique<Listener>(AF_INET6, SOCK_STREAM, "::", 8443);
        local = std::make_unique<Listener>(AF_INET, SOCK_STREAM, "127.0.0.1", 8080);
    }
    std::unique_ptr<Listener> ssh, dns, web, local;
};

constexpr const char* kSsh = "tcp 0.0.0.0:22";
constexpr const char* kDns = "udp 0.0.0.0:53";
constexpr const char* kWeb = "tcp6 [::]:8443";

FactSet collect_live() {
    TempDir root;
    auto r = Sysroot::open(root.path()).value();
    auto proc = Sysroot::open("/proc").value();
    const IdentityTable ids = IdentityTable::load(r);
    CollectContext ctx{r, ids, &proc, nullptr};
    return kListenerExposureCollector.collect(ctx, SelectArgs{});
}

std::string field(const FactSet& facts, const char* object, const char* name) {
    return triad::test::object_field(facts, kListenerExposureCollector.fields, object, name);
}

void load(const std::string& ruleset) {
    TempDir dir;
    triad::test::write_file(dir / "rules.nft", ruleset);
    auto r = triad::test::run({"nft", "-f", dir / "rules.nft"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

// "FAMILY TABLE CHAIN handle N: RULE" for the rule `nft -a list ruleset` prints as `rule`
// in that chain: the deciding rule the collector must name.
std::string nft_rule(const std::string& family, const std::string& table, const std::string& chain, const std::string& rule) {
    auto r = triad::test::run({"nft", "-a", "list", "chain", family, table, chain});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
        const std::size_t start = line.find_first_not_of(" \t");
        const std::size_t mark = line.rfind(" # handle ");
        if (start == std::string::npos || mark == std::string::npos) continue;
        if (line.substr(start, mark - start) == rule)
            return family + " " + table + " " + chain + " handle " + line.substr(mark + 10) + ": " + rule;
    }
    FAIL("nft does not list the rule " << rule << " in:\n" << r.out);
    return "";
}

std::string own_process() {
    std::string comm = triad::test::read_file("/proc/self/comm");
    if (!comm.empty() && comm.back() == '\n') comm.pop_back();
    return std::to_string(::getpid()) + " " + comm;
}

}  // namespace

TEST_CASE("listener_exposure: without a ruleset every non-loopback listener is open, the sockets are those ss lists") {
    PrivateNetns ns;
    Listeners l;
    const FactSet facts = collect_live();
    // Exactly the non-loopback listeners of this namespace (ss in the same namespace agrees).
    std::set<std::string> objects;
    for (const Fact& f : facts) objects.insert(f.object);
    CHECK(objects == std::set<std::string>{kSsh, kDns, kWeb});
    auto ss = triad::test::run({"ss", "-H", "-l", "-n", "-t", "-u"});
    REQUIRE(ss.exit_code == 0);
    std::set<std::string> from_ss;
    std::istringstream in(ss.out);
    std::string netid, state, recvq, sendq, local, peer;
    while (in >> netid >> state >> recvq >> sendq >> local >> peer)
        if (!local.starts_with("127.")) from_ss.insert(netid + " " + local);
    // ss shows a dual-stack socket on :: as "*": reachable over IPv4 and IPv6, as `families` says.
    CHECK(from_ss == std::set<std::string>{"tcp 0.0.0.0:22", "udp 0.0.0.0:53", "tcp *:8443"});

    for (const char* object : {kSsh, kDns, kWeb}) {
        CAPTURE(object);
        CHECK(field(facts, object, "exposure") == "open");
        CHECK(field(facts, object, "firewalled") == "false");
        CHECK(field(facts, object, "deciding_rule") == "no input base chain");
        CHECK(field(facts, object, "processes") == own_process());
    }
    CHECK(field(facts, kWeb, "families") == "ipv6, ipv4");
    CHECK(field(facts, kSsh, "families") == "ipv4");
    CHECK(field(facts, kDns, "port") == "53");
    CHECK(field(facts, kDns, "proto") == "udp");
}

TEST_CASE("listener_exposure: policy drop with a service accepted, loopback and established rules never open a port") {
    PrivateNetns ns;
    Listeners l;
    load(R"(table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    iifname "lo" accept
    ct state established,related accept
    ct state invalid drop
    tcp dport 22 accept
  }
}
)");
    const FactSet facts = collect_live();
    CHECK(field(facts, kSsh, "exposure") == "open");
    CHECK(field(facts, kSsh, "firewalled") == "false");
    CHECK(field(facts, kSsh, "deciding_rule") == nft_rule("inet", "filter", "input", "tcp dport 22 accept"));
    for (const char* object : {kDns, kWeb}) {
        CAPTURE(object);
        CHECK(field(facts, object, "exposure") == "restricted");
        CHECK(field(facts, object, "firewalled") == "true");
        CHECK(field(facts, object, "deciding_rule") == "inet filter input policy drop");
    }
}

TEST_CASE("listener_exposure: accepts limited to source addresses, per family") {
    PrivateNetns ns;
    Listeners l;
    // 22 only from 10/8; everything outside 192.168/16 is dropped, so 53 is reachable from
    // 192.168/16 alone; the IPv4-only source rules do not apply to IPv6, so 8443 is open.
    load(R"(table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    ip saddr 10.0.0.0/8 tcp dport 22 accept
    ip saddr != 192.168.0.0/16 drop
    udp dport 53 accept
    tcp dport 8443 accept
  }
}
)");
    const FactSet facts = collect_live();
    CHECK(field(facts, kSsh, "exposure") == "restricted_to_sources");
    CHECK(field(facts, kSsh, "firewalled") == "true");
    CHECK(field(facts, kSsh, "sources") == "ip saddr 10.0.0.0/8");
    CHECK(field(facts, kDns, "exposure") == "restricted_to_sources");
    CHECK(field(facts, kDns, "sources") == "ip saddr 192.168.0.0/16");
    CHECK(field(facts, kWeb, "exposure") == "open");
    CHECK(field(facts, kWeb, "deciding_rule") == nft_rule("inet", "filter", "input", "tcp dport 8443 accept"));
}

TEST_CASE("listener_exposure: jumps, gotos and returns into regular chains") {
    PrivateNetns ns;
    Listeners l;
    load(R"(table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    meta l4proto tcp jump tcp_services
    udp dport 53 goto udp_services
  }
  chain tcp_services {
    tcp dport 8443 return
    tcp dport { 22, 2000-3000 } accept
  }
  chain udp_services {
    ip saddr 172.16.0.0/12 accept
  }
}
)");
    const FactSet facts = collect_live();
    CHECK(field(facts, kSsh, "exposure") == "open");
    CHECK(field(facts, kSsh, "deciding_rule") == nft_rule("inet", "filter", "tcp_services", "tcp dport { 22, 2000-3000 } accept"));
    // Returned to input, which drops what no rule accepted.
    CHECK(field(facts, kWeb, "exposure") == "restricted");
    CHECK(field(facts, kWeb, "deciding_rule") == "inet filter input policy drop");
    // A goto's chain ends: back to input's caller, the hook, so input's policy.
    CHECK(field(facts, kDns, "exposure") == "restricted_to_sources");
    CHECK(field(facts, kDns, "sources") == "ip saddr 172.16.0.0/12");
}

TEST_CASE("listener_exposure: named sets are read as the kernel holds them") {
    PrivateNetns ns;
    Listeners l;
    load(R"(table inet filter {
  set admins {
    type ipv4_addr
    flags interval
    elements = { 198.51.100.7, 192.0.2.0/24 }
  }
  set services {
    type inet_service
    flags interval
    elements = { 8000-8500 }
  }
  set nobody {
    type ipv4_addr
  }
  chain input {
    type filter hook input priority 0; policy drop;
    ip saddr @admins tcp dport 22 accept
    ip saddr @nobody udp dport 53 accept
    tcp dport @services accept
  }
}
)");
    const FactSet facts = collect_live();
    CHECK(field(facts, kSsh, "exposure") == "restricted_to_sources");
    CHECK(field(facts, kSsh, "sources") == "ip saddr @admins { 192.0.2.0/24, 198.51.100.7 }");
    CHECK(field(facts, kDns, "exposure") == "restricted");  // an empty set holds no source
    CHECK(field(facts, kWeb, "exposure") == "open");
    CHECK(field(facts, kWeb, "deciding_rule") == nft_rule("inet", "filter", "input", "tcp dport @services accept"));
}

TEST_CASE("listener_exposure: a set the packet path updates, or a mark, leaves a listener undecided, never passed") {
    PrivateNetns ns;
    Listeners l;
    // `seen` changes with traffic (the first rule adds every source to it): whether a source
    // is in it is not a property of the ruleset.
    load(R"(table inet filter {
  set seen {
    type ipv4_addr
    size 65535
    flags dynamic
  }
  chain input {
    type filter hook input priority 0; policy drop;
    update @seen { ip saddr }
    ip saddr @seen tcp dport 22 accept
    meta mark 0x00000001 udp dport 53 accept
    tcp dport 8443 meta mark 0x00000002 drop
  }
}
)");
    const FactSet facts = collect_live();
    for (const char* object : {kSsh, kDns}) {
        CAPTURE(object);
        const Fact* f = find_object(facts, object);
        REQUIRE(f);
        CHECK(field(facts, object, "exposure") == "undecided");
        CHECK(field(facts, object, "firewalled") == "(absent)");
        const auto i = find_field(kListenerExposureCollector.fields, "firewalled");
        REQUIRE(f->field_error(*i));
        CHECK(f->field_error(*i)->find("not evaluated") != std::string::npos);
    }
    CHECK(field(facts, kSsh, "undecided_rules") == nft_rule("inet", "filter", "input", "ip saddr @seen tcp dport 22 accept"));
    CHECK(field(facts, kDns, "undecided_rules") ==
          nft_rule("inet", "filter", "input", "meta mark 0x00000001 udp dport 53 accept"));
    // Marked or not, 8443 is dropped: an unmodelled condition that cannot change the verdict.
    CHECK(field(facts, kWeb, "exposure") == "restricted");
}

TEST_CASE("listener_exposure: every base chain on the hook must accept, and ct state verdict maps are evaluated") {
    PrivateNetns ns;
    Listeners l;
    // An accept ends only its own chain: 22, accepted at priority -10, is still dropped at 10.
    load(R"(table ip early {
  chain input {
    type filter hook input priority -10; policy accept;
    tcp dport 22 accept
  }
}
table inet late {
  chain input {
    type filter hook input priority 10; policy drop;
    ct state vmap { invalid : drop, established : accept, related : accept }
    udp dport 53 accept
  }
}
)");
    const FactSet facts = collect_live();
    CHECK(field(facts, kSsh, "exposure") == "restricted");
    CHECK(field(facts, kSsh, "deciding_rule") == "inet late input policy drop");
    CHECK(field(facts, kDns, "exposure") == "open");
    CHECK(field(facts, kDns, "deciding_rule") == nft_rule("inet", "late", "input", "udp dport 53 accept"));
    CHECK(field(facts, kWeb, "exposure") == "restricted");
}

TEST_CASE("listener_exposure: iptables-nft rules are judged like nft's") {
    PrivateNetns ns;
    Listeners l;
    for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
             {"iptables-nft", "-P", "INPUT", "DROP"},
             {"iptables-nft", "-A", "INPUT", "-i", "lo", "-j", "ACCEPT"},
             {"iptables-nft", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"},
             {"iptables-nft", "-A", "INPUT", "-s", "10.0.0.0/8", "-p", "udp", "--dport", "53", "-j", "ACCEPT"},
             {"ip6tables-nft", "-P", "INPUT", "DROP"}}) {
        auto r = triad::test::run(cmd);
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    }
    const FactSet facts = collect_live();
    CHECK(field(facts, kSsh, "exposure") == "open");
    CHECK(field(facts, kSsh, "deciding_rule").starts_with("ip filter INPUT handle "));
    CHECK(field(facts, kDns, "exposure") == "restricted_to_sources");
    CHECK(field(facts, kDns, "sources") == "ip saddr 10.0.0.0/8");
    CHECK(field(facts, kWeb, "exposure") == "restricted");
}

TEST_CASE("listener_exposure: the verdicts hold for real connections from another namespace") {
    PrivateNetns ns;
    Listeners l;
    // 22 accepted, 8443 rejected with a TCP reset (so a refused connection answers at once).
    load(R"(table inet filter {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 22 accept
    tcp dport 8443 reject with tcp reset
  }
}
)");
    const FactSet facts = collect_live();
    REQUIRE(field(facts, kSsh, "exposure") == "open");
    REQUIRE(field(facts, kWeb, "exposure") == "restricted");
    // A peer namespace (held by a sleeping child) joined to this one by a veth pair; the
    // peer connects to both ports and prints what happened.
    const std::string script = R"(
set -e
unshare -n sleep 60 & peer=$!
trap 'kill $peer' EXIT
sleep 0.2
ip link add tx0 type veth peer name tx1
ip link set tx1 netns $peer
ip addr add 10.99.0.1/24 dev tx0
ip link set tx0 up
nsenter -t $peer -n sh -c 'ip addr add 10.99.0.2/24 dev tx1 && ip link set tx1 up && ip link set lo up'
for port in 22 8443; do
  nsenter -t $peer -n python3 -c "
import socket, sys
try:
    socket.create_connection(('10.99.0.1', $port), timeout=20).close(); print('$port connected')
except ConnectionRefusedError:
    print('$port refused')
"
done
)";
    auto r = triad::test::sh(script);
    INFO(r.err);
    CHECK(r.out == "22 connected\n8443 refused\n");
}

TEST_CASE("isolation policy: ISO-LISTEN-FIREWALLED on the ruleset of the scanner's namespace") {
    PrivateNetns ns;
    Listeners l;
    const std::string policy = triad::test::source_dir() + "/rules/policies/isolation.yml";
    // triad runs as a child of this thread: in this namespace, beside these listeners.
    auto scan = [&policy]() {
        auto r = triad::test::run_triad({"scan", "--policy", policy, "--only", "ISO-LISTEN-FIREWALLED", "--format", "json"});
        INFO(r.err);
        REQUIRE(r.out.rfind("{", 0) == 0);
        Poco::JSON::Parser parser;
        auto results = parser.parse(r.out).extract<Poco::JSON::Object::Ptr>()->getArray("results");
        REQUIRE(results->size() == 1);
        auto result = results->getObject(0);
        std::set<std::string> objects;
        if (auto evidence = result->getArray("evidence"))
            for (std::size_t i = 0; i < evidence->size(); ++i)
                objects.insert(evidence->getObject(static_cast<unsigned>(i))->getValue<std::string>("object"));
        return std::pair{result->getValue<std::string>("verdict"), objects};
    };
    auto [verdict, objects] = scan();
    CHECK(verdict == "fail");  // no ruleset: all three open
    CHECK(objects == std::set<std::string>{kSsh, kDns, kWeb});

    load("table inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n"
         "    ip saddr 10.0.0.0/8 tcp dport 22 accept\n  }\n}\n");
    std::tie(verdict, objects) = scan();
    CHECK(verdict == "pass");

    load("table inet filter {\n  chain input {\n    meta mark 0x00000001 udp dport 53 accept\n  }\n}\n");
    std::tie(verdict, objects) = scan();
    CHECK(verdict == "error");
}

TEST_CASE("listener_exposure: long chains of conditional jumps are judged, and paths past the bound are undecided") {
    PrivateNetns ns;
    Listeners l;
    // 300 conditional jumps into a chain that only counts: every jump returns, and the
    // returning paths are the ones that did not jump, narrowed; the walk stays linear.
    std::string rules = "table inet t {\n  chain sub {\n    ip daddr 192.0.2.1 counter\n  }\n"
                        "  chain input {\n    type filter hook input priority 0; policy drop;\n";
    for (int i = 0; i < 300; ++i) rules += "    ip saddr 10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250) + " jump sub\n";
    rules += "    tcp dport 22 accept\n  }\n}\n";
    load(rules);
    FactSet facts = collect_live();
    CHECK(field(facts, kSsh, "exposure") == "open");
    CHECK(field(facts, kDns, "exposure") == "restricted");

    // A returning chain whose return rests on a mark: each jump doubles the paths that
    // differ in what they assumed, so 40 of them exceed the bound, and the listener is
    // undecided with the bound named, never judged from the paths walked so far.
    auto r = triad::test::run({"nft", "flush", "ruleset"});
    REQUIRE(r.exit_code == 0);
    rules = "table inet t {\n  chain sub {\n    meta mark 0x00000001 return\n  }\n"
            "  chain input {\n    type filter hook input priority 0; policy drop;\n";
    for (int i = 0; i < 40; ++i) rules += "    ip saddr 10.1.0." + std::to_string(i) + " jump sub\n";
    rules += "    tcp dport 22 ip saddr 10.2.0.0/16 accept\n  }\n}\n";
    load(rules);
    facts = collect_live();
    CHECK(field(facts, kSsh, "exposure") == "undecided");
    CHECK(field(facts, kSsh, "undecided_rules").find("the evaluation stopped at its bound") != std::string::npos);
}

TEST_CASE("listener_exposure: a ruleset shaped like firewalld's nftables backend") {
    PrivateNetns ns;
    Listeners l;
    // The chain layout firewalld (nftables backend) loads for the public zone with the ssh
    // service: zone dispatch by goto, per-zone chains by jump, a final reject.
    load(R"(table inet firewalld {
  chain filter_INPUT {
    type filter hook input priority filter + 10; policy accept;
    ct state { established, related } accept
    ct status dnat accept
    iifname "lo" accept
    ct state invalid drop
    jump filter_INPUT_ZONES
    meta l4proto { icmp, ipv6-icmp } accept
    reject with icmpx admin-prohibited
  }
  chain filter_INPUT_ZONES {
    iifname "eth0" goto filter_IN_public
    goto filter_IN_public
  }
  chain filter_IN_public {
    jump filter_IN_public_deny
    jump filter_IN_public_allow
    meta l4proto { icmp, ipv6-icmp } accept
  }
  chain filter_IN_public_deny {
  }
  chain filter_IN_public_allow {
    tcp dport 22 ct state { new, untracked } accept
    ip6 daddr fe80::/64 udp dport 546 ct state { new, untracked } accept
  }
}
)");
    const FactSet facts = collect_live();
    CHECK(field(facts, kSsh, "exposure") == "open");
    CHECK(field(facts, kSsh, "deciding_rule") ==
          nft_rule("inet", "firewalld", "filter_IN_public_allow", "tcp dport 22 ct state { new, untracked } accept"));
    for (const char* object : {kDns, kWeb}) {
        CAPTURE(object);
        CHECK(field(facts, object, "exposure") == "restricted");
        CHECK(field(facts, object, "deciding_rule") ==
              nft_rule("inet", "firewalld", "filter_INPUT", "reject with icmpx admin-prohibited"));
    }
}
