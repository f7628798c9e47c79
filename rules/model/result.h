// SPDX-License-Identifier: Apache-2.0
// The result of a scan: per-check verdicts with evidence, counts and CIA scores. This is
// what reporters render and what `triad report` / `triad diff` read back from JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rules/model/policy.h"

namespace triad::rules {

// Every failing object is listed (machine formats carry them all; console, Markdown and
// HTML show the first kEvidenceShown with the total), up to this bound, which only a hostile
// or broken tree reaches: evidence_total counts them all.
inline constexpr std::size_t kMaxEvidence = 100'000;
inline constexpr std::size_t kEvidenceShown = 50;

struct Evidence {
    std::string object;
    std::vector<std::pair<std::string, std::string>> observed;  // field → value as text
    // Evidence grouped by a field (a check's `group_by`, e.g. the owning package): `object` is
    // the field's value and these are every failing object of the group, sorted.
    std::vector<std::string> objects = {};
};

struct CheckResult {
    CheckInfo check;
    Verdict verdict = Verdict::pass;
    std::string reason;  // one line: why it failed, errored or does not apply
    std::string expected;  // what every failing object was held to ("mode at_most 0640")
    std::vector<Evidence> evidence;
    std::uint64_t evidence_total = 0;
};

// How much of a score rests on verdicts: of the selected checks that bear on a pillar (its
// impact is not none), how many reached a verdict other than error. Reports show it beside
// every score, so that a score over few decided checks is read as such.
struct Coverage {
    std::uint64_t decided = 0, selected = 0;
    // More than half errored: a score would speak for checks that never ran (scoring.h).
    bool too_low() const { return decided * 2 < selected; }
    bool operator==(const Coverage&) const = default;
};

struct PillarScore {
    // 0..100; absent when nothing decided weighs on the pillar, or when coverage is too low.
    std::optional<double> score;
    double passed_weight = 0;
    double decided_weight = 0;
    Coverage coverage;
};

struct Scores {
    PillarScore confidentiality, integrity, availability;
    std::optional<double> overall;
    Coverage coverage;  // over every selected check that bears on any pillar
    std::optional<Pillar> weakest;
    const PillarScore& of(Pillar p) const {
        return p == Pillar::confidentiality ? confidentiality : p == Pillar::integrity ? integrity : availability;
    }
};

struct Counts {
    std::uint64_t pass = 0, fail = 0, error = 0, not_applicable = 0, waived = 0;
};

// The asset's requirement per pillar (CVSS environmental CR/IR/AR): high 1.5, medium 1.0, low 0.5.
// Stored with a result so that fix ranking and `triad report` recompute the same scores.
struct Requirements {
    double c = 1.0, i = 1.0, a = 1.0;
    double of(Pillar p) const { return p == Pillar::confidentiality ? c : p == Pillar::integrity ? i : a; }
    bool operator==(const Requirements&) const = default;
};

// A waiver as applied to one scan (rules/waivers.h). Kept in the result so every report shows
// which findings were accepted, by whom and until when, and which waivers have lapsed.
enum class WaiverState { active, expired };

struct WaiverRecord {
    std::string check;
    std::vector<std::string> objects;  // globs; empty: the whole check
    std::string reason, owner;
    std::string expires;  // YYYY-MM-DD, the last day it applies
    std::string source;   // FILE:LINE:COL of the waiver
    WaiverState state = WaiverState::active;
    bool applied = false;                      // it changed this scan's result
    std::vector<std::string> waived_objects;  // evidence objects it removed (at most kMaxEvidence)
};

struct PolicyRef {
    std::string id, version, path;
};

struct Target {
    std::string root, hostname, kernel, os;
};

struct ScanResult {
    std::string tool_version;
    Target target;
    std::string started_at;  // RFC 3339, UTC
    std::uint64_t duration_ms = 0;
    std::vector<PolicyRef> policies;
    Scores scores;
    Counts counts;
    std::vector<CheckResult> results;
    Requirements requirements;
    std::vector<WaiverRecord> waivers;
};

Counts count_verdicts(const std::vector<CheckResult>& results);

}  // namespace triad::rules
