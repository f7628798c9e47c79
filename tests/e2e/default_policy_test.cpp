// SPDX-License-Identifier: Apache-2.0
// The shipped file-permission policy end to end: tests/fixtures/make-root.sh builds a root
// in which every check passes, one in which every check fails, and a stock Debian 12 one;
// `triad scan --root` must give the verdicts, evidence and scores this file expects. The
// expectations are written from what the fixture script does, not from triad's output.
#include <doctest/doctest.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/e2e/fixture_root.h"
#include "tests/test_support.h"

using triad::test::TempDir;
using namespace triad::test::fixture;

namespace {

// Every check of rules/policies/file-permissions.yml: its verdict in the mixed (stock
// Debian 12) root, and the objects that fail it in the fail root (make_fail in the script).
// In the pass root every verdict is pass; in the fail root every verdict is fail.
struct Row {
    const char* id;
    const char* mixed;
    std::vector<std::string> fail_objects;
};

const std::vector<Row>& table() {
    static const std::vector<Row> rows = {
        {"DAC-PASSWD", "pass", {"/etc/passwd"}},
        {"DAC-PASSWD-BACKUP", "not_applicable", {"/etc/passwd-"}},  // mixed: no backup, not a failure
        {"DAC-GROUP", "pass", {"/etc/group"}},
        {"DAC-GROUP-BACKUP", "not_applicable", {"/etc/group-"}},
        {"DAC-SHADOW", "pass", {"/etc/shadow"}},  // mixed: 0640 root:shadow is Debian's and right
        {"DAC-SHADOW-BACKUP", "not_applicable", {"/etc/shadow-"}},
        {"DAC-GSHADOW", "pass", {"/etc/gshadow"}},
        {"DAC-GSHADOW-BACKUP", "not_applicable", {"/etc/gshadow-"}},
        {"DAC-SHELLS", "pass", {"/etc/shells"}},
        {"DAC-OPASSWD", "not_applicable", {"/etc/security/opasswd"}},
        {"DAC-SENSITIVE-ACL", "fail", {"/etc/security/opasswd"}},  // mixed: ACL on a 0640 shadow
        {"DAC-SSHD-CONFIG", "fail", {"/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/hardening.conf"}},
        {"DAC-SSH-HOST-PRIVATE-KEYS", "pass", {"/etc/ssh/ssh_host_ed25519_key", "/etc/ssh/ssh_host_rsa_key"}},
        {"DAC-SSH-HOST-PUBLIC-KEYS", "pass", {"/etc/ssh/ssh_host_ed25519_key.pub"}},
        {"DAC-CRONTAB", "fail", {"/etc/crontab"}},
        {"DAC-CRON-HOURLY", "fail", {"/etc/cron.hourly"}},
        {"DAC-CRON-DAILY", "fail", {"/etc/cron.daily"}},
        {"DAC-CRON-WEEKLY", "fail", {"/etc/cron.weekly"}},
        {"DAC-CRON-MONTHLY", "fail", {"/etc/cron.monthly"}},
        {"DAC-CRON-D", "fail", {"/etc/cron.d"}},
        {"DAC-CRON-ACCESS-LISTS", "not_applicable", {"/etc/cron.allow"}},
        {"DAC-CRON-JOBS", "pass", {"/etc/cron.daily/backup"}},
        {"DAC-ROOT-CONFIG-WRITABLE", "pass", {"/etc/cron.d", "/etc/ssh/sshd_config.d/hardening.conf"}},
        {"DAC-SUDOERS", "pass", {"/etc/sudoers"}},
        {"DAC-SUDOERS-D", "pass", {"/etc/sudoers.d/alice"}},
        {"DAC-ROOT-HOME", "pass", {"/root"}},
        {"DAC-HOME-DIRS", "pass", {"/home/alice", "/home/bob"}},
        {"DAC-HOME-DOTFILES", "pass", {"/home/alice/.profile", "/root/.bash_history"}},
        {"DAC-HOME-TRUST-FILES", "pass", {"/home/alice/.rhosts"}},
        {"DAC-LOG-FILES", "fail", {"/var/log/audit/audit.log", "/var/log/btmp", "/var/log/syslog"}},
        {"DAC-LOG-DIRS", "pass", {"/var/log/app"}},
        {"DAC-AUDIT-LOGS", "not_applicable", {"/var/log/audit/audit.log"}},
        {"DAC-AUDIT-CONFIG", "not_applicable", {"/etc/audit/auditd.conf"}},
        {"DAC-AUDIT-TOOLS", "not_applicable", {"/usr/sbin/auditctl"}},
        {"DAC-GRUB-CFG", "fail", {"/boot/grub/grub.cfg"}},
        {"DAC-BOOT-FILES", "pass", {"/boot/vmlinuz-6.1.0-18-amd64"}},
        {"DAC-MOTD", "pass", {"/etc/motd"}},
        {"DAC-ISSUE", "pass", {"/etc/issue"}},
        {"DAC-ISSUE-NET", "pass", {"/etc/issue.net"}},
        {"DAC-WORLD-WRITABLE-FILES", "fail", {"/etc/shells", "/opt/app/data.db"}},
        {"DAC-WORLD-WRITABLE-DIRS", "pass", {"/etc/cron.d", "/var/tmp"}},
        {"DAC-SUID-ALLOWLIST", "pass", {"/usr/local/bin/rootshell"}},
        {"DAC-SGID-ALLOWLIST", "pass", {"/usr/local/bin/shadowcat"}},
        {"DAC-CAPABILITIES-ALLOWLIST", "pass", {"/usr/bin/ping", "/usr/local/bin/netsniff"}},
        {"DAC-UNOWNED", "pass", {"/home/bob", "/opt/orphan"}},
        {"DAC-UNGROUPED", "pass", {"/opt/orphan"}},
    };
    return rows;
}

std::vector<std::string> evidence_objects(const Poco::JSON::Object::Ptr& result) {
    std::vector<std::string> out;
    auto evidence = result->getArray("evidence");
    for (std::size_t i = 0; i < evidence->size(); ++i) out.push_back(evidence->getObject(i)->getValue<std::string>("object"));
    return out;
}

// observed[field] of the evidence entry for `object`; "(no such evidence)" when missing.
std::string observed(const Poco::JSON::Object::Ptr& result, const std::string& object, const std::string& field) {
    auto evidence = result->getArray("evidence");
    for (std::size_t i = 0; i < evidence->size(); ++i) {
        auto e = evidence->getObject(i);
        if (e->getValue<std::string>("object") != object) continue;
        auto seen = e->getObject("observed");
        return seen->has(field) ? seen->getValue<std::string>(field) : "(no such field)";
    }
    return "(no such evidence)";
}

// The JSON report rounds scores to one decimal.
double round1(double v) { return std::round(v * 10.0) / 10.0; }

void check_every_id_once(const Scan& scan) {
    std::set<std::string> expected;
    for (const Row& r : table()) expected.insert(r.id);
    std::set<std::string> seen;
    for (const auto& [id, _] : scan.by_id) seen.insert(id);
    CHECK(seen == expected);
    CHECK(scan.by_id.size() == scan.json->getArray("results")->size());  // no duplicate ids
}

}  // namespace

TEST_CASE("default policy: the shipped file validates and cites CIS Debian 12 sections") {
    auto check = triad::test::run_triad({"policy", "check", policy_path()});
    CHECK(check.exit_code == 0);
    CHECK(check.out.find(std::to_string(table().size()) + " checks") != std::string::npos);

    auto listed = triad::test::run_triad({"rules", "list", "--policy", policy_path(), "--format", "json"});
    REQUIRE(listed.exit_code == 0);
    // CIS references name sections of the CIS Debian Linux 12 Benchmark: cis-debian12:N(.N)+
    const std::regex cis("^cis-debian12:[0-9]+(\\.[0-9]+)+$");
    auto rules = Poco::JSON::Parser().parse(listed.out).extract<Poco::JSON::Array::Ptr>();
    REQUIRE(rules);
    CHECK(rules->size() == table().size());
    int with_cis = 0;
    for (std::size_t i = 0; i < rules->size(); ++i) {
        auto r = rules->getObject(i);
        CAPTURE(r->getValue<std::string>("id"));
        auto tags = r->getArray("tags");
        bool cis_tag = false;
        for (std::size_t t = 0; t < tags->size(); ++t) {
            std::string tag = tags->getElement<std::string>(t);
            if (tag.starts_with("cis")) {
                CHECK(std::regex_match(tag, cis));
                cis_tag = true;
            }
        }
        with_cis += cis_tag;
    }
    CHECK(with_cis >= 30);
}

TEST_CASE("default policy: every check passes on the passing root") {
    if (!can_build_fixtures()) return;
    TempDir t;
    const std::string root = t / "root";
    REQUIRE(build_fixture(root, "pass"));

    Scan scan = run_scan(root);
    CHECK(scan.exit_code == 0);  // nothing fails, even at the default --fail-on info
    REQUIRE(scan.json);
    check_every_id_once(scan);
    for (const Row& row : table()) {
        CAPTURE(row.id);
        REQUIRE(scan.by_id.count(row.id));
        auto r = scan.by_id.at(row.id);
        CHECK(r->getValue<std::string>("verdict") == "pass");
        CHECK(r->getArray("evidence")->size() == 0);
        // Every check says why it matters and how to fix it.
        CHECK_FALSE(r->getValue<std::string>("rationale").empty());
        CHECK_FALSE(r->getValue<std::string>("remediation").empty());
    }
    auto counts = scan.json->getObject("counts");
    CHECK(counts->getValue<int>("pass") == static_cast<int>(table().size()));
    // Every pillar some check weighs on is decided, and all of it passed.
    auto scores = scan.json->getObject("scores");
    for (const char* p : {"confidentiality", "integrity", "availability", "overall"}) {
        CAPTURE(p);
        CHECK(scores->getValue<double>(p) == 100.0);
    }
}

TEST_CASE("default policy: every check fails on the failing root, with the expected evidence") {
    if (!can_build_fixtures()) return;
    TempDir t;
    const std::string root = t / "root";
    REQUIRE(build_fixture(root, "fail"));

    Scan scan = run_scan(root, {"--fail-on", "critical"});
    CHECK(scan.exit_code == 1);  // DAC-PASSWD and DAC-SHADOW are critical
    REQUIRE(scan.json);
    check_every_id_once(scan);
    for (const Row& row : table()) {
        CAPTURE(row.id);
        REQUIRE(scan.by_id.count(row.id));
        auto r = scan.by_id.at(row.id);
        CHECK(r->getValue<std::string>("verdict") == "fail");
        CHECK(evidence_objects(r) == row.fail_objects);  // sorted by object, as documented
        CHECK(r->getValue<std::size_t>("evidence_total") == row.fail_objects.size());
    }
    auto scores = scan.json->getObject("scores");
    for (const char* p : {"confidentiality", "integrity", "availability", "overall"}) {
        CAPTURE(p);
        CHECK(scores->getValue<double>(p) == 0.0);
    }
    CHECK(scan.json->getObject("counts")->getValue<int>("fail") == static_cast<int>(table().size()));

    // The observed values are the fixture's.
    auto r = [&](const char* id) { return scan.by_id.at(id); };
    CHECK(observed(r("DAC-SHADOW"), "/etc/shadow", "mode") == "0644");
    CHECK(observed(r("DAC-SHADOW"), "/etc/shadow", "group") == "shadow");
    CHECK(observed(r("DAC-SHADOW-BACKUP"), "/etc/shadow-", "group") == "adm");
    CHECK(observed(r("DAC-PASSWD-BACKUP"), "/etc/passwd-", "uid") == "1000");
    CHECK(observed(r("DAC-PASSWD-BACKUP"), "/etc/passwd-", "owner") == "alice");
    CHECK(observed(r("DAC-SSH-HOST-PRIVATE-KEYS"), "/etc/ssh/ssh_host_rsa_key", "group") == "_ssh");
    CHECK(observed(r("DAC-SSH-HOST-PRIVATE-KEYS"), "/etc/ssh/ssh_host_rsa_key", "mode") == "0640");
    CHECK(observed(r("DAC-SENSITIVE-ACL"), "/etc/security/opasswd", "acl") == "true");
    CHECK(observed(r("DAC-CRON-JOBS"), "/etc/cron.daily/backup", "owner") == "alice");
    CHECK(observed(r("DAC-LOG-FILES"), "/var/log/btmp", "mode") == "0664");
    CHECK(observed(r("DAC-LOG-DIRS"), "/var/log/app", "mode") == "1777");
    CHECK(observed(r("DAC-WORLD-WRITABLE-DIRS"), "/var/tmp", "mode") == "0777");
    CHECK(observed(r("DAC-SUID-ALLOWLIST"), "/usr/local/bin/rootshell", "mode") == "4755");
    CHECK(observed(r("DAC-SGID-ALLOWLIST"), "/usr/local/bin/shadowcat", "group") == "shadow");
    CHECK(observed(r("DAC-CAPABILITIES-ALLOWLIST"), "/usr/bin/ping", "capabilities") == "cap_net_raw,cap_sys_admin=ep");
    CHECK(observed(r("DAC-CAPABILITIES-ALLOWLIST"), "/usr/local/bin/netsniff", "capabilities") ==
          "cap_net_admin,cap_net_raw=ep");
    CHECK(observed(r("DAC-UNOWNED"), "/opt/orphan", "uid") == "4242");
    CHECK(observed(r("DAC-UNOWNED"), "/home/bob", "uid") == "4243");
    CHECK(observed(r("DAC-UNGROUPED"), "/opt/orphan", "gid") == "4242");
    CHECK(observed(r("DAC-HOME-DIRS"), "/home/bob", "unowned") == "true");

    // The excluded trees (a container image layer with a set-uid program, a capability,
    // a world-writable file and directory; a world-writable file in /tmp) never show up.
    for (const auto& [id, result] : scan.by_id)
        for (const std::string& object : evidence_objects(result)) {
            CAPTURE(id);
            CHECK_FALSE(object.starts_with("/var/lib/docker/"));
            CHECK_FALSE(object.starts_with("/tmp/"));
        }

    // The verdicts do not depend on how many threads walk: same results with 1 and 3.
    Scan one = run_scan(root, {"--jobs", "1"});
    Scan three = run_scan(root, {"--jobs", "3"});
    REQUIRE(one.json);
    REQUIRE(three.json);
    std::ostringstream a, b;
    one.json->getArray("results")->stringify(a);
    three.json->getArray("results")->stringify(b);
    CHECK(a.str() == b.str());
    CHECK(one.exit_code == 1);  // default --fail-on info
}

TEST_CASE("default policy: a stock Debian 12 root gives the hand-computed verdicts and scores") {
    if (!can_build_fixtures()) return;
    TempDir t;
    const std::string root = t / "root";
    REQUIRE(build_fixture(root, "mixed"));

    Scan scan = run_scan(root, {"--fail-on", "critical"});
    CHECK(scan.exit_code == 0);  // the two critical checks (DAC-PASSWD, DAC-SHADOW) pass
    REQUIRE(scan.json);
    check_every_id_once(scan);
    for (const Row& row : table()) {
        CAPTURE(row.id);
        REQUIRE(scan.by_id.count(row.id));
        CHECK(scan.by_id.at(row.id)->getValue<std::string>("verdict") == row.mixed);
    }
    auto r = [&](const char* id) { return scan.by_id.at(id); };
    // Missing backups are not failures; the reason names what is missing.
    CHECK(r("DAC-SHADOW-BACKUP")->getValue<std::string>("reason").find("/etc/shadow-") != std::string::npos);
    // /etc/shadow's mode says 0640 (the ACL mask), yet alice can read it: only the ACL check sees it.
    CHECK(evidence_objects(r("DAC-SENSITIVE-ACL")) == std::vector<std::string>{"/etc/shadow"});
    CHECK(observed(r("DAC-SENSITIVE-ACL"), "/etc/shadow", "mode") == "0640");
    CHECK(evidence_objects(r("DAC-WORLD-WRITABLE-FILES")) == std::vector<std::string>{"/opt/app/shared.conf"});
    CHECK(evidence_objects(r("DAC-LOG-FILES")) == std::vector<std::string>{"/var/log/dpkg.log"});

    // Scores by hand (docs/scoring.md): weight = severity (low 1, medium 3, high 6,
    // critical 10) x impact (none 0, low 0.5, high 1); pillar = 100 x passed / decided.
    //
    // Failing weight, from the policy's severities and impacts:
    //   C: SENSITIVE-ACL 6x1 + SSHD-CONFIG 1x.5 + CRONTAB .5 + five cron dirs 5x.5
    //      + LOG-FILES 3x1 + GRUB-CFG 3x.5 + WORLD-WRITABLE-FILES 6x.5       = 17
    //   I: SENSITIVE-ACL 6x.5 + LOG-FILES 3x.5 + WORLD-WRITABLE-FILES 6x1     = 10.5
    //   A: WORLD-WRITABLE-FILES 6x.5                                          = 3
    // Passing weight (the 26 passing checks):
    //   C: PASSWD 5, GROUP 3, SHADOW 10, GSHADOW 6, PRIVATE-KEYS 6, CRON-JOBS 3,
    //      ROOT-CONFIG-WRITABLE 3, SUDOERS 3, SUDOERS-D 3, ROOT-HOME 3, HOME-DIRS 3,
    //      HOME-DOTFILES 3, HOME-TRUST-FILES .5, LOG-DIRS 3, WORLD-WRITABLE-DIRS 3,
    //      SUID 6, SGID 3, CAPABILITIES 6, UNOWNED 1.5, UNGROUPED 1.5             = 75.5
    //   I: PASSWD 10, GROUP 6, SHADOW 10, GSHADOW 6, SHELLS .5, PRIVATE-KEYS 6,
    //      PUBLIC-KEYS .5, CRON-JOBS 6, ROOT-CONFIG-WRITABLE 6, SUDOERS 6,
    //      SUDOERS-D 6, ROOT-HOME 3, HOME-DIRS 1.5, HOME-DOTFILES 3,
    //      HOME-TRUST-FILES .5, LOG-DIRS 6, BOOT-FILES 6, MOTD/ISSUE/ISSUE-NET 1.5,
    //      WORLD-WRITABLE-DIRS 6, SUID 6, SGID 1.5, CAPABILITIES 6, UNOWNED 1.5,
    //      UNGROUPED 1.5                                                        = 107
    //   A: PASSWD 5, GROUP 3, SHADOW 5, PUBLIC-KEYS .5, CRON-JOBS 3,
    //      ROOT-CONFIG-WRITABLE 6, SUDOERS 3, SUDOERS-D 3, LOG-DIRS 6, BOOT-FILES 6,
    //      WORLD-WRITABLE-DIRS 6, SUID 3, CAPABILITIES 3                          = 52.5
    // Overall, with every requirement medium (1.0): the decided-weight mean of the pillars,
    //   (75.5 + 107 + 52.5) / (92.5 + 117.5 + 55.5).
    const double c = 100 * 75.5 / (75.5 + 17), i = 100 * 107 / (107 + 10.5), a = 100 * 52.5 / (52.5 + 3);
    const double overall = (c * 92.5 + i * 117.5 + a * 55.5) / (92.5 + 117.5 + 55.5);
    auto scores = scan.json->getObject("scores");
    CHECK(scores->getValue<double>("confidentiality") == doctest::Approx(round1(c)));  // 81.6
    CHECK(scores->getValue<double>("integrity") == doctest::Approx(round1(i)));        // 91.1
    CHECK(scores->getValue<double>("availability") == doctest::Approx(round1(a)));     // 94.6
    CHECK(scores->getValue<double>("overall") == doctest::Approx(round1(overall)));    // 88.5
    CHECK(scores->getValue<std::string>("weakest") == "confidentiality");
    auto counts = scan.json->getObject("counts");
    CHECK(counts->getValue<int>("pass") == 26);
    CHECK(counts->getValue<int>("fail") == 11);
    CHECK(counts->getValue<int>("not_applicable") == 9);

    // --fail-on high: DAC-SENSITIVE-ACL and DAC-WORLD-WRITABLE-FILES are high and fail.
    CHECK(run_scan(root, {"--fail-on", "high"}).exit_code == 1);
}

TEST_CASE("default policy: the fixture script rebuilds its own roots and refuses anything else") {
    if (!can_build_fixtures()) return;
    TempDir t;
    const std::string root = t / "root";
    REQUIRE(build_fixture(root, "fail"));
    REQUIRE(build_fixture(root, "pass"));  // over its own earlier build: a clean pass root
    Scan scan = run_scan(root);
    CHECK(scan.exit_code == 0);
    REQUIRE(scan.json);
    CHECK(scan.json->getObject("counts")->getValue<std::size_t>("pass") == table().size());

    // A directory with somebody else's files is left alone.
    const std::string foreign = t / "foreign";
    triad::test::write_file(foreign + "/keep.txt", "mine");
    auto r = triad::test::run({"bash", triad::test::source_dir() + "/tests/fixtures/make-root.sh", foreign, "pass"});
    CHECK(r.exit_code == 2);
    CHECK(triad::test::read_file(foreign + "/keep.txt") == "mine");
    CHECK_FALSE(std::filesystem::exists(foreign + "/etc"));
}
