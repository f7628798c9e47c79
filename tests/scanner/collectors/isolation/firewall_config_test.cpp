// SPDX-License-Identifier: Apache-2.0
// The firewall_config collector over fixture roots built here: nftables.conf with and
// without a default-drop input chain, iptables-save files, ufw, firewalld zones, enabled and
// masked loader services, an unreadable file, a malformed zone. The nftables fixtures are
// checked to be valid nft syntax with `nft -c` in a private network namespace when possible.
#include "scanner/collectors/isolation/firewall_config.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <set>

#include "tests/scanner/collect_root.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet collect(const std::string& dir) { return triad::test::collect_root(kFirewallConfigCollector, dir); }

std::string f(const FactSet& facts, const std::string& object, const std::string& field) {
    return triad::test::object_field(facts, kFirewallConfigCollector.fields, object, field);
}

void enable(const TempDir& root, const std::string& unit) {
    write_file(root / "usr/lib/systemd/system/" + unit, "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n");
    triad::test::make_dirs(root / "etc/systemd/system/multi-user.target.wants");
    REQUIRE(::symlink(("/usr/lib/systemd/system/" + unit).c_str(),
                      (root / "etc/systemd/system/multi-user.target.wants/" + unit).c_str()) == 0);
}

// `nft -c -f FILE` in a new network namespace: the fixture is real nft syntax.
void check_nft_syntax(const std::string& file) {
    if (::geteuid() != 0 || triad::test::sh("command -v nft >/dev/null && command -v unshare >/dev/null").exit_code != 0) return;
    auto r = triad::test::sh("unshare -n nft -c -f " + file);
    CHECK_MESSAGE(r.exit_code == 0, file << ": " << r.err);
}

// nft itself loading `etc`/nftables.conf into a private network namespace with `etc` as its
// include path (so relative includes resolve inside the fixture): the families (ipv4, ipv6)
// whose input hook has a base chain with policy drop; nullopt when nft refuses the file.
std::optional<std::set<std::string>> nft_loaded_deny_families(const std::string& etc) {
    auto r = triad::test::sh("unshare -n sh -c 'nft -I " + etc + " -f " + etc + "/nftables.conf && nft -j list chains'");
    if (r.exit_code != 0) return std::nullopt;
    std::set<std::string> out;
    Poco::JSON::Parser parser;
    auto items = parser.parse(r.out).extract<Poco::JSON::Object::Ptr>()->getArray("nftables");
    for (std::size_t i = 0; items && i < items->size(); ++i) {
        auto chain = items->getObject(static_cast<unsigned>(i))->getObject("chain");
        if (!chain || chain->optValue<std::string>("hook", "") != "input" || chain->optValue<std::string>("policy", "") != "drop")
            continue;
        const std::string family = chain->getValue<std::string>("family");
        if (family == "ip" || family == "inet") out.insert("ipv4");
        if (family == "ip6" || family == "inet") out.insert("ipv6");
    }
    return out;
}

bool can_run_nft() {
    return ::geteuid() == 0 && triad::test::sh("command -v nft >/dev/null && command -v unshare >/dev/null").exit_code == 0;
}

constexpr const char* kDropConf =
    "#!/usr/sbin/nft -f\nflush ruleset\n\n"
    "table inet filter {\n"
    "\tset allowed { type inet_service; elements = { 22, 443 } }\n"
    "\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n"
    "\t\tct state established,related accept\n\t\tiif \"lo\" accept # loopback { not a block\n"
    "\t\ttcp dport @allowed accept\n\t}\n"
    "\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t}\n"
    "\tchain output { type filter hook output priority 0; policy accept; }\n"
    "}\n";

}  // namespace

TEST_CASE("firewall_config: nothing configured lists every kind as absent, so nothing passes") {
    TempDir root;
    const FactSet facts = collect(root.path());
    for (const char* kind : {"nftables", "iptables-persistent", "ufw", "firewalld"}) {
        CHECK(f(facts, kind, "present") == "false");
        CHECK(f(facts, kind, "boot_default_deny") == "false");
    }
}

TEST_CASE("firewall_config: nftables.conf with a default-drop inet input chain, loader enabled") {
    TempDir root;
    write_file(root / "etc/nftables.conf", kDropConf);
    check_nft_syntax(root / "etc/nftables.conf");
    FactSet facts = collect(root.path());
    CHECK(f(facts, "nftables", "present") == "true");
    CHECK(f(facts, "nftables", "default_deny_input") == "true");
    CHECK(f(facts, "nftables", "deny_families") == "ipv4, ipv6");
    CHECK(f(facts, "nftables", "input_policy") == "inet filter input: policy drop");
    CHECK(f(facts, "nftables", "size") == std::to_string(std::string(kDropConf).size()));
    CHECK(f(facts, "nftables", "loader_enabled") == "false");
    CHECK(f(facts, "nftables", "boot_default_deny") == "false");  // nothing loads it at boot

    enable(root, "nftables.service");
    facts = collect(root.path());
    CHECK(f(facts, "nftables", "loader_enabled") == "true");
    CHECK(f(facts, "nftables", "boot_default_deny") == "true");

    // Masked, the link in multi-user.target.wants no longer starts it.
    REQUIRE(::symlink("/dev/null", (root / "etc/systemd/system/nftables.service").c_str()) == 0);
    CHECK(f(collect(root.path()), "nftables", "loader_enabled") == "false");
}

TEST_CASE("firewall_config: nftables variants that do not deny input by default") {
    TempDir root;
    enable(root, "nftables.service");
    SUBCASE("policy accept, drop only on forward, drop in a comment") {
        write_file(root / "etc/nftables.conf",
                   "table inet filter {\n chain input {\n  type filter hook input priority 0; policy accept; # policy drop;\n }\n"
                   " chain forward { type filter hook forward priority 0; policy drop; }\n}\n");
        check_nft_syntax(root / "etc/nftables.conf");
        const FactSet facts = collect(root.path());
        CHECK(f(facts, "nftables", "default_deny_input") == "false");
        CHECK(f(facts, "nftables", "deny_families") == "");
        CHECK(f(facts, "nftables", "boot_default_deny") == "false");
    }
    SUBCASE("an ip table covers IPv4 only; the add-chain form is read; a wildcard include matching nothing is fine") {
        write_file(root / "etc/nftables.conf",
                   "include \"/etc/nftables.d/*.nft\"\nadd table ip filter\n"
                   "add chain ip filter input { type filter hook input priority 0 ; policy drop ; }\n");
        const FactSet facts = collect(root.path());
        CHECK(f(facts, "nftables", "deny_families") == "ipv4");
        CHECK(f(facts, "nftables", "default_deny_input") == "false");
        CHECK(f(facts, "nftables", "includes") == "\"/etc/nftables.d/*.nft\"");
        CHECK(f(facts, "nftables", "include_problems") == "");
        CHECK(f(facts, "nftables", "files") == "/etc/nftables.conf");
    }
    SUBCASE("ip and ip6 tables together cover both families") {
        write_file(root / "etc/nftables.conf",
                   "table ip f4 {\n chain in4 {\n  type filter hook input priority 0; policy drop;\n }\n}\n"
                   "table ip6 f6 {\n chain in6 {\n  type filter hook input priority 0; policy drop;\n }\n}\n");
        check_nft_syntax(root / "etc/nftables.conf");
        const FactSet facts = collect(root.path());
        CHECK(f(facts, "nftables", "deny_families") == "ipv4, ipv6");
        CHECK(f(facts, "nftables", "boot_default_deny") == "true");
    }
}

TEST_CASE("firewall_config: iptables-persistent rules.v4 and rules.v6") {
    TempDir root;
    enable(root, "netfilter-persistent.service");
    const std::string v4 = "# Generated by iptables-save\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                           "-A INPUT -i lo -j ACCEPT\nCOMMIT\n";
    write_file(root / "etc/iptables/rules.v4", v4);
    FactSet facts = collect(root.path());
    CHECK(f(facts, "iptables-persistent", "deny_families") == "ipv4");
    CHECK(f(facts, "iptables-persistent", "default_deny_input") == "false");  // IPv6 unfiltered
    CHECK(f(facts, "iptables-persistent", "input_policy") == "/etc/iptables/rules.v4: *filter :INPUT DROP (line 3)");

    write_file(root / "etc/iptables/rules.v6", "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n");
    facts = collect(root.path());
    CHECK(f(facts, "iptables-persistent", "default_deny_input") == "false");
    write_file(root / "etc/iptables/rules.v6", "*filter\n:INPUT DROP [0:0]\nCOMMIT\n");
    facts = collect(root.path());
    CHECK(f(facts, "iptables-persistent", "default_deny_input") == "true");
    CHECK(f(facts, "iptables-persistent", "files") == "/etc/iptables/rules.v4, /etc/iptables/rules.v6");
    CHECK(f(facts, "iptables-persistent", "boot_default_deny") == "true");
}

TEST_CASE("firewall_config: ufw needs ENABLED=yes as well as a drop policy and its service") {
    TempDir root;
    enable(root, "ufw.service");
    write_file(root / "etc/default/ufw", "IPV6=yes\nDEFAULT_INPUT_POLICY=\"DROP\"\n");
    write_file(root / "etc/ufw/ufw.conf", "ENABLED=no\n");
    FactSet facts = collect(root.path());
    CHECK(f(facts, "ufw", "default_deny_input") == "true");
    CHECK(f(facts, "ufw", "config_enabled") == "false");
    CHECK(f(facts, "ufw", "boot_default_deny") == "false");
    write_file(root / "etc/ufw/ufw.conf", "ENABLED=yes\n");
    CHECK(f(collect(root.path()), "ufw", "boot_default_deny") == "true");
    write_file(root / "etc/default/ufw", "IPV6=no\nDEFAULT_INPUT_POLICY=\"DROP\"\n");
    facts = collect(root.path());
    CHECK(f(facts, "ufw", "deny_families") == "ipv4");
    CHECK(f(facts, "ufw", "boot_default_deny") == "false");
}

TEST_CASE("firewall_config: firewalld's default zone and its target") {
    TempDir root;
    enable(root, "firewalld.service");
    write_file(root / "usr/lib/firewalld/zones/public.xml",
               "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<zone>\n  <short>Public</short>\n  <service name=\"ssh\"/>\n</zone>\n");
    write_file(root / "usr/lib/firewalld/zones/trusted.xml", "<?xml version=\"1.0\"?>\n<zone target=\"ACCEPT\"><short>Trusted</short></zone>\n");
    SUBCASE("no firewalld.conf: the built-in default zone public, target default") {
        const FactSet facts = collect(root.path());
        CHECK(f(facts, "firewalld", "input_policy") == "zone public target default");
        CHECK(f(facts, "firewalld", "boot_default_deny") == "true");
    }
    SUBCASE("DefaultZone=trusted accepts everything") {
        write_file(root / "etc/firewalld/firewalld.conf", "# comment\nDefaultZone=trusted\n");
        const FactSet facts = collect(root.path());
        CHECK(f(facts, "firewalld", "input_policy") == "zone trusted target ACCEPT");
        CHECK(f(facts, "firewalld", "default_deny_input") == "false");
    }
    SUBCASE("an administrator's zone file hides the shipped one") {
        write_file(root / "etc/firewalld/firewalld.conf", "DefaultZone=public\n");
        write_file(root / "etc/firewalld/zones/public.xml", "<zone target=\"ACCEPT\"/>\n");
        const FactSet facts = collect(root.path());
        CHECK(f(facts, "firewalld", "files") == "/etc/firewalld/firewalld.conf, /etc/firewalld/zones/public.xml");
        CHECK(f(facts, "firewalld", "default_deny_input") == "false");
    }
    SUBCASE("an ACCEPT zone bound to an interface or a source opens what arrives there") {
        // trusted (ACCEPT) takes eth1 and 10.0.0.0/8; work (default target) binding eth2 does
        // not accept; the shipped internal zone (ACCEPT, eth3) is hidden by a DROP copy in /etc.
        write_file(root / "etc/firewalld/zones/trusted.xml",
                   "<?xml version=\"1.0\"?>\n<zone target=\"ACCEPT\">\n  <interface name=\"eth1\"/>\n"
                   "  <source address=\"10.0.0.0/8\"/>\n</zone>\n");
        write_file(root / "etc/firewalld/zones/work.xml", "<zone><interface name=\"eth2\"/></zone>\n");
        write_file(root / "usr/lib/firewalld/zones/internal.xml", "<zone target=\"ACCEPT\"><interface name=\"eth3\"/></zone>\n");
        write_file(root / "etc/firewalld/zones/internal.xml", "<zone target=\"DROP\"><interface name=\"eth3\"/></zone>\n");
        FactSet facts = collect(root.path());
        CHECK(f(facts, "firewalld", "accepting_zones") == "zone trusted: interface eth1, zone trusted: source 10.0.0.0/8");
        CHECK(f(facts, "firewalld", "default_deny_input") == "false");
        CHECK(f(facts, "firewalld", "boot_default_deny") == "false");
        CHECK(f(facts, "firewalld", "files") == "/usr/lib/firewalld/zones/public.xml, /etc/firewalld/zones/trusted.xml");
        CHECK(f(facts, "firewalld", "input_policy") ==
              "zone public target default, zone trusted: interface eth1 (target ACCEPT), zone trusted: source 10.0.0.0/8 (target ACCEPT)");
        // Unbound, the trusted zone opens nothing.
        write_file(root / "etc/firewalld/zones/trusted.xml", "<zone target=\"ACCEPT\"/>\n");
        facts = collect(root.path());
        CHECK(f(facts, "firewalld", "accepting_zones") == "");
        CHECK(f(facts, "firewalld", "default_deny_input") == "true");
        // A malformed zone that is not the default one is an error too: it could bind anything.
        write_file(root / "etc/firewalld/zones/broken.xml", "<zone target=\"ACCEPT\">\n");
        CHECK(find_object(collect(root.path()), "firewalld")->status == FactStatus::error);
    }
    SUBCASE("a malformed zone, a missing zone and an external entity are errors, never defaults") {
        write_file(root / "etc/firewalld/firewalld.conf", "DefaultZone=public\n");
        write_file(root / "etc/firewalld/zones/public.xml", "<zone target=\"DROP\">\n");
        const FactSet malformed = collect(root.path());
        const Fact* bad = find_object(malformed, "firewalld");
        REQUIRE(bad);
        CHECK(bad->status == FactStatus::error);
        CHECK_MESSAGE(bad->reason.find("/etc/firewalld/zones/public.xml") != std::string::npos, bad->reason);

        write_file(root / "etc/firewalld/firewalld.conf", "DefaultZone=../../../etc/passwd\n");
        CHECK(find_object(collect(root.path()), "firewalld")->status == FactStatus::error);
        write_file(root / "etc/firewalld/firewalld.conf", "DefaultZone=nosuch\n");
        CHECK(find_object(collect(root.path()), "firewalld")->status == FactStatus::error);

        write_file(root / "etc/secret", "ACCEPT");
        write_file(root / "etc/firewalld/firewalld.conf", "DefaultZone=public\n");
        write_file(root / "etc/firewalld/zones/public.xml",
                   "<?xml version=\"1.0\"?>\n<!DOCTYPE zone [<!ENTITY t SYSTEM \"file:///etc/secret\">]>\n<zone target=\"&t;\"/>\n");
        const FactSet facts = collect(root.path());
        const Fact* ext = find_object(facts, "firewalld");
        REQUIRE(ext);
        if (ext->status == FactStatus::ok) CHECK(f(facts, "firewalld", "input_policy").find("ACCEPT") == std::string::npos);
    }
}

TEST_CASE("firewall_config: an unreadable configuration is an error for that kind only") {
    // A FIFO: read_file refuses it unopened, even for root (who can read any mode).
    TempDir root;
    triad::test::make_dirs(root / "etc/iptables");
    REQUIRE(::mkfifo((root / "etc/iptables/rules.v4").c_str(), 0600) == 0);
    write_file(root / "etc/nftables.conf", kDropConf);
    const FactSet facts = collect(root.path());
    const Fact* ipt = find_object(facts, "iptables-persistent");
    REQUIRE(ipt);
    CHECK(ipt->status == FactStatus::error);
    CHECK(ipt->reason.find("rules.v4") != std::string::npos);
    CHECK(f(facts, "nftables", "default_deny_input") == "true");
}

TEST_CASE("firewall_config: the statement scanners on hostile text stay bounded") {
    const std::string deep(200000, '{');
    CHECK(nft_input_policy(deep).deny_families.empty());
    const std::string closes(200000, '}');
    CHECK(nft_input_policy(closes).deny_families.empty());
    CHECK(nft_input_policy("chain\n{\n\"unterminated").deny_families.empty());
    CHECK(iptables_save_input_policy(":INPUT\n*\n:INPUT  \n", "ipv4").deny_families.empty());
}

TEST_CASE("firewall_config: nftables.conf includes are followed inside the root, as nft follows them") {
    TempDir root;
    enable(root, "nftables.service");
    // Relative names come from nft's include path (/etc); a wildcard skips dotfiles and
    // matches in alphabetical order. Only the ip table's input drops; the dotfile's ip6 one
    // would add IPv6 if it were read.
    write_file(root / "etc/nftables.conf", "flush ruleset\ninclude \"nftables.d/*.nft\"\n");
    write_file(root / "etc/nftables.d/10-filter.nft",
               "table ip filter {\n chain input {\n  type filter hook input priority 0; policy drop;\n }\n}\n"
               "include \"nftables.d/sub/*.nft\"\n");
    write_file(root / "etc/nftables.d/sub/forward.nft", "table ip routed {\n chain forward { type filter hook forward priority 0; policy drop; }\n}\n");
    write_file(root / "etc/nftables.d/.hidden.nft", "table ip6 hidden {\n chain in6 { type filter hook input priority 0; policy drop; }\n}\n");
    FactSet facts = collect(root.path());
    CHECK(f(facts, "nftables", "files") == "/etc/nftables.conf, /etc/nftables.d/10-filter.nft, /etc/nftables.d/sub/forward.nft");
    CHECK(f(facts, "nftables", "includes") == "\"nftables.d/*.nft\", \"nftables.d/sub/*.nft\"");
    CHECK(f(facts, "nftables", "deny_families") == "ipv4");
    CHECK(f(facts, "nftables", "input_policy") == "/etc/nftables.d/10-filter.nft: ip filter input: policy drop");
    CHECK(f(facts, "nftables", "include_problems") == "");
    if (can_run_nft()) CHECK(nft_loaded_deny_families(root / "etc") == std::set<std::string>{"ipv4"});

    // An ip6 file beside it: both families, as nft loads them.
    write_file(root / "etc/nftables.d/20-v6.nft", "table ip6 filter6 {\n chain in6 { type filter hook input priority 0; policy drop; }\n}\n");
    facts = collect(root.path());
    CHECK(f(facts, "nftables", "deny_families") == "ipv4, ipv6");
    CHECK(f(facts, "nftables", "boot_default_deny") == "true");
    if (can_run_nft()) CHECK(nft_loaded_deny_families(root / "etc") == std::set<std::string>{"ipv4", "ipv6"});

    // A plain include naming no file: nft loads nothing at all, so nothing is denied.
    write_file(root / "etc/nftables.conf", "flush ruleset\ninclude \"nftables.d/*.nft\"\ninclude \"local.nft\"\n");
    facts = collect(root.path());
    CHECK(f(facts, "nftables", "default_deny_input") == "false");
    CHECK(f(facts, "nftables", "boot_default_deny") == "false");
    CHECK(f(facts, "nftables", "include_problems") ==
          "/etc/nftables.conf: include \"local.nft\" names no file: nft refuses to load the ruleset");
    if (can_run_nft()) CHECK_FALSE(nft_loaded_deny_families(root / "etc").has_value());
}

TEST_CASE("firewall_config: includes that are not followed, and include loops, are bounded and reported") {
    TempDir root;
    // An absolute include is the audited root's file, never the scanner's own /etc. A loop
    // (a includes b includes a) reads each file once; an include inside a table block and
    // one relative to nft's working directory are reported, not guessed.
    write_file(root / "etc/nftables.conf", "include \"/etc/fw/a.nft\"\ninclude \"./local.nft\"\n");
    write_file(root / "etc/fw/a.nft", "include \"/etc/fw/b.nft\"\ntable inet t {\n include \"/etc/fw/chains.nft\"\n}\n");
    write_file(root / "etc/fw/b.nft", "include \"/etc/fw/a.nft\"\ntable inet filter {\n chain input { type filter hook input priority 0; policy drop; }\n}\n");
    const FactSet facts = collect(root.path());
    CHECK(f(facts, "nftables", "files") == "/etc/nftables.conf, /etc/fw/a.nft, /etc/fw/b.nft");
    CHECK(f(facts, "nftables", "deny_families") == "ipv4, ipv6");
    CHECK(f(facts, "nftables", "include_problems") ==
          "/etc/fw/a.nft: include \"/etc/fw/chains.nft\" inside a block: not followed, "
          "/etc/nftables.conf: include \"./local.nft\" is relative to nft's working directory: not followed");
}
