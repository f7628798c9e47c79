// SPDX-License-Identifier: Apache-2.0
// The services collector over a fixture root of unit files (drop-ins, masks, aliases,
// templates, .wants links, broken units), its exposure scores cross-checked with
// `systemd-analyze security --offline=true --root=FIXTURE` where systemd-analyze is
// installed, and its limits on hostile input.
#include "scanner/collectors/services/services.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <sstream>

#include "scanner/collectors/services/exposure.h"
#include "scanner/collectors/services/unit_files.h"
#include "tests/scanner/collect_root.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet collect(const std::string& dir) { return triad::test::collect_root(kServicesCollector, dir); }

std::string f(const FactSet& facts, const std::string& object, const std::string& field) {
    return triad::test::object_field(facts, kServicesCollector.fields, object, field);
}

void link(const std::string& target, const std::string& path) {
    triad::test::make_dirs(path.substr(0, path.rfind('/')));
    REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
}

constexpr const char* kVendor = "usr/lib/systemd/system/";
constexpr const char* kAdmin = "etc/systemd/system/";

struct UnitRoot {
    TempDir dir;
    UnitRoot() {
        write_file(dir / kVendor + "hardened.service",
                   "[Unit]\nDescription=hardened\n\n[Service]\nExecStart=/usr/bin/hardened\nUser=svc\n"
                   "ProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\nPrivateDevices=yes\nPrivateUsers=yes\n"
                   "NoNewPrivileges=yes\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n"
                   "SystemCallFilter=@system-service\nSystemCallFilter=~@privileged @resources\n"
                   "SystemCallArchitectures=native\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n"
                   "RestrictNamespaces=yes\nIPAddressDeny=any\nIPAddressAllow=localhost\nUMask=0077\n"
                   "ProtectProc=invisible\nProcSubset=pid\nLockPersonality=yes\nMemoryDenyWriteExecute=yes\n"
                   "RestrictRealtime=yes\nRestrictSUIDSGID=yes\nProtectKernelTunables=yes\nProtectKernelModules=yes\n"
                   "ProtectKernelLogs=yes\nProtectControlGroups=yes\nProtectClock=yes\nProtectHostname=yes\n"
                   "DevicePolicy=closed\nRemoveIPC=yes\n\n[Install]\nWantedBy=multi-user.target\n");
        write_file(dir / kVendor + "plain.service", "[Service]\nExecStart=/usr/bin/plain --with \\\n  continued-args\n");
        link("/usr/lib/systemd/system/plain.service", dir / kAdmin + "multi-user.target.wants/plain.service");
        link("/usr/lib/systemd/system/plain.service", dir / kAdmin + "alias.service");

        write_file(dir / kVendor + "override.service", "[Service]\nExecStart=/usr/bin/override\n");
        write_file(dir / kVendor + "override.service.d/10-harden.conf", "[Service]\nPrivateNetwork=yes\n");
        write_file(dir / kVendor + "override.service.d/20-more.conf", "[Service]\nProtectSystem=full\n");
        write_file(dir / kAdmin + "override.service.d/10-harden.conf", "# hides the vendor file of this name\n[Service]\nUser=nobody\nPrivateTmp=yes\n");

        write_file(dir / kVendor + "masked.service", "[Service]\nExecStart=/usr/bin/masked\n");
        link("/dev/null", dir / kAdmin + "masked.service");

        write_file(dir / kVendor + "worker@.service", "[Service]\nExecStart=/usr/bin/worker %i\nUser=worker\nPrivateTmp=yes\n");
        link("/usr/lib/systemd/system/worker@.service", dir / kAdmin + "multi-user.target.wants/worker@a.service");

        write_file(dir / kVendor + "broken.service", "[Unit]\nDescription=no command\n[Service]\nType=simple\n");
        write_file(dir / kVendor + "dynamic.service", "[Service]\nExecStart=/usr/bin/dyn\nDynamicUser=yes\n");
        write_file(dir / kVendor + "early.service",
                   "[Unit]\nDefaultDependencies=no\n[Service]\nExecStart=/usr/bin/early\nUser=daemon\n"
                   "SupplementaryGroups=adm\nSystemCallFilter=~@mount @swap @reboot @module @raw-io @clock @debug\n"
                   "SystemCallFilter=~@obsolete @cpu-emulation\nRestrictAddressFamilies=~AF_PACKET AF_NETLINK\n"
                   "RestrictNamespaces=~user net\nCapabilityBoundingSet=~CAP_SYS_ADMIN CAP_SYS_PTRACE\n"
                   "AmbientCapabilities=CAP_NET_RAW\nKeyringMode=shared\nNotifyAccess=all\nDelegate=yes\n"
                   "ProtectHome=tmpfs\nUMask=0002\nSystemCallArchitectures=native x86\nIPAddressDeny=any\n"
                   "IPAddressAllow=10.0.0.0/8\nProtectProc=noaccess\n");
        write_file(dir / kVendor + "telnet.socket", "[Socket]\nListenStream=23\nAccept=yes\n");
        link("/usr/lib/systemd/system/telnet.socket", dir / kAdmin + "sockets.target.wants/telnet.socket");
    }
};

}  // namespace

TEST_CASE("services: fragments, drop-ins, masks, aliases, templates and enablement") {
    UnitRoot r;
    write_file(r.dir / kVendor + "bad.service", "ExecStart=/bin/true\n[Service]\n");
    FactSet facts = collect(r.dir.path());

    CHECK(f(facts, "plain.service", "enabled") == "true");
    CHECK(f(facts, "plain.service", "wanted_by") == "multi-user.target");
    CHECK(f(facts, "plain.service", "aliases") == "alias.service");
    CHECK(f(facts, "plain.service", "path") == "/usr/lib/systemd/system/plain.service");
    CHECK(f(facts, "plain.service", "exec_start") == "/usr/bin/plain --with    continued-args");
    CHECK(f(facts, "plain.service", "user") == "root");
    CHECK(find_object(facts, "alias.service") == nullptr);  // another name of plain.service

    CHECK(f(facts, "hardened.service", "enabled") == "false");
    CHECK(f(facts, "hardened.service", "no_new_privileges") == "true");
    CHECK(f(facts, "hardened.service", "protect_system") == "strict");
    CHECK(f(facts, "hardened.service", "system_call_filter") == "true");

    // The /etc drop-in hides the vendor one of the same name; the other vendor one applies.
    CHECK(f(facts, "override.service", "dropins") ==
          "/etc/systemd/system/override.service.d/10-harden.conf, /usr/lib/systemd/system/override.service.d/20-more.conf");
    CHECK(f(facts, "override.service", "user") == "nobody");
    CHECK(f(facts, "override.service", "private_network") == "false");
    CHECK(f(facts, "override.service", "protect_system") == "full");
    CHECK(f(facts, "override.service", "private_tmp") == "true");

    CHECK(f(facts, "masked.service", "masked") == "true");
    CHECK(f(facts, "masked.service", "enabled") == "false");
    CHECK(f(facts, "masked.service", "exposure") == "(absent)");

    CHECK(f(facts, "worker@.service", "template") == "true");
    CHECK(f(facts, "worker@.service", "instances") == "a");
    CHECK(f(facts, "worker@.service", "enabled") == "true");

    CHECK(f(facts, "broken.service", "load_error").find("no ExecStart=") != std::string::npos);
    CHECK(f(facts, "broken.service", "exposure") == "(absent)");

    CHECK(f(facts, "dynamic.service", "user") == "dynamic");
    CHECK(f(facts, "dynamic.service", "protect_system") == "strict");  // implied by DynamicUser=
    CHECK(f(facts, "dynamic.service", "no_new_privileges") == "true");

    CHECK(f(facts, "telnet.socket", "kind") == "socket");
    CHECK(f(facts, "telnet.socket", "enabled") == "true");

    const Fact* bad = find_object(facts, "bad.service");
    REQUIRE(bad);
    CHECK(bad->status == FactStatus::error);
    CHECK(bad->reason.find("bad.service:1: assignment outside of any section") != std::string::npos);
}

TEST_CASE("services: exposure of a bare root service and of a DefaultDependencies=no one") {
    UnitRoot r;
    FactSet facts = collect(r.dir.path());
    // Root, no sandboxing: only KeyringMode (private by default for system services),
    // NotifyAccess, Delegate and AmbientCapabilities are good; what ssh.service scores.
    CHECK(f(facts, "plain.service", "exposure") == "9.6");
    CHECK(f(facts, "plain.service", "exposure_level") == "UNSAFE");
    CHECK(f(facts, "plain.service", "weak_settings").find("PrivateTmp") != std::string::npos);
    CHECK(f(facts, "early.service", "default_dependencies") == "false");
    CHECK(f(facts, "early.service", "weak_settings").find("PrivateTmp") == std::string::npos);  // not applicable
}

TEST_CASE("services: the assessor table is systemd 252's: 81 rows weighing 56460") {
    units::ServiceContext c;
    units::Exposure e = units::assess_exposure(c);
    CHECK(e.rows.size() == 81);
    std::uint64_t weights = 0;
    for (const auto& row : e.rows) weights += row.weight;
    CHECK(weights == 56460);
    CHECK(units::syscall_group("@mount").count("mount") == 1);
    CHECK(units::syscall_group("@privileged").count("swapon") == 1);  // through nested @swap
    CHECK(units::syscall_group("@nonexistent").empty());
}

TEST_CASE("services: exposure and level agree with systemd-analyze security --offline") {
    if (triad::test::run({"systemd-analyze", "--version"}).exit_code != 0) {
        MESSAGE("skipped: systemd-analyze is not installed (scripts/bootstrap installs systemd)");
        return;
    }
    UnitRoot r;
    FactSet facts = collect(r.dir.path());
    const std::vector<std::string> units{"hardened.service", "plain.service",  "override.service",
                                         "dynamic.service",  "early.service",  "worker@.service"};
    std::vector<std::string> argv{"systemd-analyze", "security", "--offline=true", "--root=" + r.dir.path(), "--no-pager"};
    argv.insert(argv.end(), units.begin(), units.end());
    auto out = triad::test::run(argv);
    // "→ Overall exposure level for NAME: 9.6 UNSAFE"; a template is analysed as an instance.
    std::map<std::string, std::pair<std::string, std::string>> reference;
    const std::regex line(R"(Overall exposure level for ([^:@]+)(@[^:]*)?\.service: ([0-9.]+) ([A-Z]+))");
    std::istringstream in(out.out);
    for (std::string l; std::getline(in, l);) {
        std::smatch m;
        if (std::regex_search(l, m, line))
            reference[m[1].str() + (m[2].matched ? "@" : "") + ".service"] = {m[3].str(), m[4].str()};
    }
    REQUIRE_MESSAGE(reference.size() == units.size(), out.out << out.err);
    for (const std::string& u : units) {
        INFO(u);
        CHECK(f(facts, u, "exposure") == reference[u].first);
        CHECK(f(facts, u, "exposure_level") == reference[u].second);
    }
}

TEST_CASE("services: no unit directory is not_applicable; hostile files are errors naming them") {
    TempDir bare;
    FactSet facts = collect(bare.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::not_applicable);

    TempDir hostile;
    write_file(hostile / kVendor + "huge.service", "[Service]\nExecStart=/bin/x\n" + std::string(600 * 1024, '#'));
    triad::test::make_dirs(hostile / kVendor);
    REQUIRE(::mkfifo((hostile / kVendor + "fifo.service").c_str(), 0644) == 0);
    link("../../../../../../etc/shadow", hostile / kVendor + "escape.service");
    write_file(hostile / "etc/shadow", "root:secret\n");
    facts = collect(hostile.path());
    const Fact* huge = find_object(facts, "huge.service");
    REQUIRE(huge);
    CHECK(huge->status == FactStatus::error);
    CHECK(huge->reason.find("huge.service") != std::string::npos);
    const Fact* fifo = find_object(facts, "fifo.service");
    REQUIRE(fifo);
    CHECK(fifo->status == FactStatus::error);
    // A link to another name is an alias of that (non-unit) name, never read outside the root.
    CHECK(find_object(facts, "escape.service") == nullptr);
}

TEST_CASE("services: systemd's parsing rules for lists, resets and inversions") {
    std::string err;
    auto settings = units::parse_unit_text(
        "[Service]\nExecStart=/bin/a\nCapabilityBoundingSet=CAP_CHOWN\nCapabilityBoundingSet=CAP_KILL\n"
        "RestrictAddressFamilies=AF_UNIX\nRestrictAddressFamilies=~AF_UNIX\nSupplementaryGroups=a b\nSupplementaryGroups=\n"
        "PrivateTmp=bogus\nPrivateTmp=on\nUMask=0027\n",
        "/x.service", &err);
    REQUIRE(err.empty());
    std::string load_error;
    units::ServiceContext c = units::resolve_service(settings, "x.service", &load_error);
    CHECK(load_error.empty());
    CHECK(c.capability_bounding_set == ((1ull << 0) | (1ull << 5)));  // CAP_CHOWN | CAP_KILL merged
    CHECK(c.af_allow_list);
    CHECK(c.address_families.empty());  // the inverted line removed AF_UNIX from the allow list
    CHECK(c.supplementary_groups.empty());
    CHECK(c.private_tmp);
    CHECK(c.umask == 027);
}
