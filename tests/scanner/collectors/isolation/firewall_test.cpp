// SPDX-License-Identifier: Apache-2.0
// The `firewall` and `firewall_chains` collectors read the live nftables ruleset. Each test
// moves its own thread into a fresh network namespace (unshare(CLONE_NEWNET)), loads a real
// ruleset there with nft -f (nft runs as a child of that thread, so in that namespace), runs
// the collectors there and compares them field by field with `nft -j list ruleset`, parsed
// with Poco::JSON (not the jansson the collector uses). The thread returns to its namespace
// at the end, so the host's ruleset is never touched, and the private one vanishes with it.
#include "scanner/collectors/isolation/firewall.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>

#include "tests/scanner/collectors/isolation/private_netns.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::PrivateNetns;
using triad::test::TempDir;

namespace {

FactSet collect(const CollectorEntry& entry, const Sysroot* proc) {
    TempDir root;
    auto r = Sysroot::open(root.path()).value();
    const IdentityTable ids = IdentityTable::load(r);
    CollectContext ctx{r, ids, proc, nullptr};
    return entry.collect(ctx, SelectArgs{});
}

FactSet collect_live(const CollectorEntry& entry) {
    auto proc = Sysroot::open("/proc").value();
    return collect(entry, &proc);
}

std::string nft_json() {
    auto r = triad::test::run({"nft", "-j", "list", "ruleset"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out;
}

void load(const std::string& ruleset) {
    TempDir dir;
    triad::test::write_file(dir / "rules.nft", ruleset);
    auto r = triad::test::run({"nft", "-f", dir / "rules.nft"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

std::string chain_field(const Fact& f, const char* name) { return field_text(f, kFirewallChainsCollector.fields, name); }
std::string fw_field(const Fact& f, const char* name) { return field_text(f, kFirewallCollector.fields, name); }

// input: policy drop, ends in reject; forward (inet): accepts all; ip forward: policy accept
// but ends in an unconditional drop; ip6 input: policy drop undone by an unconditional
// accept first; a regular chain and a nat prerouting chain that are not reported.
constexpr const char* kRuleset = R"(table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    iif lo accept
    ct state established,related accept
    tcp dport 22 accept
    counter reject
  }
  chain fw {
    type filter hook forward priority filter; policy accept;
  }
  chain helper {
    ip saddr 10.0.0.1 drop
  }
}
table ip routed {
  chain fwd4 {
    type filter hook forward priority 10; policy accept;
    ip daddr 192.0.2.1 accept
    counter drop
  }
}
table ip6 open6 {
  chain in6 {
    type filter hook input priority -5; policy drop;
    accept
    tcp dport 80 drop
  }
}
table ip6 nat6 {
  chain pre {
    type nat hook prerouting priority -100;
  }
}
)";

}  // namespace

TEST_CASE("firewall_chains: a ruleset loaded in a private network namespace, as nft -j lists it") {
    PrivateNetns ns;
    load(kRuleset);
    const FactSet facts = collect_live(kFirewallChainsCollector);

    // The reference: nft's own JSON, parsed independently; rules counted per chain.
    Poco::JSON::Parser parser;
    auto items = parser.parse(nft_json()).extract<Poco::JSON::Object::Ptr>()->getArray("nftables");
    std::map<std::string, int> rule_count;
    std::vector<Poco::JSON::Object::Ptr> base;
    for (std::size_t i = 0; i < items->size(); ++i) {
        auto item = items->getObject(static_cast<unsigned>(i));
        if (auto rule = item->getObject("rule"))
            ++rule_count[rule->getValue<std::string>("family") + " " + rule->getValue<std::string>("table") + " " +
                         rule->getValue<std::string>("chain")];
        if (auto chain = item->getObject("chain"); chain && chain->has("hook")) {
            const auto hook = chain->getValue<std::string>("hook");
            if (hook == "input" || hook == "forward") base.push_back(chain);
        }
    }
    REQUIRE(base.size() == 4);
    CHECK(facts.size() == base.size());
    for (const auto& chain : base) {
        const std::string name = chain->getValue<std::string>("family") + " " + chain->getValue<std::string>("table") + " " +
                                 chain->getValue<std::string>("name");
        const Fact* f = find_object(facts, name);
        REQUIRE_MESSAGE(f, name);
        CHECK(f->status == FactStatus::ok);
        CHECK(chain_field(*f, "family") == chain->getValue<std::string>("family"));
        CHECK(chain_field(*f, "table") == chain->getValue<std::string>("table"));
        CHECK(chain_field(*f, "chain") == chain->getValue<std::string>("name"));
        CHECK(chain_field(*f, "type") == chain->getValue<std::string>("type"));
        CHECK(chain_field(*f, "hook") == chain->getValue<std::string>("hook"));
        CHECK(chain_field(*f, "priority") == std::to_string(chain->getValue<int>("prio")));
        CHECK(chain_field(*f, "policy") == chain->getValue<std::string>("policy"));
        CHECK(chain_field(*f, "rules") == std::to_string(rule_count[name]));
    }

    // How an unmatched packet leaves each chain, as the ruleset above was written.
    const Fact* input = find_object(facts, "inet filter input");
    const Fact* fw = find_object(facts, "inet filter fw");
    const Fact* fwd4 = find_object(facts, "ip routed fwd4");
    const Fact* in6 = find_object(facts, "ip6 open6 in6");
    REQUIRE((input && fw && fwd4 && in6));
    CHECK(chain_field(*input, "ends_in_drop") == "true");
    CHECK(chain_field(*input, "default_deny") == "true");
    CHECK(chain_field(*fw, "rules") == "0");
    CHECK(chain_field(*fw, "ends_in_drop") == "false");
    CHECK(chain_field(*fw, "unmatched_verdict") == "accept");
    CHECK(chain_field(*fwd4, "policy") == "accept");
    CHECK(chain_field(*fwd4, "ends_in_drop") == "true");
    CHECK(chain_field(*fwd4, "default_deny") == "true");
    CHECK(chain_field(*in6, "policy") == "drop");
    CHECK(chain_field(*in6, "unmatched_verdict") == "accept");
    CHECK(chain_field(*in6, "default_deny") == "false");
    // Neither the regular chain nor the nat prerouting chain is an input/forward base chain.
    CHECK(find_object(facts, "inet filter helper") == nullptr);
    CHECK(find_object(facts, "ip6 nat6 pre") == nullptr);
}

TEST_CASE("firewall: the namespace's summary follows its base chains, and reading changes nothing") {
    PrivateNetns ns;
    load(kRuleset);
    const std::string before = nft_json();
    const FactSet facts = collect_live(kFirewallCollector);
    CHECK(nft_json() == before);  // libnftables only listed the ruleset
    REQUIRE(facts.size() == 1);
    const Fact& f = facts[0];
    REQUIRE(f.status == FactStatus::ok);
    CHECK(fw_field(f, "ruleset_loaded") == "true");
    CHECK(fw_field(f, "tables") == "inet filter, ip routed, ip6 open6, ip6 nat6");
    CHECK(fw_field(f, "base_chains") == "5");
    // inet filter input drops unmatched IPv4 and IPv6 (ip6 open6's accept only ends that chain).
    CHECK(fw_field(f, "input_default_deny") == "true");
    CHECK(fw_field(f, "input_open_families") == "");
    // Forwarded IPv4 meets ip routed's final drop; nothing drops forwarded IPv6.
    CHECK(fw_field(f, "forward_default_deny") == "false");
    CHECK(fw_field(f, "forward_open_families") == "ipv6");
    // As the namespace's own sysctls say (a new namespace may inherit IPv4's from the host).
    const bool forwarding = triad::test::read_file("/proc/sys/net/ipv4/ip_forward") == "1\n" ||
                            triad::test::read_file("/proc/sys/net/ipv6/conf/all/forwarding") == "1\n";
    CHECK(fw_field(f, "forwarding") == (forwarding ? "true" : "false"));
}

TEST_CASE("firewall: iptables-nft rules are nftables tables, judged the same way") {
    PrivateNetns ns;
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"iptables-nft", "-P", "INPUT", "DROP"},
             {"iptables-nft", "-A", "INPUT", "-i", "lo", "-j", "ACCEPT"},
             {"iptables-nft", "-A", "FORWARD", "-j", "DROP"},
             {"ip6tables-nft", "-P", "INPUT", "DROP"}}) {
        auto r = triad::test::run(argv);
        REQUIRE_MESSAGE(r.exit_code == 0, argv[0] << ": " << r.err);
    }
    const FactSet chains = collect_live(kFirewallChainsCollector);
    const Fact* input = find_object(chains, "ip filter INPUT");
    const Fact* forward = find_object(chains, "ip filter FORWARD");
    const Fact* input6 = find_object(chains, "ip6 filter INPUT");
    REQUIRE((input && forward && input6));
    CHECK(chain_field(*input, "policy") == "drop");
    CHECK(chain_field(*input, "rules") == "1");
    CHECK(chain_field(*input, "default_deny") == "true");
    CHECK(chain_field(*forward, "policy") == "accept");
    CHECK(chain_field(*forward, "ends_in_drop") == "true");  // -j DROP with iptables' counter before it
    CHECK(chain_field(*forward, "default_deny") == "true");
    CHECK(chain_field(*input6, "default_deny") == "true");
    const FactSet facts = collect_live(kFirewallCollector);
    REQUIRE(facts.size() == 1);
    CHECK(fw_field(facts[0], "input_default_deny") == "true");
    CHECK(fw_field(facts[0], "forward_open_families") == "ipv6");
}

TEST_CASE("firewall: an empty ruleset is no firewall, not an error") {
    PrivateNetns ns;
    const FactSet facts = collect_live(kFirewallCollector);
    REQUIRE(facts.size() == 1);
    REQUIRE(facts[0].status == FactStatus::ok);
    CHECK(nft_json().find("\"table\"") == std::string::npos);
    CHECK(fw_field(facts[0], "ruleset_loaded") == "false");
    CHECK(fw_field(facts[0], "tables") == "");
    CHECK(fw_field(facts[0], "input_default_deny") == "false");
    CHECK(fw_field(facts[0], "input_open_families") == "ipv4, ipv6");
    CHECK(fw_field(facts[0], "forward_default_deny") == "false");
    const FactSet chains = collect_live(kFirewallChainsCollector);
    REQUIRE(chains.size() == 1);
    CHECK(chains[0].status == FactStatus::not_applicable);
}

TEST_CASE("firewall: a fixture proc tree or an offline root never reads this kernel's ruleset") {
    TempDir fixture;
    triad::test::make_dirs(fixture / "sys/net/ipv4");
    auto proc = Sysroot::open(fixture.path()).value();
    for (const CollectorEntry* e : {&kFirewallCollector, &kFirewallChainsCollector}) {
        FactSet facts = collect(*e, &proc);
        REQUIRE(facts.size() == 1);
        CHECK(facts[0].status == FactStatus::not_applicable);
        CHECK(facts[0].reason.find("not the live procfs") != std::string::npos);
        facts = collect(*e, nullptr);
        REQUIRE(facts.size() == 1);
        CHECK(facts[0].status == FactStatus::not_applicable);
    }
}

namespace {

// `triad scan` of the live firewall checks run by a shell in its own network namespace,
// after `setup` (nft, sysctl) ran there; check id → verdict.
std::map<std::string, std::string> scan_in_private_netns(const std::string& setup) {
    const std::string policy = triad::test::source_dir() + "/rules/policies/isolation.yml";
    auto r = triad::test::sh("unshare --net sh -c '" + setup + " && exec " + triad::test::triad_binary() + " scan --policy " +
                             policy + " --only ISO-FW-* --format json'");
    INFO(r.err);
    REQUIRE_MESSAGE(r.out.rfind("{", 0) == 0, "no JSON report: " << r.out);
    Poco::JSON::Parser parser;
    auto results = parser.parse(r.out).extract<Poco::JSON::Object::Ptr>()->getArray("results");
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; results && i < results->size(); ++i) {
        auto o = results->getObject(static_cast<unsigned>(i));
        out[o->getValue<std::string>("id")] = o->getValue<std::string>("verdict");
    }
    return out;
}

}  // namespace

TEST_CASE("isolation policy: the live firewall checks judge the ruleset the kernel holds") {
    // A routing namespace without any ruleset: nothing protects it.
    auto v = scan_in_private_netns("echo 1 > /proc/sys/net/ipv4/ip_forward");
    CHECK(v["ISO-FW-RULESET-LOADED"] == "fail");
    CHECK(v["ISO-FW-INPUT-DEFAULT-DENY"] == "fail");
    CHECK(v["ISO-FW-FORWARD-DEFAULT-DENY"] == "fail");
    CHECK(v["ISO-FW-NO-LEGACY-TABLES"] == "pass");

    // The same namespace with default-deny input and forward chains in an inet table.
    TempDir dir;
    triad::test::write_file(dir / "deny.nft",
                            "table inet filter {\n"
                            "  chain input { type filter hook input priority 0; policy drop; iif lo accept; }\n"
                            "  chain forward { type filter hook forward priority 0; policy drop; }\n"
                            "}\n");
    v = scan_in_private_netns("echo 1 > /proc/sys/net/ipv4/ip_forward && nft -f " + dir / "deny.nft");
    CHECK(v["ISO-FW-RULESET-LOADED"] == "pass");
    CHECK(v["ISO-FW-INPUT-DEFAULT-DENY"] == "pass");
    CHECK(v["ISO-FW-FORWARD-DEFAULT-DENY"] == "pass");

    // Forwarding IPv6 is not covered by an ip (IPv4-only) table.
    triad::test::write_file(dir / "v4.nft", "table ip filter {\n  chain forward { type filter hook forward priority 0; policy drop; }\n}\n");
    v = scan_in_private_netns("echo 1 > /proc/sys/net/ipv6/conf/all/forwarding && nft -f " + dir / "v4.nft");
    CHECK(v["ISO-FW-RULESET-LOADED"] == "pass");
    CHECK(v["ISO-FW-FORWARD-DEFAULT-DENY"] == "fail");
}

TEST_CASE("firewall: without CAP_NET_ADMIN the listing is an error, not an empty ruleset") {
    // Root with CAP_NET_ADMIN dropped from the bounding set: the kernel would refuse the
    // netlink dump, so the checks say error (never "no firewall"), and nothing leaks to stderr.
    const std::string policy = triad::test::source_dir() + "/rules/policies/isolation.yml";
    auto r = triad::test::run({"setpriv", "--bounding-set=-net_admin", triad::test::triad_binary(), "scan", "--policy", policy,
                               "--only", "ISO-FW-RULESET-LOADED", "--format", "json"});
    INFO(r.err);
    REQUIRE(r.out.rfind("{", 0) == 0);
    Poco::JSON::Parser parser;
    auto results = parser.parse(r.out).extract<Poco::JSON::Object::Ptr>()->getArray("results");
    REQUIRE(results->size() == 1);
    CHECK(results->getObject(0)->getValue<std::string>("verdict") == "error");
    CHECK(r.out.find("CAP_NET_ADMIN") != std::string::npos);
    CHECK(r.err.find("must be root") == std::string::npos);
}
