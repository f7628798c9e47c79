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

// Issue 15: the ranking no longer rescores every result for every failure. Its gains must
// still equal those of the definition: each failure flipped to pass, compute_scores run over
// all results again. A few hundred checks of every verdict, severity and impact, under
// requirements that weigh the pillars unevenly, and with a pillar whose coverage is too low.
TEST_CASE("fix ranking gives the gains of rescoring every flipped result, on a mixed set") {
    const Severity severities[] = {Severity::info, Severity::low, Severity::medium, Severity::high, Severity::critical};
    const Impact impacts[] = {Impact::none, Impact::low, Impact::high};
    const Verdict verdicts[] = {Verdict::fail, Verdict::pass, Verdict::fail, Verdict::error,
                                Verdict::not_applicable, Verdict::waived, Verdict::fail, Verdict::pass};
    for (bool low_availability_coverage : {false, true}) {
        CAPTURE(low_availability_coverage);
        ScanResult result;
        result.requirements = *parse_requirements("c=high,i=medium,a=low");
        std::vector<std::string> ids;
        for (int n = 0; n < 300; ++n) ids.push_back("GEN-" + std::to_string(n));
        for (int n = 0; n < 300; ++n) {
            Verdict v = verdicts[n % 8];
            // Low coverage: every check bearing on availability errored, so that pillar, and
            // with it the overall score, is withheld.
            Impact a = impacts[(n / 9) % 3];
            if (low_availability_coverage) {
                if (n % 3 == 0) v = Verdict::error;
                a = n % 3 == 0 ? Impact::high : Impact::none;
            }
            result.results.push_back(check(ids[n].c_str(), severities[n % 5], impacts[n % 3], impacts[(n / 3) % 3], a, v));
        }
        const Scores base = compute_scores(result.results, result.requirements);
        const auto fixes = rank_fixes(result);
        std::size_t failures = 0;
        for (const CheckResult& r : result.results) failures += r.verdict == Verdict::fail;
        REQUIRE(fixes.size() == failures);
        for (const FixGain& g : fixes) {
            std::vector<CheckResult> flipped = result.results;
            flipped[g.index].verdict = Verdict::pass;
            const Scores fixed = compute_scores(flipped, result.requirements);
            auto gain = [](const std::optional<double>& before, const std::optional<double>& after) {
                return before && after ? std::max(0.0, *after - *before) : 0.0;
            };
            CAPTURE(result.results[g.index].check.id);
            CHECK(g.confidentiality == doctest::Approx(gain(base.confidentiality.score, fixed.confidentiality.score)));
            CHECK(g.integrity == doctest::Approx(gain(base.integrity.score, fixed.integrity.score)));
            CHECK(g.availability == doctest::Approx(gain(base.availability.score, fixed.availability.score)));
            CHECK(g.overall == doctest::Approx(gain(base.overall, fixed.overall)));
        }
        if (low_availability_coverage) CHECK(!base.overall);  // withheld: every overall gain is 0
        else CHECK(base.overall);
    }
}
