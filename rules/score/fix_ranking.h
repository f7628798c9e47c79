// SPDX-License-Identifier: Apache-2.0
// Fix ranking: for each failing check, how much each pillar and the overall score would rise
// if it passed. Scores come from rules/scoring.h, the only formula there is: each failing check
// is flipped to pass in turn and rescored — by adding its weight to the scan's sums and
// finishing them (finish_scores), which equals compute_scores over the flipped results and
// keeps the ranking linear in the results.
#pragma once

#include <cstddef>
#include <vector>

#include "rules/model/result.h"

namespace triad::rules {

struct FixGain {
    std::size_t index = 0;  // into ScanResult::results
    double confidentiality = 0, integrity = 0, availability = 0, overall = 0;  // points, >= 0
    double of(Pillar p) const {
        return p == Pillar::confidentiality ? confidentiality : p == Pillar::integrity ? integrity : availability;
    }
};

// Every failing check, largest overall gain first; ties by severity (worst first), then id.
// Uses result.requirements, so the ranking agrees with the scores the scan reported.
std::vector<FixGain> rank_fixes(const ScanResult& result);

// The part of rank_fixes that reports list as fixes: those whose overall gain shows as at least
// +0.1. A failing info check, or any failure while the score is withheld for low coverage,
// would move no score; it is still a failure, listed with the others, but not a ranked fix.
std::vector<FixGain> fixes_with_gain(const ScanResult& result);

}  // namespace triad::rules
