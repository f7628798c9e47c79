// SPDX-License-Identifier: Apache-2.0
// The console reporter: failures and errors grouped by pillar, then by severity (worst
// first), with evidence; then scores, the weakest pillar and the counts.
#include <algorithm>
#include <cstdio>

#include "reporters/reporter.h"
#include "reporters/text_escape.h"
#include "rules/score/fix_ranking.h"

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

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

void render_check(std::string& out, const CheckResult& r, const RenderOptions& options, const Style& style) {
    std::string verdict = r.verdict == Verdict::fail ? style.wrap("1;31", "FAIL ") : style.wrap("1;35", "ERROR");
    out += "  " + verdict + " " + style.wrap(severity_colour(r.check.severity), pad(to_string(r.check.severity), 8)) +
           " " + r.check.id + "  " + r.check.title + "\n";
    // Reasons and evidence come from the audited system: never let them drive the terminal.
    if (!r.reason.empty()) out += "        " + terminal_safe(r.reason) + "\n";
    std::size_t shown = 0;
    for (const rules::Evidence& e : r.evidence) {
        if (!options.verbose && static_cast<int>(shown) >= options.evidence_lines) break;
        std::string line = "        - " + terminal_safe(e.object);
        for (std::size_t i = 0; i < e.observed.size(); ++i)
            line += (i == 0 ? ": " : ", ") + e.observed[i].first + "=" + terminal_safe(e.observed[i].second);
        out += line + "\n";
        ++shown;
    }
    if (r.evidence_total > shown) out += "        ... and " + std::to_string(r.evidence_total - shown) + " more\n";
    if (r.verdict == Verdict::fail && !r.check.remediation.empty()) out += "        fix: " + r.check.remediation + "\n";
}

// Failing checks by the overall score they would add if fixed (rules/fix_ranking.h).
void render_fixes(std::string& out, const rules::ScanResult& result, const RenderOptions& options, const Style& style) {
    const auto fixes = rules::rank_fixes(result);
    if (fixes.empty()) return;
    constexpr std::size_t kTopFixes = 5;
    const std::size_t shown = options.verbose ? fixes.size() : std::min(fixes.size(), kTopFixes);
    out += "\n" + style.wrap("1", "fixes by score gain") + "\n";
    for (std::size_t n = 0; n < shown; ++n) {
        const rules::FixGain& g = fixes[n];
        const CheckResult& r = result.results[g.index];
        out += "  " + pad(std::to_string(n + 1) + ".", 4) + pad(format_gain(g.overall), 6) + " overall  (C " +
               format_gain(g.confidentiality) + "  I " + format_gain(g.integrity) + "  A " +
               format_gain(g.availability) + ")  " + r.check.id + "  " + r.check.title + "\n";
    }
    if (shown < fixes.size()) out += "  ... " + std::to_string(fixes.size() - shown) + " more (--verbose lists all)\n";
}

// Waived checks with their reason, and waivers that no longer apply.
void render_waivers(std::string& out, const rules::ScanResult& result, const Style& style) {
    std::string lines;
    for (const CheckResult& r : result.results)
        if (r.verdict == Verdict::waived) {
            std::string who;
            for (const rules::WaiverRecord& w : result.waivers)
                if (w.check == r.check.id && w.applied)
                    who = " (" + (w.owner.empty() ? std::string() : w.owner + ", ") + "until " + w.expires + ")";
            lines += "  " + style.wrap("1;34", "WAIVED") + " " + r.check.id + "  " + terminal_safe(r.reason) + who + "\n";
        }
    for (const rules::WaiverRecord& w : result.waivers) {
        if (w.state == rules::WaiverState::expired)
            lines += "  " + style.wrap("1;33", "EXPIRED") + " waiver for " + w.check + " (" + w.source + ") expired " +
                     w.expires + (w.owner.empty() ? "" : ", owner " + w.owner) + "\n";
        else if (w.applied && !w.waived_objects.empty())
            lines += "  " + style.wrap("1;34", "WAIVED") + " " + std::to_string(w.waived_objects.size()) + " object(s) of " +
                     w.check + "  " + w.reason + "\n";
    }
    if (!lines.empty()) out += "\n" + style.wrap("1", "waivers") + "\n" + lines;
}

void render_summary(std::string& out, const rules::ScanResult& result, const Style& style) {
    const rules::Scores& s = result.scores;
    out += style.wrap("1", "scores") + "  confidentiality " + format_score(s.confidentiality.score) +
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
}

}  // namespace

std::string render_console(const rules::ScanResult& result, const RenderOptions& options) {
    const Style style{options.color};
    std::string out;
    if (options.quiet) {
        render_summary(out, result, style);
        return out;
    }
    out += style.wrap("1", "triad " + result.tool_version) + " audit of " + terminal_safe(result.target.root);
    if (!result.target.hostname.empty()) out += " (" + terminal_safe(result.target.hostname) + ")";
    out += "\n";
    if (!result.target.os.empty() || !result.target.kernel.empty())
        out += "  " + terminal_safe(result.target.os) +
               (result.target.kernel.empty() ? "" : ", kernel " + terminal_safe(result.target.kernel)) + "\n";
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

    if (options.verbose) {
        std::string passed;
        for (const CheckResult& r : result.results)
            if (r.verdict == Verdict::pass) passed += " " + r.check.id;
        if (!passed.empty()) out += "\npassed:" + passed + "\n";
    }
    render_waivers(out, result, style);
    render_fixes(out, result, options, style);
    out += "\n";
    render_summary(out, result, style);
    return out;
}

}  // namespace triad::report
