// SPDX-License-Identifier: Apache-2.0
// Reporters are pure functions from a scan result to bytes; writing them is the caller's job.
#pragma once

#include <span>
#include <string>

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

// The pillar a check is listed under: its highest impact (ties: C before I before A).
rules::Pillar primary_pillar(const rules::CiaImpact& impact);

}  // namespace triad::report
