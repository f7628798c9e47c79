// SPDX-License-Identifier: Apache-2.0
// Issue 9, class 3: every not_applicable and every "nothing selected" says what was looked
// for, where, and why it does not apply; a protection the kernel lacks is a failure that
// names it; files of a program that is not installed are not_applicable, saying so.
#include <doctest/doctest.h>

#include "rules/eval/engine.h"
#include "rules/load/policy_loader.h"
#include "tests/test_support.h"

using namespace triad;

namespace {

std::vector<rules::CheckResult> run(const std::string& policy, const std::string& root_dir,
                                    const std::string& proc_dir = "") {
    auto loaded = rules::load_policy_text(policy, "reasons.yml");
    REQUIRE_MESSAGE(loaded.ok(), "policy does not load");
    std::vector<const rules::Check*> checks;
    for (const auto& c : loaded.policies[0].checks) checks.push_back(&c);
    auto root = scanner::Sysroot::open(root_dir).value();
    std::optional<scanner::Sysroot> proc;
    rules::EngineOptions options;
    if (!proc_dir.empty()) {
        proc.emplace(scanner::Sysroot::open(proc_dir).value());
        options.proc = &*proc;
    }
    return rules::run_checks(checks, root, options, nullptr);
}

constexpr const char* kHeader = "policy: { id: reasons, title: reasons, version: \"1\" }\nchecks:\n";

}  // namespace

TEST_CASE("nothing selected says which collector, which arguments, how many objects and which where") {
    test::TempDir dir;
    test::write_file(dir / "etc/passwd", "root:x:0:0::/root:/bin/bash\ndaemon:x:1:1::/:/usr/sbin/nologin\n");
    test::write_file(dir / "etc/group", "root:x:0:\n");
    test::write_file(dir / "etc/shadow", "root:*:19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\n", 0640);
    test::make_dirs(dir / "var/empty");
    auto results = run(std::string(kHeader) + R"(
  - id: R-WHERE
    title: accounts with a password expire
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: accounts, where: { password: set } }
    expect: { field: max_days, le: 365 }
  - id: R-ANY
    title: some account is named alice
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: accounts, where: { name: alice } }
    expect: { objects: any, field: uid, ge: 1000 }
  - id: R-WALK
    title: setuid files under /var/empty are root's
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: files, paths: [/var/empty], where: { setuid: true } }
    expect: { field: uid, eq: 0 }
)", dir.path());
    REQUIRE(results.size() == 3);
    CHECK(results[0].verdict == rules::Verdict::not_applicable);
    CHECK(results[0].reason == "nothing selected: none of the 2 objects that the accounts collector gave has password eq set");
    CHECK(results[1].verdict == rules::Verdict::fail);
    CHECK(results[1].reason == "nothing selected: none of the 2 objects that the accounts collector gave has name eq alice");
    CHECK(results[2].verdict == rules::Verdict::not_applicable);
    CHECK(results[2].reason ==
          "nothing selected: no object that the files collector (paths=/var/empty) walked has setuid eq true");
}

TEST_CASE("a missing kernel protection fails with its reason; a missing parameter is not_applicable with it") {
    test::TempDir dir, proc;
    test::make_dirs(dir / "etc");
    test::write_file(proc / "sys/kernel/randomize_va_space", "2\n");
    auto results = run(std::string(kHeader) + R"(
  - id: R-YAMA-FAIL
    title: ptrace is restricted
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: sysctl, key: kernel.yama.ptrace_scope, source: live, if_missing: fail }
    expect: { field: value, as: integer, ge: 1 }
  - id: R-YAMA-SKIP
    title: ptrace is restricted (skip)
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: sysctl, key: kernel.yama.ptrace_scope, source: live }
    expect: { field: value, as: integer, ge: 1 }
  - id: R-ASLR
    title: ASLR is full
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: sysctl, key: kernel.randomize_va_space, source: live, if_missing: fail }
    expect: { field: value, as: integer, eq: 2 }
)", dir.path(), proc.path());
    REQUIRE(results.size() == 3);
    CHECK(results[0].verdict == rules::Verdict::fail);
    REQUIRE(results[0].evidence.size() == 1);
    const auto& observed = results[0].evidence[0].observed;
    REQUIRE(observed.size() == 2);
    CHECK(observed[0] == std::make_pair(std::string("exists"), std::string("false")));
    CHECK(observed[1].second.find("the Yama LSM is not active in this kernel") != std::string::npos);
    CHECK(results[1].verdict == rules::Verdict::not_applicable);
    CHECK(results[1].reason.find("kernel.yama.ptrace_scope (the Yama LSM is not active") != std::string::npos);
    CHECK(results[2].verdict == rules::Verdict::pass);  // present: if_missing changes nothing
}

TEST_CASE("files of a program that is not installed are not_applicable, saying so") {
    test::TempDir dir;
    test::make_dirs(dir / "etc/cron.daily");
    const std::string policy = std::string(kHeader) + R"(
  - id: R-CRON
    title: cron.daily is root's only
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: file, path: /etc/cron.daily, program: [/usr/sbin/cron, /usr/sbin/crond] }
    expect: { field: mode, at_most: "0700" }
)";
    ::chmod((dir / "etc/cron.daily").c_str(), 0755);
    auto results = run(policy, dir.path());
    CHECK(results[0].verdict == rules::Verdict::not_applicable);
    CHECK(results[0].reason ==
          "the program these files configure is not installed: none of /usr/sbin/cron, /usr/sbin/crond exists");
    // Once cron is installed the same directory is judged.
    test::write_file(dir / "usr/sbin/crond", "", 0755);
    results = run(policy, dir.path());
    CHECK(results[0].verdict == rules::Verdict::fail);
}
