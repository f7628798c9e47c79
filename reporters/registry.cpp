// SPDX-License-Identifier: Apache-2.0
#include "reporters/reporter.h"

namespace triad::report {
namespace {

const ReporterEntry kReporters[] = {
    {"console", render_console, "human-readable, grouped by pillar then severity"},
    {"json", render_json, "the triad.result/1 document (docs/result-schema.md)"},
};

}  // namespace

std::span<const ReporterEntry> reporters() { return kReporters; }

const ReporterEntry* find_reporter(std::string_view name) {
    for (const ReporterEntry& r : kReporters)
        if (name == r.name) return &r;
    return nullptr;
}

rules::Pillar primary_pillar(const rules::CiaImpact& impact) {
    rules::Pillar best = rules::Pillar::confidentiality;
    for (rules::Pillar p : {rules::Pillar::integrity, rules::Pillar::availability})
        if (impact.of(p) > impact.of(best)) best = p;
    return best;
}

}  // namespace triad::report
