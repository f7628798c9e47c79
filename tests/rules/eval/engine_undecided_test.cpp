// SPDX-License-Identifier: Apache-2.0
// What the engine does with an object it cannot decide: a regex that gave up on it, a field
// the kernel would not let the collector read. The check's verdict is `error` with the
// reason, never a pass of `expect: none` or `ne` on a value nobody looked at.
#include <doctest/doctest.h>
#include <sys/syscall.h>

#include <cerrno>

#include "rules/eval/engine.h"
#include "rules/load/policy_loader.h"
#include "tests/scanner/syscall_refusal.h"
#include "tests/test_support.h"

using namespace triad;

namespace {

std::string check_yaml(const std::string& id, const std::string& select, const std::string& expect) {
    return "  - id: " + id + "\n    title: t\n    severity: low\n    impact: { c: low, i: none, a: none }\n    select: " +
           select + "\n    expect: " + expect + "\n";
}

rules::Policy load(const std::string& checks) {
    auto loaded = rules::load_policy_text("policy: { id: u, title: undecided, version: \"1\" }\nchecks:\n" + checks, "u.yml");
    if (!loaded.ok()) FAIL(loaded.diagnostics.front().str());
    return std::move(loaded.policies.front());
}

std::vector<rules::CheckResult> run(const rules::Policy& policy, const std::string& root_dir) {
    std::vector<const rules::Check*> checks;
    for (const auto& c : policy.checks) checks.push_back(&c);
    auto root = scanner::Sysroot::open(root_dir).value();
    rules::EngineOptions options;
    options.jobs = 1;
    return rules::run_checks(checks, root, options, nullptr);
}

}  // namespace

TEST_CASE("a regex that hits PCRE2's match limit makes its object an error, in expect and in where") {
    test::TempDir dir;
    test::write_file(dir / "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    test::write_file(dir / "etc/group", "root:x:0:\n");
    // ^(a+)+$ backtracks exponentially on a run of a's that ends in something else.
    test::write_file(dir / "etc/app.conf", "Banner " + std::string(5000, 'a') + "!\nMotd short\n");
    test::write_file(dir / ("srv/" + std::string(200, 'a') + "!"), "x");
    const std::string conf = "{ collector: config, path: /etc/app.conf, key: Banner }";
    const std::string catastrophic = "{ field: value, matches: \"^(a+)+$\" }";
    rules::Policy policy = load(
        check_yaml("EXPECT-NONE", conf, "{ none: [" + catastrophic + "] }") +
        check_yaml("WHERE-NONE", "{ collector: config, path: /etc/app.conf, key: Banner, where: " + catastrophic + " }",
                   "none") +
        check_yaml("WALK-WHERE-NONE", "{ collector: files, paths: [/srv], where: { field: name, matches: \"^(a+)+$\" } }",
                   "none") +
        // The same operators on a value the regex can decide still give ordinary verdicts.
        check_yaml("DECIDED", "{ collector: config, path: /etc/app.conf, key: Motd }", "{ none: [" + catastrophic + "] }"));
    auto results = run(policy, dir.path());
    REQUIRE(results.size() == 4);
    for (std::size_t i = 0; i < 3; ++i) {
        CAPTURE(results[i].check.id);
        CHECK(results[i].verdict == rules::Verdict::error);
        CHECK(results[i].reason.find("gave up on") != std::string::npos);
        CHECK(results[i].reason.find("match limit exceeded") != std::string::npos);
    }
    CHECK(results[3].verdict == rules::Verdict::pass);
}

TEST_CASE("a file whose ACL cannot be read is an error for file and files checks") {
    test::TempDir dir;
    test::write_file(dir / "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    test::write_file(dir / "etc/group", "root:x:0:\n");
    test::write_file(dir / "srv/plain", "x", 0644);
    rules::Policy policy = load(check_yaml("NO-ACL", "{ collector: files, paths: [/srv], where: { acl: true } }", "none") +
                                check_yaml("MODE", "{ collector: file, path: /srv/plain }",
                                           "{ field: mode, at_most: \"0644\" }"));
    auto intact = run(policy, dir.path());
    REQUIRE(intact.size() == 2);
    CHECK(intact[0].verdict == rules::Verdict::pass);
    CHECK(intact[1].verdict == rules::Verdict::pass);

    // Every xattr read refused, as an LSM denial would: neither check can be decided.
    std::string problems = test::in_child_refusing(
        {SYS_getxattr, SYS_lgetxattr, SYS_fgetxattr, test::kSysGetxattrat}, EACCES, [&] {
            std::string out;
            auto refused = run(policy, dir.path());
            for (const auto& r : refused) {
                if (r.verdict != rules::Verdict::error) out += r.check.id + ": not an error: " + r.reason + "\n";
                else if (r.reason.find("cannot read system.posix_acl_access: permission denied") == std::string::npos)
                    out += r.check.id + ": reason: " + r.reason + "\n";
            }
            return out;
        });
    CHECK(problems == "");
}
