// SPDX-License-Identifier: Apache-2.0
// The Markdown reporter, for pull-request and merge-request comments: a score table naming
// the weakest pillar, the fixes ranked by score gain, then every failure in that order with
// its evidence and remediation. Strings from the result are escaped so that nothing in a
// file name becomes a link, a mention, HTML or a broken table.
#include <algorithm>

#include "reporters/reporter.h"
#include "reporters/text_escape.h"
#include "rules/score/fix_ranking.h"

namespace triad::report {
namespace {

using rules::CheckResult;
using rules::Pillar;
using rules::Verdict;

constexpr std::size_t kTopFixes = 10;
// Comment bodies are limited (GitHub: 65536 characters); the full list is in the other formats.
constexpr std::size_t kEvidencePerCheck = 10;

std::string md(std::string_view s) { return markdown_escape(s); }

// A fenced code block whose fence is longer than any backtick run inside the text.
std::string code_block(const std::string& text) {
    std::size_t longest = 0, run = 0;
    for (char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
    return fence + "\n" + text + "\n" + fence + "\n";
}

std::string pillar_title(Pillar p) {
    switch (p) {
        case Pillar::confidentiality: return "Confidentiality";
        case Pillar::integrity: return "Integrity";
        case Pillar::availability: return "Availability";
    }
    return "";
}

void failure(std::string& out, const CheckResult& r, const std::vector<rules::WaiverRecord>& waivers) {
    out += "#### " + md(r.check.id) + ": " + md(r.check.title) + "\n\n";
    out += "Severity **" + std::string(to_string(r.check.severity)) + "**, hurts " + pillars_hurt(r.check.impact) +
           ", policy " + md(r.check.policy) + ".";
    if (!r.reason.empty()) out += " " + md(r.reason);
    out += "\n\n";
    std::size_t shown = 0;
    for (const rules::Evidence& e : r.evidence) {
        if (shown == kEvidencePerCheck) break;
        out += "- " + md(e.object);
        for (std::size_t i = 0; i < e.observed.size(); ++i)
            out += (i == 0 ? ": " : ", ") + md(e.observed[i].first) + "=" + md(e.observed[i].second);
        out += "\n";
        ++shown;
    }
    if (r.evidence_total > shown) out += "- … and " + std::to_string(r.evidence_total - shown) + " more\n";
    if (shown > 0 || r.evidence_total > 0) out += "\n";
    for (const rules::WaiverRecord& w : waivers)
        if (w.check == r.check.id && w.applied && !w.waived_objects.empty())
            out += "Waived here: " + std::to_string(w.waived_objects.size()) + " object(s), " + md(w.reason) + " (until " +
                   md(w.expires) + ").\n\n";
    // A code block shows its text as is: controls and bidi overrides are escaped visibly first.
    if (!r.check.remediation.empty()) out += "Remediation:\n\n" + code_block(terminal_safe(r.check.remediation)) + "\n";
}

}  // namespace

std::string render_markdown(const rules::ScanResult& result, const RenderOptions&) {
    const rules::Scores& s = result.scores;
    const std::string host = result.target.hostname.empty() ? result.target.root : result.target.hostname;
    std::string out = "## triad: " + md(host) + ", overall " + format_score(s.overall) + "\n\n";
    out += "| Pillar | Score | Checks decided |\n| --- | ---: | ---: |\n";
    for (Pillar p : {Pillar::confidentiality, Pillar::integrity, Pillar::availability})
        out += "| " + pillar_title(p) + (s.weakest == p ? " (weakest)" : "") + " | " + format_score(s.of(p).score) +
               " | " + format_coverage(s.of(p).coverage) + " |\n";
    out += "| **Overall** | **" + format_score(s.overall) + "** | " + format_coverage(s.coverage) + " |\n\n";
    const rules::Counts& c = result.counts;
    out += "**" + std::to_string(c.fail) + " failed**, " + std::to_string(c.pass) + " passed, " + std::to_string(c.error) +
           " error, " + std::to_string(c.not_applicable) + " not applicable, " + std::to_string(c.waived) +
           " waived. Root " + md(result.target.root) + (result.target.os.empty() ? "" : ", " + md(result.target.os)) +
           ", scanned " + md(result.started_at) + " by triad " + md(result.tool_version) + ".\n";

    const auto fixes = rules::rank_fixes(result);
    const auto gains = rules::fixes_with_gain(result);
    if (!gains.empty()) {
        out += "\n### Top fixes by score gain\n\n| # | Check | Severity | Overall | C | I | A |\n"
               "| ---: | --- | --- | ---: | ---: | ---: | ---: |\n";
        for (std::size_t n = 0; n < std::min(gains.size(), kTopFixes); ++n) {
            const rules::FixGain& g = gains[n];
            const CheckResult& r = result.results[g.index];
            out += "| " + std::to_string(n + 1) + " | " + md(r.check.id) + ": " + md(r.check.title) + " | " +
                   std::string(to_string(r.check.severity)) + " | " + format_gain(g.overall) + " | " +
                   format_gain(g.confidentiality) + " | " + format_gain(g.integrity) + " | " +
                   format_gain(g.availability) + " |\n";
        }
    }
    if (!fixes.empty()) {
        out += "\n### Failures\n\n";
        for (const rules::FixGain& g : fixes) failure(out, result.results[g.index], result.waivers);
    }

    std::string errors;
    for (const CheckResult& r : result.results)
        if (r.verdict == Verdict::error) errors += "- " + md(r.check.id) + ": " + md(r.reason) + "\n";
    if (!errors.empty()) out += "\n### Could not be decided\n\n" + errors;

    if (!result.waivers.empty()) {
        out += "\n### Waivers\n\n| Check | Reason | Owner | Expires | State |\n| --- | --- | --- | --- | --- |\n";
        for (const rules::WaiverRecord& w : result.waivers)
            out += "| " + md(w.check) + " | " + md(w.reason) + " | " + md(w.owner) + " | " + md(w.expires) + " | " +
                   (w.state == rules::WaiverState::expired ? "**expired**" : w.applied ? "active" : "active, unused") +
                   " |\n";
    }
    return out;
}

}  // namespace triad::report
