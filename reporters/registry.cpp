// SPDX-License-Identifier: Apache-2.0
#include "reporters/reporter.h"

#include <algorithm>

#include "reporters/text_escape.h"

namespace triad::report {
namespace {

const ReporterEntry kReporters[] = {
    {"console", render_console, "human-readable, grouped by pillar then severity"},
    {"json", render_json, "the triad.result/1 document (docs/result-schema.md)"},
    {"html", render_html, "one self-contained page: C/I/A chart, top fixes, filterable checks"},
    {"junit", render_junit, "JUnit XML: a testsuite per policy, a testcase per check"},
    {"sarif", render_sarif, "SARIF 2.1.0 for code-scanning dashboards"},
    {"markdown", render_markdown, "summary and failures for a pull-request comment"},
    {"csv", render_csv, "RFC 4180, one row per evidence object"},
};

}  // namespace

std::span<const ReporterEntry> reporters() { return kReporters; }

const ReporterEntry* find_reporter(std::string_view name) {
    for (const ReporterEntry& r : kReporters)
        if (name == r.name) return &r;
    return nullptr;
}

std::string reporter_names() {
    std::string names;
    for (const ReporterEntry& r : kReporters) names += (names.empty() ? "" : ", ") + std::string(r.name);
    return names;
}

std::vector<rules::Pillar> top_pillars(const rules::CiaImpact& impact) {
    constexpr rules::Pillar kAll[] = {rules::Pillar::confidentiality, rules::Pillar::integrity,
                                      rules::Pillar::availability};
    rules::Impact top = std::max({impact.c, impact.i, impact.a});
    std::vector<rules::Pillar> out;
    for (rules::Pillar p : kAll)
        if (impact.of(p) == top) out.push_back(p);
    return out;
}

std::string pillars_hurt(const rules::CiaImpact& impact) {
    std::string out;
    for (auto [letter, p] : {std::pair{"C", rules::Pillar::confidentiality}, std::pair{"I", rules::Pillar::integrity},
                             std::pair{"A", rules::Pillar::availability}})
        if (impact.of(p) != rules::Impact::none)
            out += (out.empty() ? "" : ", ") + std::string(letter) + " " + std::string(to_string(impact.of(p)));
    return out.empty() ? "none" : out;
}

std::string format_coverage(const rules::Coverage& c) {
    return std::to_string(c.decided) + "/" + std::to_string(c.selected) + " decided";
}

std::string score_with_coverage(const std::optional<double>& score, const rules::Coverage& coverage) {
    return format_score(score) + " (" + format_coverage(coverage) + ")";
}

}  // namespace triad::report
