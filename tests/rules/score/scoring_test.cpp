// SPDX-License-Identifier: Apache-2.0
// The worked examples of docs/scoring.md, number for number.
#include "rules/score/scoring.h"

#include <doctest/doctest.h>

using namespace triad::rules;

namespace {

CheckResult check(Severity s, Impact c, Impact i, Impact a, Verdict v) {
    CheckResult r;
    r.check.severity = s;
    r.check.impact = {c, i, a};
    r.verdict = v;
    return r;
}

std::vector<CheckResult> example(Verdict b_verdict) {
    return {
        check(Severity::high, Impact::high, Impact::high, Impact::none, Verdict::pass),      // A
        check(Severity::medium, Impact::low, Impact::high, Impact::low, b_verdict),          // B
        check(Severity::critical, Impact::none, Impact::low, Impact::high, Verdict::pass),   // C
        check(Severity::low, Impact::high, Impact::high, Impact::high, Verdict::error),      // D
    };
}

}  // namespace

TEST_CASE("scoring example 1: three decided checks and one error") {
    Scores s = compute_scores(example(Verdict::fail), Requirements{});
    CHECK(s.confidentiality.decided_weight == doctest::Approx(7.5));
    CHECK(*s.confidentiality.score == doctest::Approx(80.0));
    CHECK(*s.integrity.score == doctest::Approx(100.0 * 11 / 14));
    CHECK(*s.availability.score == doctest::Approx(100.0 * 10 / 11.5));
    CHECK(*s.overall == doctest::Approx(100.0 * 27 / 33));
    CHECK(s.weakest == Pillar::integrity);
}

TEST_CASE("scoring example 2: requirements weigh the pillars in the overall score") {
    Scores s = compute_scores(example(Verdict::fail), parse_requirements("c=high,i=medium,a=low").value());
    CHECK(*s.confidentiality.score == doctest::Approx(80.0));
    CHECK(*s.overall == doctest::Approx(2500.0 / 31));
}

TEST_CASE("scoring example 3: a waived check leaves the decided set") {
    Scores s = compute_scores(example(Verdict::waived), Requirements{});
    CHECK(*s.confidentiality.score == doctest::Approx(100.0));
    CHECK(*s.integrity.score == doctest::Approx(100.0));
    CHECK(*s.availability.score == doctest::Approx(100.0));
    CHECK(*s.overall == doctest::Approx(100.0));
}

TEST_CASE("scoring example 4: nothing decided gives no score and no weakest pillar") {
    std::vector<CheckResult> results = {
        check(Severity::info, Impact::high, Impact::high, Impact::high, Verdict::fail),
        check(Severity::high, Impact::high, Impact::high, Impact::high, Verdict::not_applicable),
    };
    Scores s = compute_scores(results, Requirements{});
    CHECK_FALSE(s.confidentiality.score.has_value());
    CHECK_FALSE(s.overall.has_value());
    CHECK_FALSE(s.weakest.has_value());
}

TEST_CASE("requirement specs") {
    CHECK(parse_requirements("").has_value());
    CHECK(parse_requirements("a=low").value().a == 0.5);
    CHECK_FALSE(parse_requirements("c=extreme").has_value());
    CHECK_FALSE(parse_requirements("x=high").has_value());
    CHECK_FALSE(parse_requirements("c").has_value());
}

TEST_CASE("scoring coverage: decided out of selected per pillar; more than half errored withholds the score") {
    // Example 1: D (error) bears on every pillar; A on C and I; B on all; C on I and A.
    Scores s = compute_scores(example(Verdict::fail), Requirements{});
    CHECK(s.confidentiality.coverage == Coverage{2, 3});
    CHECK(s.integrity.coverage == Coverage{3, 4});
    CHECK(s.availability.coverage == Coverage{2, 3});
    CHECK(s.coverage == Coverage{3, 4});
    // Exactly half errored still scores: one pass, one error on confidentiality only.
    std::vector<CheckResult> half = {check(Severity::high, Impact::high, Impact::none, Impact::none, Verdict::pass),
                                     check(Severity::high, Impact::high, Impact::none, Impact::none, Verdict::error)};
    Scores h = compute_scores(half, Requirements{});
    REQUIRE(h.confidentiality.score);
    CHECK(*h.confidentiality.score == doctest::Approx(100.0));
    CHECK(h.overall);
    // One more error: most checks errored, and the lone pass would read as a clean 100.
    half.push_back(check(Severity::low, Impact::high, Impact::none, Impact::none, Verdict::error));
    Scores m = compute_scores(half, Requirements{});
    CHECK(m.confidentiality.coverage == Coverage{1, 3});
    CHECK_FALSE(m.confidentiality.score);
    CHECK_FALSE(m.overall);
    CHECK_FALSE(m.weakest);
    // not_applicable and waived are decided: they do not lower the coverage.
    std::vector<CheckResult> quiet = {check(Severity::high, Impact::high, Impact::none, Impact::none, Verdict::pass),
                                      check(Severity::high, Impact::high, Impact::none, Impact::none, Verdict::not_applicable),
                                      check(Severity::high, Impact::high, Impact::none, Impact::none, Verdict::waived)};
    CHECK(compute_scores(quiet, Requirements{}).confidentiality.coverage == Coverage{3, 3});
}
