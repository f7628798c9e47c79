// SPDX-License-Identifier: Apache-2.0
#include "reporters/reporter.h"

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

rules::Pillar primary_pillar(const rules::CiaImpact& impact) {
    rules::Pillar best = rules::Pillar::confidentiality;
    for (rules::Pillar p : {rules::Pillar::integrity, rules::Pillar::availability})
        if (impact.of(p) > impact.of(best)) best = p;
    return best;
}

}  // namespace triad::report
