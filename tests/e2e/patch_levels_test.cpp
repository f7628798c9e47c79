// SPDX-License-Identifier: Apache-2.0
// rules/policies/patch-levels.yml and optional/package-integrity.yml end to end: `triad scan --root` on a fixture Debian root
// (dpkg status, apt sources and lists written by the test) with a fixture proc tree, every
// check's verdict and failing objects as the fixture makes them; then the same root offline,
// where the host-scope checks are not_applicable; and with --cve-feed a tracker feed written by
// the test (a broken one is an error with its position while every other check still runs).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <map>
#include <set>

#include "tests/e2e/policy_checks.h"
#include "tests/scanner/collectors/packages/apt_fixture.h"
#include "tests/scanner/proc_fixture.h"
#include "tests/test_support.h"

using triad::test::FixturePackage;
using triad::test::FixtureRepo;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

namespace fixture = triad::test::fixture;
using fixture::Scan;
using fixture::evidence_objects;
using fixture::verdict;

Scan scan(const std::string& root, const std::string* proc, const std::string& feed = "") {
    const std::string policies = triad::test::source_dir() + "/rules/policies";
    std::vector<std::string> args{"scan", "--root", root, "--policy", policies + "/patch-levels.yml", "--policy",
                                  policies + "/optional/package-integrity.yml", "--format", "json"};
    if (proc) args.insert(args.end(), {"--proc", *proc});
    if (!feed.empty()) args.insert(args.end(), {"--cve-feed", feed});
    return fixture::scan_json(args);
}

void write_root(const std::string& root) {
    const std::time_t now = std::time(nullptr);
    std::vector<FixturePackage> installed = {
        {"alpha", "1.0-1"},
        {"beta", "2.0-1"},
        {"gamma", "3.0-1", "amd64", "hold ok installed"},
        {"delta", "4.0-1"},
        {"dpkg", "1.21.22"},
        {"linux-image-6.1.0-28-amd64", "6.1.119-1"},
    };
    FixtureRepo main{"example.org/debian", "bookworm", "Debian", "Debian", "oldstable", "bookworm", now - 90 * 86400,
                     {{"alpha", "1.0-1"}, {"beta", "2.0-1"}, {"gamma", "3.0-1"}, {"dpkg", "1.21.22"},
                      {"linux-image-6.1.0-28-amd64", "6.1.119-1"}}};
    FixtureRepo updates{"example.org/debian", "bookworm-updates", "Debian", "Debian", "oldstable-updates",
                        "bookworm-updates", now - 2 * 86400, {{"beta", "2.1-1"}}};
    FixtureRepo security{"example.org/debian-security", "bookworm-security", "Debian", "Debian-Security",
                         "oldstable-security", "bookworm-security", now - 10 * 86400,
                         {{"alpha", "1.0-1+deb12u1"}, {"gamma", "3.0-1+deb12u1"}}};
    FixtureRepo never{"example.org/never", "stable", "Example", "Example", "stable", "stable", 0, {}, false};
    triad::test::write_apt_root(root, installed, {main, updates, security, never});
    write_file(root + "/run/reboot-required", "");
    // md5sums for each package (all files intact) except one changed binary.
    write_file(root + "/usr/bin/alpha", "alpha\n", 0755);
    write_file(root + "/usr/bin/beta", "changed\n", 0755);
    // A setuid file of gamma's, changed; alpha's setuid file is intact.
    write_file(root + "/usr/bin/gamma", "changed\n", 0755);
    REQUIRE(::chmod((root + "/usr/bin/gamma").c_str(), 04755) == 0);
    write_file(root + "/usr/bin/alpha-helper", "alpha\n", 0755);
    REQUIRE(::chmod((root + "/usr/bin/alpha-helper").c_str(), 02755) == 0);
    write_file(root + "/etc/os-release", "ID=debian\nVERSION_CODENAME=bookworm\n");
    for (const char* p : {"alpha", "beta", "gamma", "delta", "dpkg", "linux-image-6.1.0-28-amd64"}) {
        std::string sums;
        if (std::string(p) == "alpha")  // md5 of "alpha\n"
            sums = "9f9f90dbe3e5ee1218c86b8839db1995  usr/bin/alpha\n9f9f90dbe3e5ee1218c86b8839db1995  usr/bin/alpha-helper\n";
        // ... and a file in a directory that is gone: dpkg records no modes, so the setuid check
        // cannot count it (the optional full check reports it missing).
        if (std::string(p) == "gamma")
            sums = "7777777777777777777777777777777a  usr/bin/gamma\n7777777777777777777777777777777b  usr/lib/gone/helper\n";
        if (std::string(p) == "beta") sums = "8888888888888888888888888888888a  usr/bin/beta\n";
        write_file(root + "/var/lib/dpkg/info/" + std::string(p) + ".md5sums", sums);
    }
}

}  // namespace

TEST_CASE("patch-levels policy: every check's verdict on a fixture root with a fixture proc tree") {
    TempDir root;
    write_root(root.path());
    REQUIRE(triad::test::run({"md5sum", root / "usr/bin/alpha"}).out.starts_with("9f9f90dbe3e5ee1218c86b8839db1995"));
    triad::test::ProcFixture proc;
    proc.sysctl("kernel/osrelease", "6.1.0-27-amd64");
    proc.add({.pid = 10, .name = "sshd", .exe = "/usr/sbin/sshd"});
    write_file(proc.path() + "/10/maps",
               "7f0000000000-7f0000100000 r-xp 00010000 fd:01 2002 /usr/lib/x86_64-linux-gnu/libssl.so.3 (deleted)\n");

    const Scan s = scan(root.path(), &proc.path());
    CHECK(s.exit_code == 1);
    const std::map<std::string, std::string> expected = {
        {"PATCH-NO-SECURITY-UPDATES", "fail"},
        {"PATCH-NO-HELD-SECURITY-UPDATE", "fail"},
        {"PATCH-NO-PENDING-UPDATES", "fail"},
        // No history of the host given, and lists 2 and 10 days old prove no age beyond that:
        // each pending update is an error (pending_age_test.cpp has the verdicts with history).
        {"PATCH-PENDING-UPDATE-AGE", "error"},
        {"PATCH-PACKAGES-CONFIGURED", "pass"},
        {"PATCH-NO-OBSOLETE-PACKAGES", "fail"},
        {"PATCH-SECURITY-ARCHIVE-CONFIGURED", "pass"},
        {"PATCH-LISTS-DOWNLOADED", "fail"},
        {"PATCH-SECURITY-LISTS-FRESH", "fail"},  // 10 days old
        {"PATCH-UNATTENDED-UPGRADES", "fail"},
        {"PATCH-SECURITY-SUPPORT-ENDED", "error"},  // debian-security-support is not installed
        {"PATCH-SECURITY-SUPPORT-LIMITED", "error"},
        {"PATCH-REBOOT-NOT-REQUIRED", "fail"},
        {"PATCH-KERNEL-NEWEST", "fail"},
        {"PATCH-NO-STALE-CODE", "fail"},
        {"PATCH-INTEGRITY-CODE", "fail"},
        {"PATCH-INTEGRITY-CONFFILES", "pass"},
        {"PATCH-INTEGRITY-SETUID", "fail"},
        {"PATCH-NO-FIXABLE-CVE", "not_applicable"},  // no --cve-feed
        {"PATCH-NO-FIXABLE-CVE-LOW", "not_applicable"},
        {"PATCH-OPEN-CVES", "not_applicable"},
    };
    CHECK(s.by_id.size() == expected.size());
    for (const auto& [id, v] : expected) CHECK_MESSAGE(verdict(s, id) == v, id);
    CHECK(evidence_objects(s, "PATCH-NO-SECURITY-UPDATES") == std::set<std::string>{"alpha", "gamma"});
    CHECK(evidence_objects(s, "PATCH-NO-HELD-SECURITY-UPDATE") == std::set<std::string>{"gamma"});
    CHECK(evidence_objects(s, "PATCH-NO-PENDING-UPDATES") == std::set<std::string>{"alpha", "beta", "gamma"});
    CHECK(evidence_objects(s, "PATCH-NO-OBSOLETE-PACKAGES") == std::set<std::string>{"delta"});
    CHECK(evidence_objects(s, "PATCH-LISTS-DOWNLOADED") == std::set<std::string>{"http://example.org/never/ stable"});
    CHECK(evidence_objects(s, "PATCH-KERNEL-NEWEST") == std::set<std::string>{"kernel"});
    CHECK(evidence_objects(s, "PATCH-NO-STALE-CODE") == std::set<std::string>{"10 sshd"});
    CHECK(evidence_objects(s, "PATCH-INTEGRITY-CODE") == std::set<std::string>{"/usr/bin/beta", "/usr/bin/gamma"});
    CHECK(evidence_objects(s, "PATCH-INTEGRITY-SETUID") == std::set<std::string>{"/usr/bin/gamma"});
    CHECK(s.by_id.at("PATCH-NO-FIXABLE-CVE")->getValue<std::string>("reason").find("no --cve-feed given") != std::string::npos);

    // Offline: the same root without a proc tree. The running-system checks cannot be judged.
    const Scan offline = scan(root.path(), nullptr);
    for (const char* id : {"PATCH-REBOOT-NOT-REQUIRED", "PATCH-KERNEL-NEWEST", "PATCH-NO-STALE-CODE"})
        CHECK_MESSAGE(verdict(offline, id) == "not_applicable", id);
    CHECK(verdict(offline, "PATCH-NO-SECURITY-UPDATES") == "fail");
}

TEST_CASE("patch-levels policy: --cve-feed, and a truncated feed that leaves every other check running") {
    TempDir root;
    write_root(root.path());
    // alpha 1.0-1: a high issue fixed in the pending security update, a low one fixed later,
    // an open one; beta: fixed in an older version than installed; delta: never affected.
    write_file(root / "feed.json", R"({
"alpha": {"CVE-2026-1": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1.0-1+deb12u1", "urgency": "high"}}},
          "CVE-2026-2": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1.0-1+deb12u2", "urgency": "low"}}},
          "CVE-2026-3": {"releases": {"bookworm": {"status": "open", "urgency": "medium"}}}},
"beta": {"CVE-2026-4": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1.9-1", "urgency": "high"}}}},
"delta": {"CVE-2026-5": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "0", "urgency": "high"}}}}
})");
    const Scan s = scan(root.path(), nullptr, root / "feed.json");
    CHECK(verdict(s, "PATCH-NO-FIXABLE-CVE") == "fail");
    CHECK(evidence_objects(s, "PATCH-NO-FIXABLE-CVE") == std::set<std::string>{"CVE-2026-1 (alpha)"});
    CHECK(verdict(s, "PATCH-NO-FIXABLE-CVE-LOW") == "fail");
    CHECK(evidence_objects(s, "PATCH-NO-FIXABLE-CVE-LOW") == std::set<std::string>{"CVE-2026-2 (alpha)"});
    CHECK(verdict(s, "PATCH-OPEN-CVES") == "fail");
    CHECK(evidence_objects(s, "PATCH-OPEN-CVES") == std::set<std::string>{"CVE-2026-3 (alpha)"});

    const std::string text = triad::test::read_file(root / "feed.json");
    write_file(root / "cut.json", text.substr(0, text.size() - 40));
    const Scan cut = scan(root.path(), nullptr, root / "cut.json");
    for (const char* id : {"PATCH-NO-FIXABLE-CVE", "PATCH-NO-FIXABLE-CVE-LOW", "PATCH-OPEN-CVES"}) {
        CHECK_MESSAGE(verdict(cut, id) == "error", id);
        CHECK_MESSAGE(cut.by_id.at(id)->getValue<std::string>("reason").find(root / "cut.json:") != std::string::npos, id);  // FILE:LINE:COLUMN
    }
    CHECK(verdict(cut, "PATCH-NO-SECURITY-UPDATES") == "fail");
    CHECK(verdict(cut, "PATCH-INTEGRITY-SETUID") == "fail");
}
