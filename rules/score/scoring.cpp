// SPDX-License-Identifier: Apache-2.0
// The one place scores are computed. docs/scoring.md walks through the same formula with
// examples that tests/rules/scoring_test.cpp checks.
#include "rules/score/scoring.h"

#include <string>

namespace triad::rules {

double severity_weight(Severity s) {
    switch (s) {
        case Severity::info: return 0;
        case Severity::low: return 1;
        case Severity::medium: return 3;
        case Severity::high: return 6;
        case Severity::critical: return 10;
    }
    return 0;
}

double impact_weight(Impact i) {
    switch (i) {
        case Impact::none: return 0;
        case Impact::low: return 0.5;
        case Impact::high: return 1;
    }
    return 0;
}

namespace {

constexpr Pillar kPillars[] = {Pillar::confidentiality, Pillar::integrity, Pillar::availability};

PillarScore& pillar_of(Scores& s, Pillar p) {
    return p == Pillar::confidentiality ? s.confidentiality : p == Pillar::integrity ? s.integrity : s.availability;
}

}  // namespace

void compute_coverage(std::span<const CheckResult> results, Scores& s) {
    for (Pillar p : kPillars) pillar_of(s, p).coverage = {};
    s.coverage = {};
    for (const CheckResult& r : results) {
        const bool decided = r.verdict != Verdict::error;
        bool bears = false;
        for (Pillar p : kPillars) {
            if (r.check.impact.of(p) == Impact::none) continue;
            bears = true;
            Coverage& c = pillar_of(s, p).coverage;
            ++c.selected;
            if (decided) ++c.decided;
        }
        if (!bears) continue;
        ++s.coverage.selected;
        if (decided) ++s.coverage.decided;
    }
}

Scores compute_scores(std::span<const CheckResult> results, const Requirements& requirements) {
    Scores s;
    auto pillar = [&s](Pillar p) -> PillarScore& { return pillar_of(s, p); };
    compute_coverage(results, s);
    // Only pass and fail are decided; error, not_applicable and waived weigh nothing.
    for (const CheckResult& r : results) {
        if (r.verdict != Verdict::pass && r.verdict != Verdict::fail) continue;
        for (Pillar p : kPillars) {
            double w = severity_weight(r.check.severity) * impact_weight(r.check.impact.of(p));
            pillar(p).decided_weight += w;
            if (r.verdict == Verdict::pass) pillar(p).passed_weight += w;
        }
    }
    finish_scores(s, requirements);
    return s;
}

void finish_scores(Scores& s, const Requirements& requirements) {
    auto pillar = [&s](Pillar p) -> PillarScore& { return pillar_of(s, p); };
    s.overall.reset();
    s.weakest.reset();
    double weighted = 0, total = 0;
    bool withheld = s.coverage.too_low();
    for (Pillar p : kPillars) {
        PillarScore& ps = pillar(p);
        ps.score.reset();
        if (ps.coverage.too_low()) withheld = true;
        if (ps.decided_weight <= 0 || ps.coverage.too_low()) continue;
        ps.score = 100.0 * ps.passed_weight / ps.decided_weight;
        double w = ps.decided_weight * requirements.of(p);
        weighted += *ps.score * w;
        total += w;
        if (!s.weakest || *ps.score < *pillar(*s.weakest).score) s.weakest = p;
    }
    if (total > 0 && !withheld) s.overall = weighted / total;
}

std::optional<Requirements> parse_requirements(std::string_view spec) {
    Requirements r;
    while (!spec.empty()) {
        std::size_t comma = spec.find(',');
        std::string_view item = spec.substr(0, comma);
        spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
        std::size_t eq = item.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        std::string_view key = item.substr(0, eq), level = item.substr(eq + 1);
        double v = level == "high" ? 1.5 : level == "medium" ? 1.0 : level == "low" ? 0.5 : -1;
        if (v < 0) return std::nullopt;
        if (key == "c") r.c = v;
        else if (key == "i") r.i = v;
        else if (key == "a") r.a = v;
        else return std::nullopt;
    }
    return r;
}

}  // namespace triad::rules
