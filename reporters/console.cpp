// SPDX-License-Identifier: Apache-2.0
// The console reporter: failures and errors grouped by pillar, then by severity (worst
// first), with evidence; then scores, the weakest pillar and the counts.
#include <algorithm>
#include <cstdio>

#include "reporters/reporter.h"

namespace triad::report {
namespace {

using rules::CheckResult;
using rules::Pillar;
using rules::Severity;
using rules::Verdict;

struct Style {
    bool on;
    std::string wrap(const char* code, std::string_view text) const {
        if (!on) return std::string(text);
        return std::string("\x1b[") + code + "m" + std::string(text) + "\x1b[0m";
    }
};

const char* severity_colour(Severity s) {
    switch (s) {
        case Severity::critical: return "1;31";
        case Severity::high: return "31";
        case Severity::medium: return "33";
        case Severity::low: return "36";
        case Severity::info: return "37";
    }
    return "0";
}

std::string pad(std::string_view s, std::size_t width) {
    std::string out(s);
    if (out.size() < width) out.append(width - out.size(), ' ');
    return out;
}

std::string format_score(const std::optional<double>& s) {
    if (!s) return "n/a";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", *s);
    return buf;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

void render_check(std::string& out, const CheckResult& r, const RenderOptions& options, const Style& style) {
    std::string verdict = r.verdict == Verdict::fail ? style.wrap("1;31", "FAIL ") : style.wrap("1;35", "ERROR");
    out += "  " + verdict + " " + style.wrap(severity_colour(r.check.severity), pad(to_string(r.check.severity), 8)) +
           " " + r.check.id + "  " + r.check.title + "\n";
    if (!r.reason.empty()) out += "        " + r.reason + "\n";
    std::size_t shown = 0;
    for (const rules::Evidence& e : r.evidence) {
        if (static_cast<int>(shown) >= options.evidence_lines) break;
        std::string line = "        - " + e.object;
        for (std::size_t i = 0; i < e.observed.size(); ++i)
            line += (i == 0 ? ": " : ", ") + e.observed[i].first + "=" + e.observed[i].second;
        out += line + "\n";
        ++shown;
    }
    if (r.evidence_total > shown) out += "        ... and " + std::to_string(r.evidence_total - shown) + " more\n";
    if (r.verdict == Verdict::fail && !r.check.remediation.empty()) out += "        fix: " + r.check.remediation + "\n";
}

}  // namespace

std::string render_console(const rules::ScanResult& result, const RenderOptions& options) {
    const Style style{options.color};
    std::string out;
    out += style.wrap("1", "triad " + result.tool_version) + " audit of " + result.target.root;
    if (!result.target.hostname.empty()) out += " (" + result.target.hostname + ")";
    out += "\n";
    if (!result.target.os.empty() || !result.target.kernel.empty())
        out += "  " + result.target.os + (result.target.kernel.empty() ? "" : ", kernel " + result.target.kernel) + "\n";
    for (const auto& p : result.policies) out += "  policy " + p.id + " " + p.version + " (" + p.path + ")\n";

    for (Pillar pillar : {Pillar::confidentiality, Pillar::integrity, Pillar::availability}) {
        std::vector<const CheckResult*> listed;
        for (const CheckResult& r : result.results)
            if ((r.verdict == Verdict::fail || r.verdict == Verdict::error) && primary_pillar(r.check.impact) == pillar)
                listed.push_back(&r);
        if (listed.empty()) continue;
        std::stable_sort(listed.begin(), listed.end(), [](const CheckResult* a, const CheckResult* b) {
            if (a->check.severity != b->check.severity) return a->check.severity > b->check.severity;
            return a->verdict == Verdict::fail && b->verdict != Verdict::fail;
        });
        out += "\n" + style.wrap("1", upper(to_string(pillar))) + "\n";
        for (const CheckResult* r : listed) render_check(out, *r, options, style);
    }

    std::vector<std::string> not_applicable;
    for (const CheckResult& r : result.results)
        if (r.verdict == Verdict::not_applicable) not_applicable.push_back(r.check.id);
    if (!not_applicable.empty()) {
        out += "\nnot applicable:";
        for (const auto& id : not_applicable) out += " " + id;
        out += "\n";
    }

    const rules::Scores& s = result.scores;
    out += "\n" + style.wrap("1", "scores") + "  confidentiality " + format_score(s.confidentiality.score) +
           "  integrity " + format_score(s.integrity.score) + "  availability " +
           format_score(s.availability.score) + "  overall " + style.wrap("1", format_score(s.overall));
    if (s.weakest) out += "   weakest: " + std::string(to_string(*s.weakest));
    out += "\n";
    const rules::Counts& c = result.counts;
    char timing[32];
    std::snprintf(timing, sizeof timing, "%.2f s", static_cast<double>(result.duration_ms) / 1000.0);
    out += style.wrap("1", "checks") + "  " + std::to_string(c.pass) + " pass  " + std::to_string(c.fail) + " fail  " +
           std::to_string(c.error) + " error  " + std::to_string(c.not_applicable) + " not applicable  " +
           std::to_string(c.waived) + " waived   (" + timing + ")\n";
    return out;
}

}  // namespace triad::report
