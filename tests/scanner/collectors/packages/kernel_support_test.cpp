// SPDX-License-Identifier: Apache-2.0
// kernel_freshness on fixture roots and proc trees (this machine's kernel comes from its
// VM host, not a package), and security_support on a root with debian-security-support's
// lists, cross-checked with that package's own check-support-status reading the same root.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "scanner/collectors/packages/kernel_freshness.h"
#include "scanner/collectors/packages/security_support.h"
#include "tests/scanner/collectors/packages/apt_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/scanner/proc_fixture.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::FixturePackage;
using triad::test::TempDir;
using triad::test::field_text;
using triad::test::write_file;

namespace {

FactSet collect(const CollectorEntry& entry, const std::string& root_dir, const std::string* proc_dir = nullptr) {
    auto root = Sysroot::open(root_dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    CollectContext ctx{root, ids};
    std::optional<Sysroot> proc;
    if (proc_dir) {
        proc.emplace(Sysroot::open(*proc_dir).value());
        ctx.proc = &*proc;
    }
    return entry.collect(ctx, SelectArgs{});
}

std::string kfield(const Fact& f, const char* name) { return field_text(f, kKernelFreshnessCollector.fields, name); }
std::string sfield(const Fact& f, const char* name) { return field_text(f, kSecuritySupportCollector.fields, name); }

}  // namespace

TEST_CASE("kernel_freshness: an older running kernel, the newest package, /boot and reboot-required") {
    TempDir root;
    triad::test::write_apt_root(root.path(),
                                {{"dpkg", "1.21.22"},
                                 {"linux-image-6.1.0-27-amd64", "6.1.115-1"},
                                 {"linux-image-6.1.0-28-amd64", "6.1.119-1"},
                                 {"linux-image-amd64", "6.1.119-1"},
                                 {"linux-image-6.1.0-9-amd64", "6.1.27-1", "amd64", "deinstall ok config-files"}},
                                {});
    write_file(root / "boot/vmlinuz-6.1.0-27-amd64", "");
    write_file(root / "boot/vmlinuz-6.1.0-28-amd64", "");
    write_file(root / "run/reboot-required", "*** System restart required ***\n");
    write_file(root / "run/reboot-required.pkgs", "linux-image-6.1.0-28-amd64\nlibc6\nlibc6\n");
    triad::test::ProcFixture proc;
    proc.sysctl("kernel/osrelease", "6.1.0-27-amd64");

    FactSet facts = collect(kKernelFreshnessCollector, root.path(), &proc.path());
    REQUIRE(facts.size() == 1);
    CHECK(kfield(facts[0], "running") == "6.1.0-27-amd64");
    CHECK(kfield(facts[0], "installed") == "6.1.0-27-amd64, 6.1.0-28-amd64");
    CHECK(kfield(facts[0], "newest_installed") == "6.1.0-28-amd64");
    CHECK(kfield(facts[0], "running_is_newest") == "false");
    CHECK(kfield(facts[0], "boot_images") == "6.1.0-27-amd64, 6.1.0-28-amd64");
    CHECK(kfield(facts[0], "reboot_required") == "true");
    CHECK(kfield(facts[0], "reboot_required_packages") == "linux-image-6.1.0-28-amd64, libc6");

    triad::test::ProcFixture rebooted;
    rebooted.sysctl("kernel/osrelease", "6.1.0-28-amd64");
    std::filesystem::remove(root / "run/reboot-required");
    std::filesystem::remove(root / "run/reboot-required.pkgs");
    facts = collect(kKernelFreshnessCollector, root.path(), &rebooted.path());
    REQUIRE(facts.size() == 1);
    CHECK(kfield(facts[0], "running_is_newest") == "true");
    CHECK(kfield(facts[0], "reboot_required") == "false");
    CHECK(kfield(facts[0], "reboot_required_packages") == "(absent)");
}

TEST_CASE("kernel_freshness: a kernel from outside (no kernel package), and no proc tree") {
    TempDir root;
    triad::test::write_apt_root(root.path(), {{"dpkg", "1.21.22"}}, {});
    triad::test::ProcFixture proc;
    proc.sysctl("kernel/osrelease", "6.18.44-fc");
    FactSet facts = collect(kKernelFreshnessCollector, root.path(), &proc.path());
    REQUIRE(facts.size() == 1);
    CHECK(kfield(facts[0], "packaged") == "false");
    CHECK(kfield(facts[0], "running_is_newest") == "(absent)");
    CHECK(kfield(facts[0], "running") == "6.18.44-fc");

    facts = collect(kKernelFreshnessCollector, root.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::not_applicable);
}

TEST_CASE("kernel_release_of_package: releases of image packages, nothing for meta packages") {
    CHECK(kernel_release_of_package("linux-image-6.1.0-28-amd64") == "6.1.0-28-amd64");
    CHECK(kernel_release_of_package("linux-image-6.1.0-28-amd64-unsigned") == "6.1.0-28-amd64");
    CHECK(kernel_release_of_package("linux-image-5.15.0-91-generic") == "5.15.0-91-generic");
    CHECK(kernel_release_of_package("linux-image-amd64").empty());
    CHECK(kernel_release_of_package("linux-image-6.1.0-28-amd64-dbg").empty());
    CHECK(kernel_release_of_package("linux-headers-6.1.0-28-amd64").empty());
}

namespace {

void write_support_root(const std::string& root, bool with_package) {
    std::vector<FixturePackage> installed = {
        {"dpkg", "1.21.22"},
        {"libwpewebkit-1.0-3", "2.38.6-1", "amd64", "install ok installed", "wpewebkit"},
        {"php-horde-imap-client", "2.30.3-1", "all", "install ok installed"},
        {"binutils", "2.40-2"},
        {"futurepkg", "1.0-1"},
        {"bash", "5.2.15-2+b2"},
    };
    if (with_package) installed.push_back({"debian-security-support", "1:12+2026.06.30", "all"});
    triad::test::write_apt_root(root, installed, {});
    write_file(root + "/etc/debian_version", "12.8\n");
    const std::string dir = root + "/usr/share/debian-security-support/";
    write_file(dir + "security-support-ended.deb12",
               "# comment\n\nwpewebkit\t2.38.6-1\t\t2023-05-09\thttps://bugs.debian.org/1035794\n"
               "php-horde.*   0   2023-01-01   Horde is unmaintained upstream\n"
               "futurepkg 1.0-1 2999-01-01 support ends later\n");
    write_file(dir + "security-support-limited",
               "binutils        Only suitable for trusted content\nbash-completion  not bash itself\n");
}

// What check-support-status (debian-security-support's own tool) reports for the root: its
// dpkg-query reads the root's database through DPKG_ADMINDIR. "NAME TYPE" per package.
std::set<std::string> reference(const std::string& root, const char* type, const char* list) {
    auto r = triad::test::run({"env", "DPKG_ADMINDIR=" + root + "/var/lib/dpkg", "check-support-status", "--type", type,
                               "--list", root + "/usr/share/debian-security-support/" + list, "--no-heading"});
    std::set<std::string> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
        if (auto dash = line.find("  - "); dash == 0) out.insert(line.substr(4, line.find(' ', 4) - 4) + " " + type);
    return out;
}

}  // namespace

TEST_CASE("security_support: ended, ending and limited packages, as check-support-status finds them") {
    TempDir root;
    write_support_root(root.path(), true);
    const FactSet facts = collect(kSecuritySupportCollector, root.path());
    std::map<std::string, const Fact*> by_name;
    for (const Fact& f : facts) {
        REQUIRE_MESSAGE(f.status == FactStatus::ok, f.reason);
        by_name[f.object] = &f;
    }
    REQUIRE(by_name.size() == 4);
    const Fact& wpe = *by_name.at("libwpewebkit-1.0-3");
    CHECK(sfield(wpe, "status") == "ended");
    CHECK(sfield(wpe, "source") == "wpewebkit");
    CHECK(sfield(wpe, "end_date") == "2023-05-09");
    CHECK(sfield(wpe, "last_supported_version") == "2.38.6-1");
    CHECK(sfield(wpe, "details") == "https://bugs.debian.org/1035794");
    CHECK(sfield(wpe, "list") == "/usr/share/debian-security-support/security-support-ended.deb12");
    CHECK(sfield(*by_name.at("php-horde-imap-client"), "status") == "ended");  // a pattern entry
    CHECK(sfield(*by_name.at("futurepkg"), "status") == "ending");
    CHECK(sfield(*by_name.at("binutils"), "status") == "limited");
    CHECK(sfield(*by_name.at("binutils"), "end_date") == "(absent)");
    CHECK(by_name.count("bash") == 0);  // "bash-completion" must match whole, not as a prefix

    if (triad::test::run({"sh", "-c", "command -v check-support-status"}).exit_code != 0) {
        MESSAGE("cross-check skipped: check-support-status (debian-security-support) is not installed");
        return;
    }
    std::set<std::string> ours, theirs;
    for (const Fact& f : facts) ours.insert(f.object + " " + sfield(f, "status"));
    for (auto [type, list] : {std::pair{"ended", "security-support-ended.deb12"}, {"earlyend", "security-support-ended.deb12"},
                              {"limited", "security-support-limited"}})
        for (std::string s : reference(root.path(), type, list))
            theirs.insert(s.ends_with(" earlyend") ? s.substr(0, s.size() - 8) + "ending" : s);
    CHECK(ours == theirs);
}

TEST_CASE("security_support: without debian-security-support the verdict cannot be given") {
    TempDir root;
    write_support_root(root.path(), false);
    const FactSet facts = collect(kSecuritySupportCollector, root.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("debian-security-support") != std::string::npos);
}

TEST_CASE("security_support lists: columns, comments, and a malformed date named with its line") {
    auto ended = parse_support_list("# c\nfoo 1.0  2024-01-02 why  not\n", true, "f");
    REQUIRE(ended.has_value());
    REQUIRE(ended->size() == 1);
    CHECK((*ended)[0].pattern == "foo");
    CHECK((*ended)[0].last_version == "1.0");
    CHECK((*ended)[0].date == "2024-01-02");
    CHECK((*ended)[0].details == "why  not");
    auto bad = parse_support_list("foo 1.0 soon\n", true, "list.deb12");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().describe().find("list.deb12") != std::string::npos);
    CHECK(bad.error().describe().find("line 1") != std::string::npos);
}
