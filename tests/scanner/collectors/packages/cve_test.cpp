// SPDX-License-Identifier: Apache-2.0
// The `cve` collector on a fixture Debian root (dpkg status with Source: fields, apt lists
// with a security update, os-release codename) and a tracker feed written by the test. Which
// issues affect the root is decided independently by `dpkg --compare-versions` on the same
// pairs, and must be the set triad reports.
#include "scanner/collectors/packages/cve.h"

#include <doctest/doctest.h>

#include <map>
#include <set>

#include "scanner/core/scan_inputs.h"
#include "tests/scanner/collectors/packages/apt_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::FixturePackage;
using triad::test::FixtureRepo;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet collect(const std::string& dir, const std::string& feed) {
    auto root = Sysroot::open(dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    ScanMemo memo;
    memo.get<ScanInputs>().cve_feed = feed;
    CollectContext ctx{root, ids};
    ctx.memo = &memo;
    return kCveCollector.collect(ctx, SelectArgs{});
}

std::string field(const Fact& f, const char* name) { return triad::test::field_text(f, kCveFields, name); }

// One feed row: source, issue, release, status, fixed version ("" for none), urgency.
struct Row {
    const char* source;
    const char* id;
    const char* release;
    const char* status;
    const char* fixed;
    const char* urgency;
};

const Row kRows[] = {
    {"openssl", "CVE-2024-0001", "bookworm", "resolved", "3.0.13-1~deb12u1", "high"},       // fix pending
    {"openssl", "CVE-2024-0002", "bookworm", "resolved", "3.0.11-1~deb12u2", "medium"},     // = installed
    {"openssl", "CVE-2024-0003", "bookworm", "resolved", "0", "unimportant"},               // never affected
    {"openssl", "CVE-2024-0004", "bookworm", "open", "", "low**"},                          // open
    {"openssl", "CVE-2024-0005", "bookworm", "resolved", "3.0.14-1~deb12u1", "medium"},     // newer than the candidate
    {"openssl", "CVE-2024-0006", "trixie", "resolved", "3.3.0-1", "high"},                  // other release only
    {"epochpkg", "CVE-2024-0010", "bookworm", "resolved", "2.5-1", "high"},                 // epoch 0 < 1
    {"epochpkg", "CVE-2024-0011", "bookworm", "resolved", "1:2.0-1+deb12u1", "not yet assigned"},
    {"tildepkg", "CVE-2024-0020", "bookworm", "resolved", "1.0-1", "low"},                  // ~rc1 < release
    {"tildepkg", "CVE-2024-0021", "bookworm", "resolved", "1.0~beta1-1", "low"},            // beta < rc
    {"zsrc", "CVE-2024-0030", "bookworm", "resolved", "1.5-1", "high"},                     // binNMU of the fixed source
    {"zsrc", "CVE-2024-0031", "bookworm", "resolved", "1.5-2", "high"},
    {"bpo", "CVE-2024-0040", "bookworm", "resolved", "2.0-1", "medium"},                    // ~bpo12+1 < 2.0-1
    {"bpo", "CVE-2024-0041", "bookworm", "resolved", "2.0-1~bpo12+1", "medium"},
    {"notinstalled", "CVE-2024-0050", "bookworm", "open", "", "high"},
    {"notinstalled", "CVE-2024-0051", "bookworm", "resolved", "9.9-1", "high"},
    {"openssl", "TEMP-0000000-ABCDEF", "bookworm", "undetermined", "", "not yet assigned"}, // open
};

// The installed source version of each source in the fixture.
const std::map<std::string, std::string> kInstalledSource = {
    {"openssl", "3.0.11-1~deb12u2"}, {"epochpkg", "1:2.0-1"}, {"tildepkg", "1.0~rc1-1"},
    {"zsrc", "1.5-1"},              {"bpo", "2.0-1~bpo12+1"},
};

std::string feed_json() {
    // Grouped by source, then issue, as the tracker writes it.
    std::map<std::string, std::map<std::string, std::vector<const Row*>>> by_source;
    for (const Row& r : kRows) by_source[r.source][r.id].push_back(&r);
    std::string out = "{";
    bool first_source = true;
    for (const auto& [source, issues] : by_source) {
        out += std::string(first_source ? "" : ",\n") + "\"" + source + "\": {";
        first_source = false;
        bool first_issue = true;
        for (const auto& [id, rows] : issues) {
            out += std::string(first_issue ? "" : ",") + "\n  \"" + id + "\": {\"description\": \"issue " + id +
                   "\", \"scope\": \"remote\", \"releases\": {";
            first_issue = false;
            bool first_release = true;
            for (const Row* r : rows) {
                out += std::string(first_release ? "" : ",") + "\"" + r->release + "\": {\"status\": \"" + r->status +
                       "\", \"repositories\": {\"" + r->release + "\": \"1.0\"}, ";
                if (*r->fixed) out += "\"fixed_version\": \"" + std::string(r->fixed) + "\", ";
                out += "\"urgency\": \"" + std::string(r->urgency) + "\"}";
                first_release = false;
            }
            out += "}}";
        }
        out += "}";
    }
    return out + "}\n";
}

void write_root(const std::string& root) {
    const std::time_t now = std::time(nullptr);
    std::vector<FixturePackage> installed = {
        {"openssl", "3.0.11-1~deb12u2"},
        {"libssl3", "3.0.11-1~deb12u2", "amd64", "install ok installed", "openssl"},
        {"epochpkg", "1:2.0-1"},
        {"tildepkg", "1.0~rc1-1"},
        {"zbin", "1.5-1+b1", "amd64", "install ok installed", "zsrc (1.5-1)"},
        {"bpo", "2.0-1~bpo12+1"},
        {"dpkg", "1.21.22"},
    };
    FixtureRepo main{"example.org/debian", "bookworm", "Debian", "Debian", "oldstable", "bookworm", now - 9 * 86400,
                     {{"openssl", "3.0.11-1~deb12u2"}, {"libssl3", "3.0.11-1~deb12u2", "amd64", "", "openssl"}}};
    FixtureRepo security{"example.org/debian-security", "bookworm-security", "Debian", "Debian-Security",
                         "oldstable-security", "bookworm-security", now - 86400,
                         {{"openssl", "3.0.13-1~deb12u1"}, {"libssl3", "3.0.13-1~deb12u1", "amd64", "", "openssl"}}};
    triad::test::write_apt_root(root, installed, {main, security});
    write_file(root + "/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_CODENAME=bookworm\n");
}

bool dpkg_lt(const std::string& a, const std::string& b) {
    return triad::test::run({"dpkg", "--compare-versions", a, "lt", b}).exit_code == 0;
}

}  // namespace

TEST_CASE("cve: fixable and open issues of the installed source versions, as dpkg orders versions") {
    TempDir root;
    write_root(root.path());
    write_file(root / "feed.json", feed_json());
    const FactSet facts = collect(root.path(), root / "feed.json");

    // What dpkg says, row by row: the reference.
    std::map<std::string, std::string> expected;  // object -> state
    for (const Row& r : kRows) {
        auto installed = kInstalledSource.find(r.source);
        if (std::string(r.release) != "bookworm" || installed == kInstalledSource.end()) continue;
        const std::string object = std::string(r.id) + " (" + r.source + ")";
        if (!*r.fixed) expected[object] = "open";
        else if (std::string(r.fixed) != "0" && dpkg_lt(installed->second, r.fixed)) expected[object] = "fixable";
    }
    std::map<std::string, std::string> got;
    for (const Fact& f : facts) {
        REQUIRE_MESSAGE(f.status == FactStatus::ok, f.object, ": ", f.reason);
        got[f.object] = field(f, "state");
    }
    CHECK(got == expected);
    // The cases this fixture is for, spelled out (the reference above must agree with them).
    CHECK(expected.count("CVE-2024-0001 (openssl)"));
    CHECK_FALSE(expected.count("CVE-2024-0002 (openssl)"));
    CHECK_FALSE(expected.count("CVE-2024-0003 (openssl)"));
    CHECK_FALSE(expected.count("CVE-2024-0006 (openssl)"));
    CHECK_FALSE(expected.count("CVE-2024-0010 (epochpkg)"));
    CHECK(expected.count("CVE-2024-0011 (epochpkg)"));
    CHECK(expected.count("CVE-2024-0020 (tildepkg)"));
    CHECK_FALSE(expected.count("CVE-2024-0030 (zsrc)"));
    CHECK(expected.count("CVE-2024-0040 (bpo)"));
    CHECK_FALSE(expected.count("CVE-2024-0041 (bpo)"));
    CHECK(expected.size() == 8);

    const Fact* pending = triad::test::find_object(facts, "CVE-2024-0001 (openssl)");
    REQUIRE(pending);
    CHECK(field(*pending, "installed") == "3.0.11-1~deb12u2");
    CHECK(field(*pending, "fixed") == "3.0.13-1~deb12u1");
    CHECK(field(*pending, "fix_pending") == "true");
    CHECK(field(*pending, "candidate") == "3.0.13-1~deb12u1");
    CHECK(field(*pending, "urgency_level") == "high");
    CHECK(field(*pending, "binaries") == "libssl3=3.0.11-1~deb12u2, openssl=3.0.11-1~deb12u2");
    CHECK(field(*pending, "description") == "issue CVE-2024-0001");
    CHECK(field(*pending, "release") == "bookworm");
    const Fact* newer = triad::test::find_object(facts, "CVE-2024-0005 (openssl)");
    REQUIRE(newer);
    CHECK(field(*newer, "fix_pending") == "false");  // the security archive has 3.0.13 only
    const Fact* open = triad::test::find_object(facts, "CVE-2024-0004 (openssl)");
    REQUIRE(open);
    CHECK(field(*open, "urgency") == "low**");
    CHECK(field(*open, "urgency_level") == "low");
    CHECK(field(*open, "fix_pending") == "false");
    CHECK_FALSE(open->fields[kCveFixed].has_value());
    const Fact* unrated = triad::test::find_object(facts, "CVE-2024-0011 (epochpkg)");
    REQUIRE(unrated);
    CHECK(field(*unrated, "urgency_level") == "unassigned");
    const Fact* binnmu = triad::test::find_object(facts, "CVE-2024-0031 (zsrc)");
    REQUIRE(binnmu);
    CHECK(field(*binnmu, "installed") == "1.5-1");
    CHECK(field(*binnmu, "binaries") == "zbin=1.5-1+b1");
}

TEST_CASE("cve: no feed, a broken feed, a feed of another release, a root without codename") {
    TempDir root;
    write_root(root.path());
    const FactSet none = collect(root.path(), "");
    REQUIRE(none.size() == 1);
    CHECK(none[0].status == FactStatus::not_applicable);
    CHECK(none[0].reason == "no --cve-feed given");

    const std::string feed = feed_json();
    write_file(root / "cut.json", feed.substr(0, feed.size() / 2));
    const FactSet cut = collect(root.path(), root / "cut.json");
    REQUIRE(cut.size() == 1);
    CHECK(cut[0].status == FactStatus::error);
    CHECK(cut[0].object.starts_with(root / "cut.json:"));  // FILE:LINE:COLUMN
    CHECK(cut[0].reason.find("truncated") != std::string::npos);

    write_file(root / "trixie.json", R"({"openssl": {"CVE-1": {"releases": {"trixie": {"status": "open"}}}}})");
    const FactSet other = collect(root.path(), root / "trixie.json");
    REQUIRE(other.size() == 1);
    CHECK(other[0].status == FactStatus::error);
    CHECK(other[0].reason.find("release bookworm") != std::string::npos);

    write_file(root / "etc/os-release", "ID=debian\nPRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\n");
    const FactSet sid = collect(root.path(), root / "feed.json");
    REQUIRE(sid.size() == 1);
    CHECK(sid[0].status == FactStatus::error);
    CHECK(sid[0].reason.find("VERSION_CODENAME") != std::string::npos);
}
