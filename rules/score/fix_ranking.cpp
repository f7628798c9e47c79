// SPDX-License-Identifier: Apache-2.0
#include "rules/score/fix_ranking.h"

#include <algorithm>
#include <cmath>

#include "rules/score/scoring.h"

namespace triad::rules {
namespace {

// Gains are shown to one decimal; closer than this counts as a tie, so the order does not
// hinge on floating-point noise.
constexpr double kTie = 1e-9;

double gain(const std::optional<double>& before, const std::optional<double>& after) {
    if (!before || !after) return 0;
    return std::max(0.0, *after - *before);
}

PillarScore& pillar(Scores& s, Pillar p) {
    return p == Pillar::confidentiality ? s.confidentiality : p == Pillar::integrity ? s.integrity : s.availability;
}

}  // namespace

std::vector<FixGain> rank_fixes(const ScanResult& result) {
    const Scores base = compute_scores(result.results, result.requirements);
    std::vector<FixGain> fixes;
    for (std::size_t i = 0; i < result.results.size(); ++i) {
        const CheckResult& r = result.results[i];
        if (r.verdict != Verdict::fail) continue;
        // Passing, the check keeps its decided weight and adds it to the passed weight of each
        // pillar it bears on; coverage is unchanged (both verdicts are decided). So the scores
        // with it fixed are the base sums plus its weight, finished by the one formula, instead
        // of every result added up again for every failure (failures x results).
        Scores fixed = base;
        for (Pillar p : {Pillar::confidentiality, Pillar::integrity, Pillar::availability})
            pillar(fixed, p).passed_weight += severity_weight(r.check.severity) * impact_weight(r.check.impact.of(p));
        finish_scores(fixed, result.requirements);
        FixGain g;
        g.index = i;
        g.confidentiality = gain(base.confidentiality.score, fixed.confidentiality.score);
        g.integrity = gain(base.integrity.score, fixed.integrity.score);
        g.availability = gain(base.availability.score, fixed.availability.score);
        g.overall = gain(base.overall, fixed.overall);
        fixes.push_back(g);
    }
    std::stable_sort(fixes.begin(), fixes.end(), [&](const FixGain& a, const FixGain& b) {
        if (std::abs(a.overall - b.overall) > kTie) return a.overall > b.overall;
        const CheckInfo& ca = result.results[a.index].check;
        const CheckInfo& cb = result.results[b.index].check;
        if (ca.severity != cb.severity) return ca.severity > cb.severity;
        return ca.id < cb.id;
    });
    return fixes;
}

std::vector<FixGain> fixes_with_gain(const ScanResult& result) {
    std::vector<FixGain> fixes = rank_fixes(result);
    std::erase_if(fixes, [](const FixGain& g) { return g.overall < 0.05; });
    return fixes;
}

}  // namespace triad::rules
