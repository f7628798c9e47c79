// SPDX-License-Identifier: Apache-2.0
#include "rules/score/fix_ranking.h"

#include <doctest/doctest.h>

#include "rules/score/scoring.h"

using namespace triad::rules;

namespace {

CheckResult check(const char* id, Severity s, Impact c, Impact i, Impact a, Verdict v) {
    CheckResult r;
    r.check.id = id;
    r.check.severity = s;
    r.check.impact = {c, i, a};
    r.verdict = v;
    return r;
}

}  // namespace

TEST_CASE("fix ranking: each failing check's gain per pillar and overall, largest first") {
    ScanResult result;
    result.results = {
        check("PASS-A", Severity::high, Impact::high, Impact::high, Impact::none, Verdict::pass),
        check("FAIL-B", Severity::medium, Impact::low, Impact::high, Impact::low, Verdict::fail),
        check("FAIL-C", Severity::critical, Impact::none, Impact::low, Impact::high, Verdict::fail),
        check("ERR-D", Severity::low, Impact::high, Impact::high, Impact::high, Verdict::error),
        check("INFO-E", Severity::info, Impact::high, Impact::high, Impact::high, Verdict::fail),
    };
    const auto fixes = rank_fixes(result);
    REQUIRE(fixes.size() == 3);  // the error is not a fix to rank

    // Weights (docs/scoring.md): A c6 i6; B c1.5 i3 a1.5; C i5 a10. Before: C 6/7.5, I 6/14, A 0/11.5.
    // Passing C: I 11/14, A 10/11.5; overall (medium requirements) from 12/33 to 27/33.
    CHECK(result.results[fixes[0].index].check.id == "FAIL-C");
    CHECK(fixes[0].confidentiality == doctest::Approx(0));
    CHECK(fixes[0].integrity == doctest::Approx(100.0 * 5 / 14));
    CHECK(fixes[0].availability == doctest::Approx(100.0 * 10 / 11.5));
    CHECK(fixes[0].overall == doctest::Approx(100.0 * 15 / 33));
    // Passing B: C 7.5/7.5, I 9/14, A 1.5/11.5; overall from 12/33 to 18/33.
    CHECK(result.results[fixes[1].index].check.id == "FAIL-B");
    CHECK(fixes[1].confidentiality == doctest::Approx(20));
    CHECK(fixes[1].overall == doctest::Approx(100.0 * 6 / 33));
    // An info check weighs nothing: it gains nothing and comes last.
    CHECK(result.results[fixes[2].index].check.id == "INFO-E");
    CHECK(fixes[2].overall == doctest::Approx(0));
}

TEST_CASE("fix ranking agrees with compute_scores, including the asset requirements") {
    ScanResult result;
    result.results = {
        check("C-ONLY", Severity::high, Impact::high, Impact::none, Impact::none, Verdict::fail),
        check("A-ONLY", Severity::high, Impact::none, Impact::none, Impact::high, Verdict::fail),
        check("BOTH", Severity::high, Impact::high, Impact::none, Impact::high, Verdict::pass),
    };
    SUBCASE("confidentiality weighs more: its fix ranks first") {
        result.requirements = Requirements{1.5, 1.0, 0.5};
        const auto fixes = rank_fixes(result);
        REQUIRE(fixes.size() == 2);
        CHECK(result.results[fixes[0].index].check.id == "C-ONLY");
        // The gain is exactly the difference compute_scores reports with the check flipped.
        const Scores before = compute_scores(result.results, result.requirements);
        auto flipped = result.results;
        flipped[fixes[0].index].verdict = Verdict::pass;
        const Scores after = compute_scores(flipped, result.requirements);
        CHECK(fixes[0].overall == doctest::Approx(*after.overall - *before.overall));
        CHECK(fixes[0].confidentiality == doctest::Approx(50));
    }
    SUBCASE("availability weighs more: the order flips") {
        result.requirements = Requirements{0.5, 1.0, 1.5};
        const auto fixes = rank_fixes(result);
        REQUIRE(fixes.size() == 2);
        CHECK(result.results[fixes[0].index].check.id == "A-ONLY");
    }
    SUBCASE("equal gains: the more severe, then the id, first") {
        result.results.push_back(check("A-TWIN", Severity::high, Impact::none, Impact::none, Impact::high, Verdict::fail));
        result.results.push_back(check("C-TWIN", Severity::high, Impact::high, Impact::none, Impact::none, Verdict::fail));
        const auto fixes = rank_fixes(result);
        REQUIRE(fixes.size() == 4);
        CHECK(result.results[fixes[0].index].check.id == "A-ONLY");
        CHECK(result.results[fixes[1].index].check.id == "A-TWIN");
        CHECK(result.results[fixes[2].index].check.id == "C-ONLY");
        CHECK(result.results[fixes[3].index].check.id == "C-TWIN");
    }
}

TEST_CASE("fix ranking: nothing failing, nothing to rank") {
    ScanResult result;
    result.results = {check("OK", Severity::high, Impact::high, Impact::high, Impact::high, Verdict::pass),
                      check("W", Severity::high, Impact::high, Impact::high, Impact::high, Verdict::waived)};
    CHECK(rank_fixes(result).empty());
}

TEST_CASE("fix ranking: gains add up, as docs/reports.md says") {
    ScanResult result;
    result.requirements = Requirements{1.5, 1.0, 0.5};
    result.results = {
        check("P", Severity::high, Impact::high, Impact::low, Impact::none, Verdict::pass),
        check("F1", Severity::medium, Impact::low, Impact::high, Impact::low, Verdict::fail),
        check("F2", Severity::critical, Impact::high, Impact::none, Impact::high, Verdict::fail),
    };
    const auto fixes = rank_fixes(result);
    REQUIRE(fixes.size() == 2);
    const Scores before = compute_scores(result.results, result.requirements);
    auto both = result.results;
    both[1].verdict = both[2].verdict = Verdict::pass;
    const Scores after = compute_scores(both, result.requirements);
    CHECK(*after.overall - *before.overall == doctest::Approx(fixes[0].overall + fixes[1].overall));
    CHECK(*after.confidentiality.score - *before.confidentiality.score ==
          doctest::Approx(fixes[0].confidentiality + fixes[1].confidentiality));
}
