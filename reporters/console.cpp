// SPDX-License-Identifier: Apache-2.0
// The console reporter: failures and errors grouped by the pillars they hurt most, then by
// severity (worst first), with evidence; not_applicable checks by reason; the fixes that
// would raise the score; then scores with their coverage, the weakest pillar and the counts.
#include <algorithm>
#include <cstdio>

#include "reporters/event_stream.h"
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

std::string safe(std::string_view s) { return terminal_safe(s); }

// One line of evidence as shown: an object (or, for PAM, one module line and every service
// whose stack includes it), and what was observed there.
struct EvidenceLine {
    std::string object;
    const rules::Evidence* evidence = nullptr;
    std::vector<std::string> services;  // PAM: the services sharing this line; else empty
};

// PAM objects read "SERVICE: TYPE CONTROL MODULE (FILE:LINE)". A line of a file that many
// services include (common-auth) fails once, not once per service: lines equal but for the
// service are merged, with the services listed.
std::vector<EvidenceLine> evidence_lines(const CheckResult& r) {
    std::vector<EvidenceLine> lines;
    const bool pam = std::find(r.check.tags.begin(), r.check.tags.end(), "pam") != r.check.tags.end();
    for (const rules::Evidence& e : r.evidence) {
        const std::size_t colon = e.object.find(": ");
        if (!pam || colon == std::string::npos) {
            lines.push_back({e.object, &e, {}});
            continue;
        }
        const std::string service = e.object.substr(0, colon), line = e.object.substr(colon + 2);
        auto same = std::find_if(lines.begin(), lines.end(), [&](const EvidenceLine& l) {
            return !l.services.empty() && l.object == line && l.evidence->observed == e.observed;
        });
        if (same != lines.end()) same->services.push_back(service);
        else lines.push_back({line, &e, {service}});
    }
    return lines;
}

void render_check(std::string& out, const CheckResult& r, const RenderOptions& options, const Style& style) {
    std::string verdict = r.verdict == Verdict::fail ? style.wrap("1;31", "FAIL ") : style.wrap("1;35", "ERROR");
    // Everything printed here may come from a policy file or a stored result, not only from
    // the audited system: all of it is made inert (text_escape.h).
    out += "  " + verdict + " " + style.wrap(severity_colour(r.check.severity), pad(to_string(r.check.severity), 8)) +
           " " + safe(r.check.id) + "  " + safe(r.check.title) + "\n";
    if (r.verdict == Verdict::fail) out += "        hurts: " + pillars_hurt(r.check.impact) + "\n";
    if (!r.reason.empty()) out += "        " + safe(r.reason) + "\n";
    std::size_t shown = 0, objects = 0;
    for (const EvidenceLine& l : evidence_lines(r)) {
        if (!options.verbose && static_cast<int>(shown) >= options.evidence_lines) break;
        // A line of one service only reads as it always did: "SERVICE: LINE".
        const bool shared = l.services.size() > 1;
        std::string line = "        - " + safe(shared || l.services.empty() ? l.object : l.evidence->object);
        const auto& observed = l.evidence->observed;
        for (std::size_t i = 0; i < observed.size(); ++i)
            line += (i == 0 ? ": " : ", ") + safe(observed[i].first) + "=" + safe(observed[i].second);
        if (shared) {
            line += "  (services:";
            for (const std::string& s : l.services) line += " " + safe(s);
            line += ")";
        }
        out += line + "\n";
        ++shown;
        objects += l.services.empty() ? 1 : l.services.size();
    }
    if (r.evidence_total > objects)
        out += "        ... and " + std::to_string(r.evidence_total - objects) + " more object(s)\n";
    if (r.verdict == Verdict::fail && !r.check.remediation.empty()) out += "        fix: " + safe(r.check.remediation) + "\n";
}

// Failing checks by the overall score they would add if fixed (rules/fix_ranking.h); a fix
// that would not move the score (an info check) is no fix to rank.
void render_fixes(std::string& out, const rules::ScanResult& result, const RenderOptions& options, const Style& style) {
    const auto fixes = rules::fixes_with_gain(result);
    if (fixes.empty()) return;
    constexpr std::size_t kTopFixes = 5;
    const std::size_t shown = options.verbose ? fixes.size() : std::min(fixes.size(), kTopFixes);
    out += "\n" + style.wrap("1", "fixes by score gain") + "\n";
    for (std::size_t n = 0; n < shown; ++n) {
        const rules::FixGain& g = fixes[n];
        const CheckResult& r = result.results[g.index];
        out += "  " + pad(std::to_string(n + 1) + ".", 4) + pad(format_gain(g.overall), 6) + " overall  (C " +
               format_gain(g.confidentiality) + "  I " + format_gain(g.integrity) + "  A " +
               format_gain(g.availability) + ")  " + safe(r.check.id) + "  " + safe(r.check.title) + "\n";
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
                    who = " (" + (w.owner.empty() ? std::string() : safe(w.owner) + ", ") + "until " + safe(w.expires) + ")";
            lines += "  " + style.wrap("1;34", "WAIVED") + " " + safe(r.check.id) + "  " + safe(r.reason) + who + "\n";
        }
    for (const rules::WaiverRecord& w : result.waivers) {
        if (w.state == rules::WaiverState::expired)
            lines += "  " + style.wrap("1;33", "EXPIRED") + " waiver for " + safe(w.check) + " (" + safe(w.source) +
                     ") expired " + safe(w.expires) + (w.owner.empty() ? "" : ", owner " + safe(w.owner)) + "\n";
        else if (w.applied && !w.waived_objects.empty())
            lines += "  " + style.wrap("1;34", "WAIVED") + " " + std::to_string(w.waived_objects.size()) + " object(s) of " +
                     safe(w.check) + "  " + safe(w.reason) + "\n";
    }
    if (!lines.empty()) out += "\n" + style.wrap("1", "waivers") + "\n" + lines;
}

// not_applicable checks grouped by their reason (the same reason once, with its checks);
// with --verbose one line per check with its own reason.
void render_not_applicable(std::string& out, const rules::ScanResult& result, const RenderOptions& options) {
    std::vector<std::pair<std::string, std::vector<std::string>>> by_reason;  // in first-seen order
    for (const CheckResult& r : result.results) {
        if (r.verdict != Verdict::not_applicable) continue;
        const std::string reason = r.reason.empty() ? "no reason given" : r.reason;
        if (options.verbose) {
            by_reason.push_back({reason, {r.check.id}});
            continue;
        }
        auto it = std::find_if(by_reason.begin(), by_reason.end(), [&](const auto& g) { return g.first == reason; });
        if (it == by_reason.end()) by_reason.push_back({reason, {r.check.id}});
        else it->second.push_back(r.check.id);
    }
    if (by_reason.empty()) return;
    out += "\nnot applicable\n";
    for (const auto& [reason, ids] : by_reason) {
        std::string line = "  ";
        for (std::size_t i = 0; i < ids.size(); ++i) line += (i ? ", " : "") + safe(ids[i]);
        out += line + ": " + safe(reason) + "\n";
    }
}

void render_summary(std::string& out, const rules::ScanResult& result, const Style& style) {
    const rules::Scores& s = result.scores;
    out += style.wrap("1", "scores") + "  confidentiality " +
           score_with_coverage(s.confidentiality.score, s.confidentiality.coverage) + "  integrity " +
           score_with_coverage(s.integrity.score, s.integrity.coverage) + "  availability " +
           score_with_coverage(s.availability.score, s.availability.coverage) + "  overall " +
           style.wrap("1", score_with_coverage(s.overall, s.coverage));
    if (s.weakest) out += "   weakest: " + std::string(to_string(*s.weakest));
    out += "\n";
    for (rules::Pillar p : {Pillar::confidentiality, Pillar::integrity, Pillar::availability})
        if (s.of(p).coverage.too_low())
            out += style.wrap("1;35", "no " + std::string(to_string(p)) + " score") +
                   ": more than half of its checks could not be decided (errors above)\n";
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
    out += style.wrap("1", "triad " + safe(result.tool_version)) + " audit of " + terminal_safe(result.target.root);
    if (!result.target.hostname.empty()) out += " (" + terminal_safe(result.target.hostname) + ")";
    out += "\n";
    if (!result.target.os.empty() || !result.target.kernel.empty())
        out += "  " + terminal_safe(result.target.os) +
               (result.target.kernel.empty() ? "" : ", kernel " + terminal_safe(result.target.kernel)) + "\n";
    for (const auto& p : result.policies)
        out += "  policy " + safe(p.id) + " " + safe(p.version) + " (" + safe(p.path) + ")\n";

    // Failures and errors under the pillar they hurt most; a check that hurts several pillars
    // alike is listed under all of their names together ("CONFIDENTIALITY + INTEGRITY").
    std::vector<std::pair<std::vector<Pillar>, std::vector<const CheckResult*>>> groups;
    for (const CheckResult& r : result.results) {
        if (r.verdict != Verdict::fail && r.verdict != Verdict::error) continue;
        const std::vector<Pillar> key = top_pillars(r.check.impact);
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
        if (it == groups.end()) groups.push_back({key, {&r}});
        else it->second.push_back(&r);
    }
    // Single pillars first (C, I, A), then the ties, fewer pillars first.
    std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
        if (a.first.size() != b.first.size()) return a.first.size() < b.first.size();
        return a.first < b.first;
    });
    for (auto& [pillars, listed] : groups) {
        std::stable_sort(listed.begin(), listed.end(), [](const CheckResult* a, const CheckResult* b) {
            if (a->check.severity != b->check.severity) return a->check.severity > b->check.severity;
            return a->verdict == Verdict::fail && b->verdict != Verdict::fail;
        });
        std::string title;
        for (Pillar p : pillars) title += (title.empty() ? "" : " + ") + upper(to_string(p));
        out += "\n" + style.wrap("1", title) + "\n";
        for (const CheckResult* r : listed) render_check(out, *r, options, style);
    }

    render_not_applicable(out, result, options);

    if (options.verbose) {
        std::string passed;
        for (const CheckResult& r : result.results)
            if (r.verdict == Verdict::pass) passed += " " + safe(r.check.id);
        if (!passed.empty()) out += "\npassed:" + passed + "\n";
    }
    render_waivers(out, result, style);
    render_fixes(out, result, options, style);
    out += "\n";
    render_summary(out, result, style);
    return out;
}

std::string render_console_finding(const CheckResult& result, const RenderOptions& options) {
    const Style style{options.color};
    std::string out;
    if (result.verdict == Verdict::fail || result.verdict == Verdict::error) {
        render_check(out, result, options, style);
        return out;
    }
    std::string verdict = upper(to_string(result.verdict));
    out += "  " + pad(verdict == "NOT_APPLICABLE" ? "N/A" : verdict, 5) + " " +
           style.wrap(severity_colour(result.check.severity), pad(to_string(result.check.severity), 8)) + " " +
           safe(result.check.id) + "  " + safe(result.check.title) + "\n";
    if (result.verdict != Verdict::pass && !result.reason.empty()) out += "        " + safe(result.reason) + "\n";
    return out;
}

}  // namespace triad::report
