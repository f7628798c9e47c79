// SPDX-License-Identifier: Apache-2.0
// A check on a collector this build left out (its CMake option was OFF) is an error that
// names the option, whatever the scan could otherwise read: it is never a pass, and never
// not_applicable, which would hide that this triad cannot judge it.
#include <doctest/doctest.h>

#include "rules/eval/engine.h"
#include "rules/load/policy_loader.h"
#include "scanner/core/registry.h"
#include "tests/test_support.h"

using namespace triad;

TEST_CASE("checks on a collector that is not built get the verdict error with the reason") {
    auto loaded = rules::load_policy_text(R"(
policy: { id: nb, title: not built, version: "1" }
checks:
  - id: NB-ROOT
    title: a root-scope collector
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: file, path: /etc/passwd }
    expect: none
  - id: NB-HOST
    title: a host-scope collector
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: cpu }
    expect: { field: nx, eq: true }
)", "nb.yml");
    REQUIRE(loaded.ok());
    // The registry's entry for a left-out collector is its spec marked by left_out(); here
    // two built collectors stand in for ones a build option removed.
    const scanner::CollectorEntry file = scanner::left_out(*scanner::find_collector("file"), "TRIAD_WITH_FILES");
    const scanner::CollectorEntry cpu = scanner::left_out(*scanner::find_collector("cpu"), "TRIAD_WITH_CPU");
    auto& checks_owned = loaded.policies[0].checks;
    checks_owned[0].select.collector = &file;
    checks_owned[1].select.collector = &cpu;
    std::vector<const rules::Check*> checks{&checks_owned[0], &checks_owned[1]};

    test::TempDir dir;
    test::write_file(dir / "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    auto root = scanner::Sysroot::open(dir.path()).value();
    // Without a proc tree a host-scope check would be not_applicable; not being built comes first.
    auto results = rules::run_checks(checks, root, rules::EngineOptions{}, nullptr);
    REQUIRE(results.size() == 2);
    CHECK(results[0].verdict == rules::Verdict::error);
    CHECK(results[0].reason == "collector 'file' is not built into this triad (built without TRIAD_WITH_FILES)");
    CHECK(results[1].verdict == rules::Verdict::error);
    CHECK(results[1].reason == "collector 'cpu' is not built into this triad (built without TRIAD_WITH_CPU)");
}
