// SPDX-License-Identifier: Apache-2.0
#include "rules/score/diff.h"

#include <doctest/doctest.h>

#include "tests/reporters/golden_support.h"

using namespace triad;
using namespace triad::rules;

namespace {

CheckResult check(const char* id, Verdict v, Severity s = Severity::medium, std::vector<std::string> objects = {},
                  std::uint64_t total = 0) {
    CheckResult r;
    r.check.id = id;
    r.check.severity = s;
    r.verdict = v;
    for (auto& o : objects) r.evidence.push_back({o, {{"mode", "0666"}}});
    r.evidence_total = total ? total : r.evidence.size();
    return r;
}

std::vector<std::string> ids(const std::vector<CheckChange>& changes) {
    std::vector<std::string> out;
    for (const auto& c : changes) out.push_back(c.id);
    return out;
}

}  // namespace

TEST_CASE("diff: new failures, resolved checks, changed evidence and other changes") {
    ScanResult before, after;
    before.results = {check("STILL-OK", Verdict::pass), check("BREAKS", Verdict::pass), check("FIXED", Verdict::fail),
                      check("ACCEPTED", Verdict::fail), check("SAME", Verdict::fail, Severity::high, {"/a"}),
                      check("MORE", Verdict::fail, Severity::high, {"/a"}), check("ERRS", Verdict::fail),
                      check("GONE", Verdict::pass)};
    after.results = {check("STILL-OK", Verdict::pass), check("BREAKS", Verdict::fail, Severity::low, {"/x"}),
                     check("FIXED", Verdict::pass), check("ACCEPTED", Verdict::waived),
                     check("SAME", Verdict::fail, Severity::high, {"/a"}),
                     check("MORE", Verdict::fail, Severity::high, {"/a", "/b"}), check("ERRS", Verdict::error),
                     check("NEW-FAIL", Verdict::fail, Severity::critical), check("NEW-PASS", Verdict::pass)};
    const ResultDiff d = diff_results(before, after);
    CHECK(ids(d.new_failures) == std::vector<std::string>{"BREAKS", "NEW-FAIL"});
    CHECK(ids(d.resolved) == std::vector<std::string>{"FIXED", "ACCEPTED"});
    CHECK(ids(d.changed_evidence) == std::vector<std::string>{"MORE"});
    CHECK(d.changed_evidence[0].added == std::vector<std::string>{"/b"});
    CHECK(ids(d.other_changes) == std::vector<std::string>{"ERRS", "NEW-PASS", "GONE"});
    CHECK(d.new_failures[1].before == nullptr);
    CHECK(d.other_changes[2].after == nullptr);

    SUBCASE("regressions by severity: what --fail-on and --baseline gate on") {
        CHECK(d.regressions(Severity::info).size() == 3);  // BREAKS, NEW-FAIL, MORE
        CHECK(d.regressions(Severity::high).size() == 2);  // NEW-FAIL, MORE
        CHECK(d.regressions(Severity::critical).size() == 1);
    }
}

TEST_CASE("diff: evidence changes respect the evidence limit") {
    // Results keep the objects that sort first; an object past the other side's last listed
    // object may simply not have been listed, so it is neither added nor removed.
    ScanResult before, after;
    before.results = {check("WW", Verdict::fail, Severity::medium, {"/b", "/d", "/f"}, 100)};
    SUBCASE("a truly new object sorts inside the listed range") {
        after.results = {check("WW", Verdict::fail, Severity::medium, {"/a", "/b", "/d"}, 100)};
        const ResultDiff d = diff_results(before, after);
        REQUIRE(d.changed_evidence.size() == 1);
        CHECK(d.changed_evidence[0].added == std::vector<std::string>{"/a"});
        CHECK(d.changed_evidence[0].removed.empty());  // /f may only have dropped off the list
        CHECK(d.is_regression(d.changed_evidence[0]));
    }
    SUBCASE("an object beyond the old list is not claimed as new") {
        after.results = {check("WW", Verdict::fail, Severity::medium, {"/b", "/d", "/g"}, 99)};
        const ResultDiff d = diff_results(before, after);
        REQUIRE(d.changed_evidence.size() == 1);
        CHECK(d.changed_evidence[0].added.empty());
        // /f sorts before the new list's last object, so the new list would show it.
        CHECK(d.changed_evidence[0].removed == std::vector<std::string>{"/f"});
        CHECK_FALSE(d.is_regression(d.changed_evidence[0]));
    }
    SUBCASE("more failing objects in total is a regression even when none is provably new") {
        after.results = {check("WW", Verdict::fail, Severity::medium, {"/b", "/d", "/f"}, 101)};
        const ResultDiff d = diff_results(before, after);
        REQUIRE(d.changed_evidence.size() == 1);
        CHECK(d.is_regression(d.changed_evidence[0]));
    }
    SUBCASE("changed observed values of the same object") {
        after.results = before.results;
        after.results[0].evidence[1].observed = {{"mode", "0777"}};
        const ResultDiff d = diff_results(before, after);
        REQUIRE(d.changed_evidence.size() == 1);
        CHECK(d.changed_evidence[0].changed == std::vector<std::string>{"/d"});
        CHECK_FALSE(d.is_regression(d.changed_evidence[0]));
    }
}

TEST_CASE("diff: score changes per pillar from the golden results") {
    const ScanResult before = test::golden_result("result.json");
    const ScanResult after = test::golden_result("result-new.json");
    const ResultDiff d = diff_results(before, after);
    CHECK(*d.confidentiality.delta() == doctest::Approx(46.7 - 6.8));
    CHECK(*d.integrity.delta() == doctest::Approx(45.5 - 17.0));
    CHECK(*d.overall.delta() == doctest::Approx(49.2 - 12.8));
    CHECK(ids(d.new_failures) == std::vector<std::string>{"KERNEL-ASLR"});
    CHECK(ids(d.resolved) == std::vector<std::string>{"SSH-ROOT-LOGIN"});
    CHECK(ids(d.changed_evidence) == std::vector<std::string>{"DAC-SHADOW-MODE", "DAC-NO-WORLD-WRITABLE"});
    const CheckChange& ww = d.changed_evidence[1];
    CHECK(ww.added == std::vector<std::string>{"/srv/cache/new file"});
    CHECK(ww.removed == std::vector<std::string>{"/srv/www/<img src=x onerror=alert(1)>.html"});
}
