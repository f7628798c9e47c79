// SPDX-License-Identifier: Apache-2.0
// Compares two scan results of the same host (or the same image over time): which checks
// newly fail, which were resolved, how the evidence of still-failing checks changed, and how
// each score moved. `triad diff` renders it; `triad scan --baseline` gates on its regressions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rules/model/result.h"

namespace triad::rules {

struct CheckChange {
    std::string id;
    const CheckResult* before = nullptr;  // borrowed from the old result; null: the check is new
    const CheckResult* after = nullptr;   // borrowed from the new result; null: the check is gone
    // Evidence of a check failing in both (object names). When a side listed only the first
    // kMaxEvidence objects, an object counts as added or removed only when the other side's
    // list proves it (results keep the objects that sort first).
    std::vector<std::string> added, removed, changed;
};

struct ScoreChange {
    std::optional<double> before, after;
    std::optional<double> delta() const {
        if (!before || !after) return std::nullopt;
        return *after - *before;
    }
};

struct ResultDiff {
    std::vector<CheckChange> new_failures;      // fails now; did not fail (or did not exist) before
    std::vector<CheckChange> resolved;          // failed before; now passes, is waived or not applicable
    std::vector<CheckChange> changed_evidence;  // fails in both, with different evidence
    std::vector<CheckChange> other_changes;     // any other verdict change, added or removed check
    ScoreChange confidentiality, integrity, availability, overall;

    // A regression is a new failure or a failing check with more failing objects than before.
    bool is_regression(const CheckChange& c) const;
    // Regressions of this severity or worse: what `diff --fail-on` and `scan --baseline` gate on.
    std::vector<const CheckChange*> regressions(Severity threshold) const;
};

// Checks are matched by id; new_failures and the other lists follow the new result's order.
ResultDiff diff_results(const ScanResult& before, const ScanResult& after);

}  // namespace triad::rules
