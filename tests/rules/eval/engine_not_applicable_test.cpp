// SPDX-License-Identifier: Apache-2.0
// A collector that has nothing to judge (here: no sshd_config) returns a not_applicable fact
// with its reason; every quantifier then gives not_applicable with that reason, never a pass
// of `expect: none` or a failure of `objects: any`.
#include <doctest/doctest.h>

#include "rules/eval/engine.h"
#include "rules/load/policy_loader.h"
#include "tests/test_support.h"

using namespace triad;

TEST_CASE("a collector's not_applicable fact decides the check, whatever the quantifier") {
    auto loaded = rules::load_policy_text(R"(
policy: { id: na, title: not applicable, version: "1" }
checks:
  - id: NA-ALL
    title: all
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: sshd }
    expect: { field: permit_root_login, eq: "no" }
  - id: NA-ANY
    title: any
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: sshd }
    expect: { objects: any, field: permit_root_login, eq: "no" }
  - id: NA-NONE
    title: none
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: sshd, where: { permit_root_login: "yes" } }
    expect: none
)", "na.yml");
    REQUIRE(loaded.ok());
    std::vector<const rules::Check*> checks;
    for (const auto& c : loaded.policies[0].checks) checks.push_back(&c);

    test::TempDir dir;
    test::make_dirs(dir / "etc");
    auto root = scanner::Sysroot::open(dir.path()).value();
    auto results = rules::run_checks(checks, root, rules::EngineOptions{}, nullptr);
    REQUIRE(results.size() == 3);
    for (const auto& r : results) {
        CAPTURE(r.check.id);
        CHECK(r.verdict == rules::Verdict::not_applicable);
        CHECK(r.reason.find("sshd_config does not exist") != std::string::npos);
    }

    // With a configuration the same checks are decided again.
    test::write_file(dir / "etc/ssh/sshd_config", "PermitRootLogin yes\n");
    results = rules::run_checks(checks, root, rules::EngineOptions{}, nullptr);
    CHECK(results[0].verdict == rules::Verdict::fail);
    CHECK(results[1].verdict == rules::Verdict::fail);
    CHECK(results[2].verdict == rules::Verdict::fail);
}
