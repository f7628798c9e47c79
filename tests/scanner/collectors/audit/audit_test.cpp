// SPDX-License-Identifier: Apache-2.0
// The audit collectors: configured rules parsed through libaudit into the kernel's form,
// the kernel's status and rules read back through libaudit — with a real rule added to the
// running kernel, cross-checked with `auditctl -s` and `auditctl -l`, and removed — and
// auditd.conf with the rules files' control lines.
#include "scanner/collectors/audit/audit.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <sstream>

#include "scanner/collectors/audit/audit_config.h"
#include "scanner/collectors/audit/audit_rule_form.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

struct Scan {
    Sysroot root;
    Sysroot proc;
    IdentityTable ids;
    explicit Scan(const std::string& dir, bool live = false)
        : root(Sysroot::open(dir).value()), proc(Sysroot::open(live ? "/proc" : dir).value()), ids(IdentityTable::load(root)) {}
    FactSet run(const CollectorEntry& e, const SelectArgs& args, bool live) {
        CollectContext ctx{root, ids};
        if (live) ctx.proc = &proc;
        return e.collect(ctx, args);
    }
};

SelectArgs source(const std::string& s) {
    SelectArgs a;
    a.values["source"] = s;
    return a;
}

std::string text(const FieldSource& f, const CollectorEntry& e, const std::string& field) {
    return field_text(f, e.fields, field);
}

// Why the live audit tests cannot run here, or "" when they can.
std::string audit_unavailable() {
    if (::geteuid() != 0) return "not root: the audit netlink requests need CAP_AUDIT_CONTROL";
    auto st = audit::read_status();
    if (!st) return "audit unavailable: " + st.error().describe();
    return "";
}

const char* kCisRules =
    "## identity\n"
    "-w /etc/passwd -p wa -k identity\n"
    "-w /etc/sudoers.d -p wa -k scope\n"
    "-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change\n"
    "-a always,exit -F arch=b64 -S mount -F auid>=1000 -F auid!=unset -k mounts\n"
    "-e 2\n";

}  // namespace

TEST_CASE("audit_rules: configured rules in the kernel form, in augenrules' order") {
    TempDir dir;
    write_file(dir / "etc/sudoers.d/README", "x\n");
    write_file(dir / "etc/audit/rules.d/10-base.rules", "-D\n-b 8192\n-f 1\n");
    write_file(dir / "etc/audit/rules.d/50-cis.rules", kCisRules);
    write_file(dir / "etc/audit/rules.d/60-bad.rules", "-w /etc/shadow -p wz -k bad\n-a always,exit -S no_such_call\n");
    write_file(dir / "etc/audit/audit.rules", "-w /ignored -p r\n");  // generated: rules.d wins
    Scan s(dir.path());
    FactSet facts = s.run(kAuditRulesCollector, source("configured"), false);

    std::vector<std::string> rules;
    for (const Fact& f : facts)
        if (f.status == FactStatus::ok) rules.push_back(text(f, kAuditRulesCollector, "rule"));
    REQUIRE(rules.size() == 4);
    CHECK(rules[0] == "-w /etc/passwd -p wa -k identity");
    // A directory is watched as a tree (dir=), decided in the audited root.
    CHECK(rules[1] == "-w /etc/sudoers.d -p wa -k scope");
    CHECK(rules[2] == "-a always,exit -S adjtimex,settimeofday,clock_settime -F arch=b64 -k time-change");
    CHECK(rules[3] == "-a always,exit -S mount -F arch=b64 -F auid>=1000 -F auid!=unset -k mounts");

    const Fact* mounts = nullptr;
    for (const Fact& f : facts)
        if (f.status == FactStatus::ok && text(f, kAuditRulesCollector, "keys") == "mounts") mounts = &f;
    REQUIRE(mounts);
    CHECK(text(*mounts, kAuditRulesCollector, "syscalls") == "mount");
    CHECK(text(*mounts, kAuditRulesCollector, "fields") == "arch=b64, auid>=1000, auid!=unset");
    CHECK(text(*mounts, kAuditRulesCollector, "file") == "/etc/audit/rules.d/50-cis.rules");
    CHECK(text(*mounts, kAuditRulesCollector, "line") == "5");
    CHECK(text(*mounts, kAuditRulesCollector, "loaded") == "(absent)");  // no running system in this scan

    int errors = 0;
    for (const Fact& f : facts)
        if (f.status == FactStatus::error) {
            ++errors;
            CHECK(f.reason.find("/etc/audit/rules.d/60-bad.rules:") != std::string::npos);
        }
    CHECK(errors == 2);
}

TEST_CASE("audit_rules: no rules file is no rule; loaded rules need the running system") {
    TempDir dir;
    Scan s(dir.path());
    FactSet facts = s.run(kAuditRulesCollector, source("configured"), false);
    CHECK(facts.empty());
    facts = s.run(kAuditRulesCollector, source("loaded"), false);
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::not_applicable);
}

TEST_CASE("audit_config: auditd.conf settings, defaults, control lines and enablement") {
    TempDir dir;
    write_file(dir / "etc/audit/auditd.conf", "max_log_file_action = keep_logs\nspace_left_action = email\n# c\nlog_group = adm\n");
    write_file(dir / "etc/audit/rules.d/10.rules", "-b 8192\n-f 2\n");
    write_file(dir / "etc/audit/rules.d/99-finalize.rules", "-e 2\n");
    write_file(dir / "usr/sbin/auditd", "", 0755);
    write_file(dir / "usr/lib/systemd/system/auditd.service", "[Service]\nExecStart=/usr/sbin/auditd\n");
    triad::test::make_dirs(dir / "etc/systemd/system/multi-user.target.wants");
    REQUIRE(::symlink("/usr/lib/systemd/system/auditd.service",
                      (dir / "etc/systemd/system/multi-user.target.wants/auditd.service").c_str()) == 0);
    Scan s(dir.path());
    FactSet facts = s.run(kAuditConfigCollector, {}, false);
    REQUIRE(facts.size() == 1);
    REQUIRE(facts[0].status == FactStatus::ok);
    const Fact& f = facts[0];
    CHECK(text(f, kAuditConfigCollector, "max_log_file_action") == "KEEP_LOGS");
    CHECK(text(f, kAuditConfigCollector, "space_left_action") == "EMAIL");
    CHECK(text(f, kAuditConfigCollector, "disk_full_action") == "SUSPEND");  // auditd's default
    CHECK(text(f, kAuditConfigCollector, "log_group") == "adm");
    CHECK(text(f, kAuditConfigCollector, "rules_enable") == "2");
    CHECK(text(f, kAuditConfigCollector, "rules_immutable") == "true");
    CHECK(text(f, kAuditConfigCollector, "rules_failure") == "2");
    CHECK(text(f, kAuditConfigCollector, "rules_backlog_limit") == "8192");
    CHECK(text(f, kAuditConfigCollector, "auditd_installed") == "true");
    CHECK(text(f, kAuditConfigCollector, "auditd_enabled") == "true");

    TempDir bare;
    Scan b(bare.path());
    facts = b.run(kAuditConfigCollector, {}, false);
    REQUIRE(facts.size() == 1);
    CHECK(text(facts[0], kAuditConfigCollector, "config_exists") == "false");
    CHECK(text(facts[0], kAuditConfigCollector, "rules_immutable") == "false");
    CHECK(text(facts[0], kAuditConfigCollector, "auditd_installed") == "false");
}

TEST_CASE("audit: the kernel status agrees with auditctl -s") {
    if (auto why = audit_unavailable(); !why.empty()) {
        MESSAGE("skipped: " << why);
        return;
    }
    TempDir dir;
    Scan s(dir.path(), /*live=*/true);
    FactSet facts = s.run(kAuditCollector, {}, true);
    REQUIRE(facts.size() == 1);
    REQUIRE_MESSAGE(facts[0].status == FactStatus::ok, facts[0].reason);
    auto ref = triad::test::run({"auditctl", "-s"});
    if (ref.exit_code != 0) {
        MESSAGE("auditctl not installed: status read, not cross-checked");
        return;
    }
    std::map<std::string, std::string> kv;
    std::istringstream in(ref.out);
    for (std::string k, v; in >> k >> v;) kv[k] = v;
    CHECK(text(facts[0], kAuditCollector, "enabled") == kv["enabled"]);
    CHECK(text(facts[0], kAuditCollector, "failure") == kv["failure"]);
    CHECK(text(facts[0], kAuditCollector, "backlog_limit") == kv["backlog_limit"]);
    CHECK(text(facts[0], kAuditCollector, "auditd_pid") == kv["pid"]);
    CHECK(text(facts[0], kAuditCollector, "rate_limit") == kv["rate_limit"]);
}

TEST_CASE("audit_rules: a rule added to the kernel is read back, matched to its file and removed") {
    if (auto why = audit_unavailable(); !why.empty()) {
        MESSAGE("skipped: " << why);
        return;
    }
    TempDir dir;
    const std::string watched = dir / "watched";
    write_file(watched, "x\n");
    const std::string line = "-w " + watched + " -p wa -k triad-test-" + std::to_string(::getpid());
    // The configured rule lives in a fixture root; the watched path is on the host so the
    // kernel accepts it.
    write_file(dir / "etc/audit/rules.d/50-test.rules", line + "\n");
    Scan s(dir.path(), /*live=*/true);
    audit::ParsedLine p = audit::parse_rule_line(line, s.root);
    REQUIRE(p.kind == audit::ParsedLine::Kind::rule);
    const int fd = audit_open();
    REQUIRE(fd >= 0);
    REQUIRE(audit_add_rule_data(fd, p.data.get(), p.list, p.action) > 0);
    struct Remove {
        int fd;
        audit::ParsedLine& p;
        ~Remove() {
            audit_delete_rule_data(fd, p.data.get(), p.list, p.action);
            audit_close(fd);
        }
    } remove{fd, p};

    FactSet loaded = s.run(kAuditRulesCollector, source("loaded"), true);
    const Fact* mine = find_object(loaded, line);
    REQUIRE_MESSAGE(mine, "rule not listed: " << line);
    CHECK(text(*mine, kAuditRulesCollector, "configured") == "true");
    CHECK(text(*mine, kAuditRulesCollector, "path") == watched);
    CHECK(text(*mine, kAuditRulesCollector, "perms") == "wa");

    FactSet configured = s.run(kAuditRulesCollector, source("configured"), true);
    REQUIRE(configured.size() == 1);
    CHECK(text(configured[0], kAuditRulesCollector, "loaded") == "true");

    auto ref = triad::test::run({"auditctl", "-l"});
    if (ref.exit_code == 0) CHECK(ref.out.find(line) != std::string::npos);
    else MESSAGE("auditctl not installed: rule read back, not cross-checked");
}

TEST_CASE("audit_rules: a syscall rule with arch and auid conditions reads back from the kernel as it was built") {
    if (auto why = audit_unavailable(); !why.empty()) {
        MESSAGE("skipped: " << why);
        return;
    }
    TempDir dir;
    const std::string key = "triad-test-" + std::to_string(::getpid());
    const std::string line = "-a always,exit -F arch=b64 -S mount,umount2 -F auid>=1000 -F auid!=unset -k " + key;
    Scan s(dir.path(), /*live=*/true);
    audit::ParsedLine p = audit::parse_rule_line(line, s.root);
    REQUIRE(p.kind == audit::ParsedLine::Kind::rule);
    const std::string built = audit::describe_rule(*p.data).text;
    CHECK(built == "-a always,exit -S mount,umount2 -F arch=b64 -F auid>=1000 -F auid!=unset -k " + key);
    const int fd = audit_open();
    REQUIRE(fd >= 0);
    REQUIRE(audit_add_rule_data(fd, p.data.get(), p.list, p.action) > 0);
    struct Remove {
        int fd;
        audit::ParsedLine& p;
        ~Remove() {
            audit_delete_rule_data(fd, p.data.get(), p.list, p.action);
            audit_close(fd);
        }
    } remove{fd, p};
    FactSet loaded = s.run(kAuditRulesCollector, source("loaded"), true);
    const Fact* mine = find_object(loaded, built);
    REQUIRE_MESSAGE(mine, "rule not listed: " << built);
    CHECK(text(*mine, kAuditRulesCollector, "syscalls") == "mount, umount2");
    CHECK(text(*mine, kAuditRulesCollector, "configured") == "false");  // the fixture root has no rules file
    // auditctl prints the same rule with its own spellings (auid!=-1, -F key=) and field order.
    auto ref = triad::test::run({"auditctl", "-l"});
    if (ref.exit_code == 0) {
        CHECK(ref.out.find("-S mount,umount2") != std::string::npos);
        CHECK(ref.out.find("-F auid>=1000") != std::string::npos);
        CHECK(ref.out.find("-F key=" + key) != std::string::npos);  // auditctl spells a syscall rule's key so
    }
}

TEST_CASE("audit_rules: a rules file over 4 MiB is an error naming it") {
    TempDir dir;
    write_file(dir / "etc/audit/rules.d/huge.rules", std::string(5 * 1024 * 1024, '#'));
    write_file(dir / "etc/audit/rules.d/ok.rules", "-w /etc/passwd -p wa\n");
    Scan s(dir.path());
    FactSet facts = s.run(kAuditRulesCollector, source("configured"), false);
    REQUIRE(facts.size() == 2);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("huge.rules") != std::string::npos);
    CHECK(text(facts[1], kAuditRulesCollector, "rule") == "-w /etc/passwd -p wa");
}
