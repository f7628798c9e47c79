// SPDX-License-Identifier: Apache-2.0
// Reporters are pure functions from a scan result to bytes; writing them is the caller's job.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "rules/model/result.h"

namespace triad::report {

struct RenderOptions {
    bool color = false;       // ANSI colour (the console only, and only on a terminal)
    int evidence_lines = 5;   // console: failing objects shown per check
    bool verbose = false;     // console: every listed evidence object, every fix, passing checks
    bool quiet = false;       // console: the scores and counts only
};

using RenderFn = std::string (*)(const rules::ScanResult&, const RenderOptions&);

struct ReporterEntry {
    const char* name;
    RenderFn render;
    const char* doc;
};

std::span<const ReporterEntry> reporters();
const ReporterEntry* find_reporter(std::string_view name);

std::string render_console(const rules::ScanResult& result, const RenderOptions& options);
std::string render_json(const rules::ScanResult& result, const RenderOptions& options);
std::string render_html(const rules::ScanResult& result, const RenderOptions& options);
std::string render_junit(const rules::ScanResult& result, const RenderOptions& options);
std::string render_sarif(const rules::ScanResult& result, const RenderOptions& options);
std::string render_markdown(const rules::ScanResult& result, const RenderOptions& options);
std::string render_csv(const rules::ScanResult& result, const RenderOptions& options);

// "console, json, html, ..." for usage and error messages.
std::string reporter_names();

// The pillars a check is listed under: those of its highest impact, all of them when several
// tie (a check with C high and I high hurts both alike), in C, I, A order.
std::vector<rules::Pillar> top_pillars(const rules::CiaImpact& impact);

// The pillars a failing check hurts, with their impact: "C high, I low" ("none" for none).
std::string pillars_hurt(const rules::CiaImpact& impact);

// How many of the checks that bear on a score were decided: "120/124 decided".
std::string format_coverage(const rules::Coverage& coverage);
// A score as every text format shows it, with its coverage: "87.5 (120/124 decided)";
// "n/a (40/124 decided)" when too little was decided to give one.
std::string score_with_coverage(const std::optional<double>& score, const rules::Coverage& coverage);

}  // namespace triad::report
