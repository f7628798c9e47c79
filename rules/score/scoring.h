// SPDX-License-Identifier: Apache-2.0
// CIA scoring as docs/scoring.md defines it: one function, no other place computes a score.
#pragma once

#include <span>

#include "rules/model/result.h"

namespace triad::rules {

// Requirements (the asset's C/I/A weights) live in rules/result.h: a result carries them.

double severity_weight(Severity s);  // info 0, low 1, medium 3, high 6, critical 10
double impact_weight(Impact i);      // none 0, low 0.5, high 1

// Scores over the decided (pass/fail) checks, with each pillar's coverage. A pillar whose
// coverage is too low (more than half of its checks errored) has no score, and then neither
// has the overall score: a scan that mostly errored never shows a clean 100.
Scores compute_scores(std::span<const CheckResult> results, const Requirements& requirements);

// The last step of compute_scores: each pillar's score and the overall score from the
// decided and passed weights and the coverage already in `s`. Fix ranking uses it to rescore
// one flipped verdict without adding up every result again.
void finish_scores(Scores& s, const Requirements& requirements);

// Only the coverage part of compute_scores: for results read back from a file that predates it.
void compute_coverage(std::span<const CheckResult> results, Scores& scores);

// "c=high,i=medium,a=low" → Requirements; nullopt on a malformed spec.
std::optional<Requirements> parse_requirements(std::string_view spec);

}  // namespace triad::rules
