// SPDX-License-Identifier: Apache-2.0
#include "rules/score/diff.h"

#include <algorithm>
#include <map>

namespace triad::rules {
namespace {

using EvidenceMap = std::map<std::string, const Evidence*>;

EvidenceMap by_object(const CheckResult& r) {
    EvidenceMap m;
    for (const Evidence& e : r.evidence) m.emplace(e.object, &e);
    return m;
}

// Whether `object`, not listed in `side`, is known to be absent from it. A complete list
// proves it; a truncated one holds the kMaxEvidence objects that sort first (rules/engine.cpp),
// so it proves absence only for objects sorting before its last entry.
bool known_absent(const CheckResult& side, const EvidenceMap& listed, const std::string& object) {
    if (side.evidence_total <= side.evidence.size()) return true;
    return !listed.empty() && object < listed.rbegin()->first;
}

void compare_evidence(const CheckResult& before, const CheckResult& after, CheckChange& change) {
    const EvidenceMap old_map = by_object(before), new_map = by_object(after);
    for (const auto& [object, e] : new_map) {
        auto it = old_map.find(object);
        if (it == old_map.end()) {
            if (known_absent(before, old_map, object)) change.added.push_back(object);
        } else if (it->second->observed != e->observed) {
            change.changed.push_back(object);
        }
    }
    for (const auto& [object, e] : old_map)
        if (!new_map.count(object) && known_absent(after, new_map, object)) change.removed.push_back(object);
}

ScoreChange score_change(const std::optional<double>& before, const std::optional<double>& after) {
    return ScoreChange{before, after};
}

}  // namespace

bool ResultDiff::is_regression(const CheckChange& c) const {
    if (!c.after || c.after->verdict != Verdict::fail) return false;
    if (!c.before || c.before->verdict != Verdict::fail) return true;
    return !c.added.empty() || c.after->evidence_total > c.before->evidence_total;
}

std::vector<const CheckChange*> ResultDiff::regressions(Severity threshold) const {
    std::vector<const CheckChange*> out;
    for (const auto* list : {&new_failures, &changed_evidence})
        for (const CheckChange& c : *list)
            if (is_regression(c) && c.after->check.severity >= threshold) out.push_back(&c);
    return out;
}

ResultDiff diff_results(const ScanResult& before, const ScanResult& after) {
    ResultDiff d;
    std::map<std::string, const CheckResult*> old_by_id;
    for (const CheckResult& r : before.results) old_by_id.emplace(r.check.id, &r);
    std::map<std::string, bool> seen;

    for (const CheckResult& now : after.results) {
        seen[now.check.id] = true;
        auto it = old_by_id.find(now.check.id);
        CheckChange c{now.check.id, it == old_by_id.end() ? nullptr : it->second, &now, {}, {}, {}};
        const bool failed_before = c.before && c.before->verdict == Verdict::fail;
        const bool fails_now = now.verdict == Verdict::fail;
        if (fails_now && !failed_before) {
            d.new_failures.push_back(std::move(c));
        } else if (failed_before && (now.verdict == Verdict::pass || now.verdict == Verdict::waived ||
                                     now.verdict == Verdict::not_applicable)) {
            d.resolved.push_back(std::move(c));
        } else if (fails_now && failed_before) {
            compare_evidence(*c.before, now, c);
            if (!c.added.empty() || !c.removed.empty() || !c.changed.empty() ||
                c.before->evidence_total != now.evidence_total)
                d.changed_evidence.push_back(std::move(c));
        } else if (!c.before || c.before->verdict != now.verdict) {
            d.other_changes.push_back(std::move(c));
        }
    }
    // Checks the new result no longer has (a policy changed or --only narrowed the scan).
    for (const CheckResult& old : before.results)
        if (!seen.count(old.check.id)) {
            CheckChange c{old.check.id, &old, nullptr, {}, {}, {}};
            d.other_changes.push_back(std::move(c));
        }

    d.confidentiality = score_change(before.scores.confidentiality.score, after.scores.confidentiality.score);
    d.integrity = score_change(before.scores.integrity.score, after.scores.integrity.score);
    d.availability = score_change(before.scores.availability.score, after.scores.availability.score);
    d.overall = score_change(before.scores.overall, after.scores.overall);
    return d;
}

}  // namespace triad::rules
