// SPDX-License-Identifier: Apache-2.0
// Issue 9, class 2: every observed value says where it comes from. A failing check's
// evidence carries `source`: FILE:LINE when a file sets the value, "default (not set in
// FILE)" when the program's built-in default applies, "absent (FILE does not exist)" when
// there is no file; and a glob is never the object when no file matches it. Fixture roots,
// the engine and the JSON report as a user reads them.
#include <doctest/doctest.h>

#include <map>

#include "rules/eval/engine.h"
#include "rules/load/policy_loader.h"
#include "tests/test_support.h"

using namespace triad;

namespace {

std::string check_yaml(const std::string& id, const std::string& select, const std::string& expect) {
    return "  - id: " + id + "\n    title: t\n    severity: low\n    impact: { c: low, i: none, a: none }\n    select: " +
           select + "\n    expect: " + expect + "\n";
}

std::map<std::string, rules::CheckResult> run(const std::string& checks, const std::string& root_dir) {
    auto loaded = rules::load_policy_text("policy: { id: s, title: sources, version: \"1\" }\nchecks:\n" + checks, "s.yml");
    if (!loaded.ok()) FAIL(loaded.diagnostics.front().str());
    std::vector<const rules::Check*> selected;
    for (const auto& c : loaded.policies.front().checks) selected.push_back(&c);
    auto root = scanner::Sysroot::open(root_dir).value();
    rules::EngineOptions options;
    options.jobs = 1;
    std::map<std::string, rules::CheckResult> out;
    for (auto& r : rules::run_checks(selected, root, options, nullptr)) out[r.check.id] = r;
    return out;
}

std::string observed(const rules::CheckResult& r, const std::string& key) {
    INFO(r.check.id, ": ", r.reason);
    REQUIRE(r.evidence.size() == 1);
    for (const auto& [k, v] : r.evidence.front().observed)
        if (k == key) return v;
    return "(no " + key + ")";
}

}  // namespace

TEST_CASE("evidence says where each value comes from: file line, program default, absent file") {
    test::TempDir dir;
    test::write_file(dir / "etc/login.defs", "# aging\n\nPASS_MAX_DAYS 99999\n");
    test::write_file(dir / "etc/default/useradd", "SHELL=/bin/sh\n");
    test::write_file(dir / "etc/security/faillock.conf", "# deny = 3\n# unlock_time = 600\n");
    test::write_file(dir / "etc/ssh/sshd_config", "Port 22\nPermitRootLogin yes\n");
    test::write_file(dir / "etc/sysctl.d/10-aslr.conf", "kernel.randomize_va_space = 1\n");
    test::write_file(dir / "etc/sudoers", "Defaults !use_pty\nroot ALL=(ALL:ALL) ALL\n", 0440);
    const auto results = run(
        check_yaml("LOGIN-DEFS", "{ collector: config, path: /etc/login.defs, key: PASS_MAX_DAYS, separator: whitespace, default: \"-1\" }",
                   "{ field: value, as: integer, le: 365 }") +
            check_yaml("USERADD", "{ collector: config, path: /etc/default/useradd, key: INACTIVE, separator: equals, default: \"-1\" }",
                       "{ field: value, as: integer, ge: 0 }") +
            check_yaml("FAILLOCK", "{ collector: config, path: /etc/security/faillock.conf, key: unlock_time, default: \"600\" }",
                       "{ field: value, as: integer, eq: 0 }") +
            check_yaml("PWQUALITY",
                       "{ collector: config, path: [/etc/security/pwquality.conf.d/*.conf, /etc/security/pwquality.conf], key: minlen, default: \"8\" }",
                       "{ field: value, as: integer, ge: 14 }") +
            check_yaml("NO-DEFAULT", "{ collector: config, path: /etc/security/limits.conf, key: nofile }", "{ field: value, exists: true }") +
            check_yaml("SSHD-SET", "{ collector: sshd }", "{ field: permit_root_login, eq: \"no\" }") +
            check_yaml("SSHD-DEFAULT", "{ collector: sshd }", "{ field: password_authentication, eq: false }") +
            check_yaml("SSHD-BOTH", "{ collector: sshd }",
                       "{ all: [ { field: permit_root_login, eq: \"no\" }, { field: password_authentication, eq: false } ] }") +
            check_yaml("SYSCTL", "{ collector: sysctl, key: kernel.randomize_va_space, source: configured, default: \"2\" }",
                       "{ field: value, as: integer, eq: 2 }") +
            check_yaml("SYSCTL-DEFAULT", "{ collector: sysctl, key: kernel.kptr_restrict, source: configured, default: \"0\" }",
                       "{ field: value, as: integer, ge: 1 }") +
            check_yaml("SUDO", "{ collector: sudo_defaults, where: { name: use_pty } }", "{ field: negated, eq: false }") +
            // A file's own properties have no source: nothing is added.
            check_yaml("FILE", "{ collector: file, path: /etc/login.defs }", "{ field: mode, at_most: \"0600\" }"),
        dir.path());

    CHECK(observed(results.at("LOGIN-DEFS"), "source") == "/etc/login.defs:3");
    // The examples: a default read from no line, a file of comments only.
    CHECK(observed(results.at("USERADD"), "value") == "-1");
    CHECK(observed(results.at("USERADD"), "source") == "default (not set in /etc/default/useradd)");
    CHECK(observed(results.at("FAILLOCK"), "source") == "default (not set in /etc/security/faillock.conf)");
    // No file matches the glob and the main file is absent: the object is the main file.
    CHECK(results.at("PWQUALITY").evidence.front().object == "/etc/security/pwquality.conf: minlen");
    CHECK(observed(results.at("PWQUALITY"), "source") ==
          "default (none of /etc/security/pwquality.conf.d/*.conf, /etc/security/pwquality.conf exists)");
    CHECK(observed(results.at("NO-DEFAULT"), "value") == "(absent)");
    CHECK(observed(results.at("NO-DEFAULT"), "source") == "absent (/etc/security/limits.conf does not exist)");
    CHECK(observed(results.at("SSHD-SET"), "source") == "/etc/ssh/sshd_config:2");
    CHECK(observed(results.at("SSHD-DEFAULT"), "source") == "default (not set in /etc/ssh/sshd_config)");
    CHECK(observed(results.at("SSHD-BOTH"), "source") ==
          "permit_root_login: /etc/ssh/sshd_config:2; password_authentication: default (not set in /etc/ssh/sshd_config)");
    CHECK(observed(results.at("SYSCTL"), "source") == "/etc/sysctl.d/10-aslr.conf:1");
    CHECK(observed(results.at("SYSCTL-DEFAULT"), "source") == "default (not set in the sysctl.d files and /etc/sysctl.conf)");
    CHECK(observed(results.at("SUDO"), "source") == "/etc/sudoers:1");
    CHECK(observed(results.at("FILE"), "source") == "(no source)");
}
