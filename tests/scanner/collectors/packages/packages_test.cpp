// SPDX-License-Identifier: Apache-2.0
// The package collectors on fixture roots written by the test (and cross-checked with the
// real apt tools reading the same root), on this machine against `apt list --upgradable`, and
// the promise that reading a root changes nothing in it.
#include "scanner/collectors/packages/packages.h"

#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "scanner/packages/apt_inventory.h"
#include "tests/scanner/collectors/packages/apt_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/scanner/hostile_fixture.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::FixturePackage;
using triad::test::FixtureRepo;
using triad::test::TempDir;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::write_file;

namespace {

FactSet collect(const CollectorEntry& entry, const std::string& dir) {
    auto root = Sysroot::open(dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    return entry.collect(CollectContext{root, ids}, SelectArgs{});
}

std::string field(const Fact& f, const CollectorEntry& entry, const char* name) {
    return field_text(f, entry.fields, name);
}

// A root with every case the `packages` checks judge: a security update (its archive's Suite
// is "oldstable-security", so only Codename and Label can tell), an ordinary update, a held
// package with a security update, a package no repository provides, one that is current, and
// a binary package built from a differently named source.
void write_standard_root(const std::string& root, std::time_t now) {
    std::vector<FixturePackage> installed = {
        {"alpha", "1.0-1"},
        {"beta", "2.0-1"},
        {"gamma", "3.0-1", "amd64", "hold ok installed"},
        {"delta", "4.0-1"},
        {"epsilon", "1:1.0-1"},
        {"zeta", "1.5-1+b1", "amd64", "install ok installed", "zsrc (1.5-1)"},
        {"dpkg", "1.21.22", "amd64"},
    };
    FixtureRepo main{"example.org/debian", "bookworm", "Debian", "Debian", "oldstable", "bookworm", now - 90 * 86400,
                     {{"alpha", "1.0-1"}, {"beta", "2.0-1"}, {"gamma", "3.0-1"}, {"epsilon", "1:1.0-1"},
                      {"zeta", "1.5-1+b1", "amd64", "", "zsrc (1.5-1)"}, {"dpkg", "1.21.22"}}};
    FixtureRepo updates{"example.org/debian", "bookworm-updates", "Debian", "Debian", "oldstable-updates",
                        "bookworm-updates", now - 2 * 86400, {{"beta", "2.1-1"}}};
    FixtureRepo security{"example.org/debian-security", "bookworm-security", "Debian", "Debian-Security",
                         "oldstable-security", "bookworm-security", now - 3 * 86400,
                         {{"alpha", "1.0-1+deb12u1"}, {"gamma", "3.0-1+deb12u1"}}};
    FixtureRepo never{"example.org/never", "stable", "Example", "Example", "stable", "stable", 0, {}, false};
    triad::test::write_apt_root(root, installed, {main, updates, security, never});
}

std::vector<std::string> apt(const std::string& root, std::vector<std::string> args) {
    std::vector<std::string> argv = {args.front()};
    for (const std::string& a : triad::test::apt_args(root)) argv.push_back(a);
    argv.insert(argv.end(), args.begin() + 1, args.end());
    auto r = triad::test::run(argv);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    std::vector<std::string> lines;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// `apt list` lines "NAME/SUITE VERSION ARCH [...]" to "NAME VERSION".
std::set<std::string> apt_list(const std::string& root, const std::string& pattern) {
    std::set<std::string> out;
    for (const std::string& line : apt(root, {"apt", "list", pattern})) {
        const std::size_t slash = line.find('/');
        if (slash == std::string::npos) continue;  // "Listing..."
        std::istringstream words(line.substr(slash));
        std::string suites, version;
        words >> suites >> version;
        out.insert(line.substr(0, slash) + " " + version);
    }
    return out;
}

// What one set has that the other lacks, for a failure message.
std::string difference(const std::set<std::string>& a, const std::set<std::string>& b) {
    std::string out;
    for (const std::string& x : a)
        if (!b.count(x)) out += " +" + x;
    for (const std::string& x : b)
        if (!a.count(x)) out += " -" + x;
    return out;
}

}  // namespace

TEST_CASE("packages: installed, upgradable, security, held and obsolete packages of an offline root") {
    TempDir dir;
    const std::time_t now = std::time(nullptr);
    write_standard_root(dir.path(), now);
    const FactSet facts = collect(kPackagesCollector, dir.path());
    REQUIRE(facts.size() == 7);

    const Fact* alpha = find_object(facts, "alpha");
    REQUIRE(alpha);
    CHECK(field(*alpha, kPackagesCollector, "version") == "1.0-1");
    CHECK(field(*alpha, kPackagesCollector, "upgradable") == "true");
    CHECK(field(*alpha, kPackagesCollector, "candidate") == "1.0-1+deb12u1");
    CHECK(field(*alpha, kPackagesCollector, "candidate_archives") == "Debian/bookworm-security");
    CHECK(field(*alpha, kPackagesCollector, "security_update") == "true");
    CHECK(field(*alpha, kPackagesCollector, "held") == "false");

    const Fact* beta = find_object(facts, "beta");
    REQUIRE(beta);
    CHECK(field(*beta, kPackagesCollector, "upgradable") == "true");
    CHECK(field(*beta, kPackagesCollector, "candidate") == "2.1-1");
    CHECK(field(*beta, kPackagesCollector, "security_update") == "false");

    const Fact* gamma = find_object(facts, "gamma");
    REQUIRE(gamma);
    CHECK(field(*gamma, kPackagesCollector, "held") == "true");
    CHECK(field(*gamma, kPackagesCollector, "security_update") == "true");

    const Fact* delta = find_object(facts, "delta");
    REQUIRE(delta);
    CHECK(field(*delta, kPackagesCollector, "provided") == "false");
    CHECK(field(*delta, kPackagesCollector, "upgradable") == "false");

    const Fact* epsilon = find_object(facts, "epsilon");
    REQUIRE(epsilon);
    CHECK(field(*epsilon, kPackagesCollector, "upgradable") == "false");
    CHECK(field(*epsilon, kPackagesCollector, "provided") == "true");
    CHECK(field(*epsilon, kPackagesCollector, "candidate_archives") == "(absent)");

    const Fact* zeta = find_object(facts, "zeta");
    REQUIRE(zeta);
    CHECK(field(*zeta, kPackagesCollector, "source") == "zsrc");
    CHECK(field(*zeta, kPackagesCollector, "source_version") == "1.5-1");
    CHECK(field(*zeta, kPackagesCollector, "architecture") == "amd64");
    CHECK(field(*zeta, kPackagesCollector, "state") == "installed");
}

TEST_CASE("packages: the same upgradable, obsolete and candidate answers as apt reading the same root") {
    if (triad::test::run({"apt", "--version"}).exit_code != 0) {
        MESSAGE("skipped: the apt command is not installed");
        return;
    }
    TempDir dir;
    write_standard_root(dir.path(), std::time(nullptr));
    const FactSet facts = collect(kPackagesCollector, dir.path());

    std::set<std::string> ours_upgradable, ours_obsolete;
    for (const Fact& f : facts) {
        if (field(f, kPackagesCollector, "upgradable") == "true")
            ours_upgradable.insert(f.object + " " + field(f, kPackagesCollector, "candidate"));
        if (field(f, kPackagesCollector, "provided") == "false")
            ours_obsolete.insert(f.object + " " + field(f, kPackagesCollector, "version"));
    }
    CHECK(ours_upgradable == apt_list(dir.path(), "?upgradable"));
    CHECK(ours_obsolete == apt_list(dir.path(), "?obsolete"));
    CHECK(ours_upgradable.size() == 3);

    // Each candidate as `apt-cache policy` prints it.
    for (const Fact& f : facts) {
        CAPTURE(f.object);
        std::string candidate;
        for (const std::string& line : apt(dir.path(), {"apt-cache", "policy", f.object}))
            if (auto at = line.find("Candidate: "); at != std::string::npos) candidate = line.substr(at + 11);
        const std::string ours = field(f, kPackagesCollector, "candidate");
        CHECK((ours == "(absent)" ? "(none)" : ours) == candidate);
    }
}

// The automatic-install mark comes from apt's extended_states without apt's dependency cache
// (apt_inventory.cpp): the same set as apt-mark, which reads it through that cache.
TEST_CASE("packages: installed automatically, as apt-mark showauto says of the same root") {
    if (triad::test::run({"apt-mark", "--version"}).exit_code != 0) {
        MESSAGE("skipped: apt-mark is not installed");
        return;
    }
    TempDir dir;
    write_standard_root(dir.path(), std::time(nullptr));
    // With and without Architecture (the latter marks every architecture), a mark taken back
    // (0), and a package that is not installed or known at all.
    write_file(dir / "var/lib/apt/extended_states",
               "Package: alpha\nArchitecture: amd64\nAuto-Installed: 1\n\n"
               "Package: beta\nAuto-Installed: 1\n\n"
               "Package: gamma\nArchitecture: amd64\nAuto-Installed: 0\n\n"
               "Package: zeta\nArchitecture: i386\nAuto-Installed: 1\n\n"
               "Package: nosuch\nArchitecture: amd64\nAuto-Installed: 1\n\n");
    std::set<std::string> ours;
    for (const Fact& f : collect(kPackagesCollector, dir.path()))
        if (field(f, kPackagesCollector, "auto_installed") == "true") ours.insert(f.object);
    const std::vector<std::string> lines = apt(dir.path(), {"apt-mark", "showauto"});
    const std::set<std::string> theirs(lines.begin(), lines.end());
    CHECK_MESSAGE(ours == theirs, difference(ours, theirs));
    CHECK(ours == std::set<std::string>{"alpha", "beta"});
}

TEST_CASE("packages: reading a root writes nothing in it, not even apt's cache") {
    TempDir dir;
    write_standard_root(dir.path(), std::time(nullptr));
    triad::test::make_dirs(dir / "var/cache/apt");
    const auto before = triad::test::write_snapshot(dir.path());
    const FactSet facts = collect(kPackagesCollector, dir.path());
    REQUIRE(facts.size() == 7);
    const FactSet sources = collect(kPackageSourcesCollector, dir.path());
    REQUIRE(sources.size() == 4);
    CHECK(triad::test::write_snapshot(dir.path()) == before);
}

TEST_CASE("package_sources: each repository, whether it is a security archive, and its age") {
    TempDir dir;
    const std::time_t now = std::time(nullptr);
    write_standard_root(dir.path(), now);
    const FactSet facts = collect(kPackageSourcesCollector, dir.path());
    REQUIRE(facts.size() == 4);
    const Fact* sec = find_object(facts, "http://example.org/debian-security/ bookworm-security");
    REQUIRE(sec);
    CHECK(field(*sec, kPackageSourcesCollector, "security") == "true");
    CHECK(field(*sec, kPackageSourcesCollector, "suite") == "oldstable-security");
    CHECK(field(*sec, kPackageSourcesCollector, "age_days") == "3");
    CHECK(field(*sec, kPackageSourcesCollector, "release_file") ==
          "/var/lib/apt/lists/example.org_debian-security_dists_bookworm-security_Release");
    const Fact* main = find_object(facts, "http://example.org/debian/ bookworm");
    REQUIRE(main);
    CHECK(field(*main, kPackageSourcesCollector, "security") == "false");
    CHECK(field(*main, kPackageSourcesCollector, "age_days") == "90");
    const Fact* never = find_object(facts, "http://example.org/never/ stable");
    REQUIRE(never);
    CHECK(field(*never, kPackageSourcesCollector, "downloaded") == "false");
    CHECK(field(*never, kPackageSourcesCollector, "age_days") == "(absent)");
}

TEST_CASE("automatic_updates: APT::Periodic from apt.conf.d and the unattended-upgrades package") {
    TempDir dir;
    write_standard_root(dir.path(), std::time(nullptr));
    FactSet facts = collect(kAutomaticUpdatesCollector, dir.path());
    REQUIRE(facts.size() == 1);
    CHECK(field(facts[0], kAutomaticUpdatesCollector, "enabled") == "false");
    CHECK(field(facts[0], kAutomaticUpdatesCollector, "unattended_upgrades_installed") == "false");
    CHECK(field(facts[0], kAutomaticUpdatesCollector, "unattended_upgrade") == "(absent)");

    TempDir on;
    triad::test::write_apt_root(on.path(), {{"unattended-upgrades", "2.9.1+nmu3"}, {"dpkg", "1.21.22"}}, {});
    write_file(on / "etc/apt/apt.conf.d/20auto-upgrades",
               "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\n");
    facts = collect(kAutomaticUpdatesCollector, on.path());
    REQUIRE(facts.size() == 1);
    CHECK(field(facts[0], kAutomaticUpdatesCollector, "enabled") == "true");
    CHECK(field(facts[0], kAutomaticUpdatesCollector, "unattended_upgrade") == "1");

    // A later file switching it off wins, as apt reads apt.conf.d in name order.
    write_file(on / "etc/apt/apt.conf.d/99off", "APT::Periodic::Unattended-Upgrade \"0\";\n");
    facts = collect(kAutomaticUpdatesCollector, on.path());
    REQUIRE(facts.size() == 1);
    CHECK(field(facts[0], kAutomaticUpdatesCollector, "enabled") == "false");
    CHECK(field(facts[0], kAutomaticUpdatesCollector, "unattended_upgrade") == "0");
}

TEST_CASE("packages: no dpkg status is not_applicable; a symlink apt would follow out of the root is an error") {
    TempDir bare;
    FactSet facts = collect(kPackagesCollector, bare.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::not_applicable);
    CHECK(facts[0].reason.find("dpkg status") != std::string::npos);

    TempDir evil;
    write_standard_root(evil.path(), std::time(nullptr));
    REQUIRE(::symlink("/etc/apt/sources.list", (evil / "etc/apt/sources.list.d/host.list").c_str()) == 0);
    facts = collect(kPackagesCollector, evil.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("sources.list.d/host.list") != std::string::npos);
    CHECK(facts[0].reason.find("symlink") != std::string::npos);

    TempDir evil_dir;
    write_standard_root(evil_dir.path(), std::time(nullptr));
    std::filesystem::remove_all(evil_dir / "var/lib/apt/lists");
    REQUIRE(::symlink("/var/lib/apt/lists", (evil_dir / "var/lib/apt/lists").c_str()) == 0);
    facts = collect(kPackageSourcesCollector, evil_dir.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
}

TEST_CASE("is_security_archive decides by Codename or Label, and by Suite only for Ubuntu") {
    CHECK(is_security_archive("Debian", "Debian-Security", "bookworm-security", "oldstable-security"));
    CHECK(is_security_archive("Debian", "Debian", "bookworm-security", "whatever"));
    CHECK_FALSE(is_security_archive("Debian", "Debian", "bookworm-updates", "oldstable-security"));
    CHECK(is_security_archive("Ubuntu", "Ubuntu", "jammy", "jammy-security"));
    CHECK_FALSE(is_security_archive("Ubuntu", "Ubuntu", "jammy", "jammy-updates"));
}

TEST_CASE("packages: this machine's upgradable and security updates agree with apt list --upgradable") {
    auto lists = triad::test::run({"sh", "-c", "ls /var/lib/apt/lists/ | grep -c _Packages"});
    if (lists.exit_code != 0 || lists.out.empty() || lists.out[0] == '0') {
        MESSAGE("skipped: this machine has no apt lists (apt update never ran)");
        return;
    }
    // Another apt run on the machine may change the answer between the two readings, so a
    // difference is read again once before it counts.
    std::set<std::string> ours, ours_security, theirs, theirs_security;
    for (int attempt = 0; attempt < 2; ++attempt) {
        ours.clear(), ours_security.clear(), theirs.clear(), theirs_security.clear();
        auto root = Sysroot::open("/").value();
        auto inv = read_apt_inventory(root);
        REQUIRE_MESSAGE(inv.has_value(), inv.error().describe());
        for (const AptPackage& p : inv->packages) {
            if (!p.upgradable) continue;
            // apt list always names the architecture; ours only a foreign one.
            const std::string name = p.name.find(':') == std::string::npos ? p.name + ":" + p.architecture : p.name;
            ours.insert(name + " " + p.candidate);
            if (p.security_update) ours_security.insert(name);
        }
        auto r = triad::test::run({"apt", "list", "--upgradable"});
        REQUIRE(r.exit_code == 0);
        std::istringstream in(r.out);
        for (std::string line; std::getline(in, line);) {
            const std::size_t slash = line.find('/');
            if (slash == std::string::npos) continue;
            std::istringstream words(line.substr(slash + 1));
            std::string suites, version, arch;
            words >> suites >> version >> arch;
            const std::string name = line.substr(0, slash) + (arch == "all" ? ":all" : ":" + arch);
            theirs.insert(name + " " + version);
            // apt list names the suites; this machine's security suite is *-security.
            if (suites.find("-security") != std::string::npos) theirs_security.insert(name);
        }
        if (ours == theirs && ours_security == theirs_security) break;
    }
    CHECK_MESSAGE(ours == theirs, difference(ours, theirs));
    CHECK_MESSAGE(ours_security == theirs_security, difference(ours_security, theirs_security));
}
