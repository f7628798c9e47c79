// SPDX-License-Identifier: Apache-2.0
// The HTML reporter: one self-contained page that opens offline. Scores as an inline SVG
// chart, the weakest pillar, the top fixes by score gain, a table of every check filterable
// in the page (inline script only), evidence and remediation, host and policy details, and a
// print stylesheet. Every string from the result is escaped, and a Content-Security-Policy
// allows only the page's own script (by hash): a file name holding markup stays text.
#include <Poco/Base64Encoder.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "reporters/reporter.h"
#include "reporters/text_escape.h"
#include "rules/score/fix_ranking.h"

namespace triad::report {
namespace {

using rules::CheckResult;
using rules::Pillar;
using rules::Verdict;

constexpr std::size_t kTopFixes = 10;
constexpr Pillar kPillars[] = {Pillar::confidentiality, Pillar::integrity, Pillar::availability};

constexpr const char* kStyle = R"(
:root{--fg:#1d2327;--muted:#5f6b73;--line:#d6dbdf;--bg:#fff;--panel:#f5f7f8;--fail:#b3261e;--pass:#2e7d32;
--error:#7b1fa2;--na:#6d7780;--waived:#1565c0}
*{box-sizing:border-box}[hidden]{display:none!important}
body{margin:0 auto;max-width:72rem;padding:1.5rem;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;
color:var(--fg);background:var(--bg)}
h1{font-size:1.6rem;margin:0 0 .2rem}h2{font-size:1.2rem;margin:2rem 0 .6rem;border-bottom:1px solid var(--line)}
.sub,.muted{color:var(--muted)}code,pre{font:13px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
pre{white-space:pre-wrap;word-break:break-word;background:var(--panel);padding:.5rem;margin:.3rem 0}
.summary{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;vertical-align:top}
thead th{border-bottom:2px solid var(--line)}tbody.check{border-bottom:1px solid var(--line)}
table.scores{width:auto}table.scores td{text-align:right;font-weight:600}
.verdict{display:inline-block;padding:0 .45rem;border-radius:.6rem;color:#fff;font-size:.85em;font-weight:600}
.v-fail{background:var(--fail)}.v-pass{background:var(--pass)}.v-error{background:var(--error)}
.v-not_applicable{background:var(--na)}.v-waived{background:var(--waived)}
.sev-critical,.sev-high{color:var(--fail);font-weight:600}.sev-medium{color:#a15c00}
.tag{display:inline-block;background:var(--panel);border:1px solid var(--line);border-radius:.3rem;
padding:0 .3rem;margin:0 .2rem .2rem 0;font-size:.85em}
tr.detail td{padding-top:0}details summary{cursor:pointer;color:var(--muted)}
table.evidence{margin:.3rem 0;font-size:.92em}table.evidence td,table.evidence th{border:1px solid var(--line)}
form.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end;background:var(--panel);padding:.6rem;
margin-bottom:.6rem}form.filters label{display:flex;flex-direction:column;font-size:.85em;color:var(--muted)}
ol.fixes li{margin-bottom:.3rem}.gain{font-weight:600;color:var(--pass)}
dl.host{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.host dt{color:var(--muted)}
dl.host dd{margin:0}.nowrap{white-space:nowrap}footer{margin-top:2rem;color:var(--muted);font-size:.85em}
)";

constexpr const char* kPrintStyle = R"(
@media print{
body{max-width:none;padding:0;font-size:10pt;color:#000}
form.filters,details>summary,.noprint{display:none}
h2{break-after:avoid}tbody.check,li,tr{break-inside:avoid}a{color:inherit;text-decoration:none}
pre{background:none;border:1px solid #999}.verdict{color:#000;border:1px solid #000;background:none!important}
}
)";

// The page's only script: filters rows by the data-* attributes the table carries, keeps the
// filters in the URL fragment (report.html#verdict=fail opens filtered), and opens the
// details of the shown rows before printing. It reads no data except those attributes.
constexpr const char* kScript = R"(
(function () {
  'use strict';
  var keys = ['verdict', 'severity', 'pillar', 'tag', 'text'];
  var controls = {};
  keys.forEach(function (k) { controls[k] = document.getElementById('f-' + k); });
  var rows = Array.prototype.slice.call(document.querySelectorAll('tbody.check'));
  var shown = document.getElementById('shown');
  function has(list, value) { return list.split('\n').indexOf(value) >= 0; }
  function apply() {
    var f = {};
    keys.forEach(function (k) { f[k] = controls[k].value; });
    var q = f.text.toLowerCase();
    var n = 0;
    rows.forEach(function (r) {
      var d = r.dataset;
      var ok = (!f.verdict || d.verdict === f.verdict) &&
               (!f.severity || d.severity === f.severity) &&
               (!f.pillar || has(d.pillars, f.pillar)) &&
               (!f.tag || has(d.tags, f.tag)) &&
               (!q || r.textContent.toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = String(n);
    var parts = [];
    keys.forEach(function (k) { if (f[k]) parts.push(k + '=' + encodeURIComponent(f[k])); });
    try {
      history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname + location.search);
    } catch (e) { /* some browsers refuse history changes on file: URLs */ }
  }
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var i = kv.indexOf('=');
    if (i < 0) return;
    var k = kv.slice(0, i), v;
    try { v = decodeURIComponent(kv.slice(i + 1)); } catch (e) { return; }
    if (Object.prototype.hasOwnProperty.call(controls, k)) controls[k].value = v;
  });
  keys.forEach(function (k) {
    controls[k].addEventListener('input', apply);
    controls[k].addEventListener('change', apply);
  });
  document.getElementById('filters').addEventListener('submit', function (e) { e.preventDefault(); });
  document.getElementById('f-reset').addEventListener('click', function () {
    keys.forEach(function (k) { controls[k].value = ''; });
    apply();
  });
  window.addEventListener('beforeprint', function () {
    rows.forEach(function (r) {
      if (!r.hidden) r.querySelectorAll('details').forEach(function (d) { d.open = true; });
    });
  });
  apply();
})();
)";

std::string e(std::string_view s) { return html_escape(s); }

// CSP source for the script above: 'sha256-<base64 of its SHA-256>'.
std::string script_hash() {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(std::string(kScript));
    const auto& digest = sha.digest();
    std::ostringstream out;
    {
        Poco::Base64Encoder b64(out);
        b64.rdbuf()->setLineLength(0);
        b64.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
        b64.close();
    }
    return "'sha256-" + out.str() + "'";
}

std::string pillar_title(Pillar p) {
    switch (p) {
        case Pillar::confidentiality: return "Confidentiality";
        case Pillar::integrity: return "Integrity";
        case Pillar::availability: return "Availability";
    }
    return "";
}

const char* band_colour(const std::optional<double>& s) {
    if (!s) return "#b0b8bf";
    return *s >= 80 ? "#2e7d32" : *s >= 50 ? "#e0a100" : "#b3261e";
}

// Four bars (C, I, A, overall) from 0 to 100, with the score written above each.
std::string chart_svg(const rules::Scores& s) {
    struct Bar {
        std::string label, key;
        std::optional<double> score;
    };
    const Bar bars[] = {{"Confidentiality", "confidentiality", s.confidentiality.score},
                        {"Integrity", "integrity", s.integrity.score},
                        {"Availability", "availability", s.availability.score},
                        {"Overall", "overall", s.overall}};
    constexpr int kBase = 200, kHeight = 170, kWidth = 64, kStep = 100, kLeft = 40;
    std::string out = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"440\" height=\"240\" "
                      "viewBox=\"0 0 440 240\" role=\"img\" aria-labelledby=\"chart-title\">"
                      "<title id=\"chart-title\">Scores out of 100 per pillar and overall</title>";
    for (int v : {0, 50, 100}) {
        const int y = kBase - kHeight * v / 100;
        out += "<line x1=\"" + std::to_string(kLeft - 6) + "\" x2=\"430\" y1=\"" + std::to_string(y) + "\" y2=\"" +
               std::to_string(y) + "\" stroke=\"#d6dbdf\"/><text x=\"" + std::to_string(kLeft - 10) + "\" y=\"" +
               std::to_string(y + 4) + "\" font-size=\"11\" text-anchor=\"end\" fill=\"#5f6b73\">" + std::to_string(v) +
               "</text>";
    }
    for (std::size_t i = 0; i < std::size(bars); ++i) {
        const Bar& b = bars[i];
        const int x = kLeft + 12 + static_cast<int>(i) * kStep;
        const int h = b.score ? static_cast<int>(*b.score * kHeight / 100.0 + 0.5) : kHeight;
        const int y = kBase - h;
        out += "<g><title>" + b.label + ": " + format_score(b.score) + "</title>";
        if (b.score)
            out += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
                   std::to_string(kWidth) + "\" height=\"" + std::to_string(h) + "\" fill=\"" + band_colour(b.score) +
                   "\"/>";
        else
            out += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
                   std::to_string(kWidth) + "\" height=\"" + std::to_string(h) +
                   "\" fill=\"none\" stroke=\"#b0b8bf\" stroke-dasharray=\"4 3\"/>";
        out += "<text class=\"score\" data-pillar=\"" + b.key + "\" x=\"" + std::to_string(x + kWidth / 2) + "\" y=\"" +
               std::to_string(y - 6) + "\" font-size=\"14\" font-weight=\"600\" text-anchor=\"middle\">" +
               format_score(b.score) + "</text><text x=\"" + std::to_string(x + kWidth / 2) + "\" y=\"" +
               std::to_string(kBase + 18) + "\" font-size=\"12\" text-anchor=\"middle\">" + b.label + "</text></g>";
    }
    return out + "</svg>";
}

std::string summary_section(const rules::ScanResult& r) {
    const rules::Scores& s = r.scores;
    std::string out = "<section id=\"summary\"><h2>Scores</h2><div class=\"summary\">" + chart_svg(s) +
                      "<div><table class=\"scores\"><tbody>";
    for (Pillar p : kPillars)
        out += "<tr><th>" + pillar_title(p) + "</th><td id=\"score-" + std::string(to_string(p)) + "\">" +
               format_score(s.of(p).score) + "</td><td class=\"muted\" id=\"coverage-" + std::string(to_string(p)) +
               "\">" + format_coverage(s.of(p).coverage) + "</td></tr>";
    out += "<tr><th>Overall</th><td id=\"score-overall\">" + format_score(s.overall) +
           "</td><td class=\"muted\" id=\"coverage-overall\">" + format_coverage(s.coverage) +
           "</td></tr></tbody></table>";
    if (s.weakest)
        out += "<p id=\"weakest\">Weakest pillar: <strong>" + pillar_title(*s.weakest) + "</strong> (" +
               format_score(s.of(*s.weakest).score) + ")</p>";
    else
        out += "<p id=\"weakest\">No pillar has a decided check, so none is weakest.</p>";
    const rules::Counts& c = r.counts;
    out += "<p class=\"counts\">" + std::to_string(c.pass) + " pass · " + std::to_string(c.fail) + " fail · " +
           std::to_string(c.error) + " error · " + std::to_string(c.not_applicable) + " not applicable · " +
           std::to_string(c.waived) + " waived</p></div></div></section>\n";
    return out;
}

std::string fixes_section(const rules::ScanResult& r) {
    const auto fixes = rules::fixes_with_gain(r);
    std::string out = "<section id=\"fixes\"><h2>Top fixes by score gain</h2>";
    if (fixes.empty()) return out + "<p>No failing check would raise the score.</p></section>\n";
    out += "<p class=\"muted\">The score each fix would add if its check passed, largest first.</p><ol class=\"fixes\">";
    for (std::size_t n = 0; n < std::min(fixes.size(), kTopFixes); ++n) {
        const rules::FixGain& g = fixes[n];
        const CheckResult& c = r.results[g.index];
        out += "<li><a href=\"#check-" + e(c.check.id) + "\"><code>" + e(c.check.id) + "</code></a> " +
               e(c.check.title) + " <span class=\"gain\">" + format_gain(g.overall) +
               " overall</span> <span class=\"muted\">(C " + format_gain(g.confidentiality) + " · I " +
               format_gain(g.integrity) + " · A " + format_gain(g.availability) + ")</span></li>";
    }
    out += "</ol>";
    if (fixes.size() > kTopFixes)
        out += "<p class=\"muted\">" + std::to_string(fixes.size() - kTopFixes) + " more fixes among the failing checks below.</p>";
    return out + "</section>\n";
}

std::string select_control(const char* key, const char* label, const std::vector<std::string>& values) {
    std::string out = std::string("<label>") + label + "<select id=\"f-" + key + "\"><option value=\"\">any</option>";
    for (const auto& v : values) out += "<option value=\"" + e(v) + "\">" + e(v) + "</option>";
    return out + "</select></label>";
}

std::string filters(const rules::ScanResult& r) {
    std::set<std::string> tags;
    for (const CheckResult& c : r.results) tags.insert(c.check.tags.begin(), c.check.tags.end());
    std::string out = "<form class=\"filters\" id=\"filters\">";
    out += select_control("verdict", "Verdict", {"fail", "error", "pass", "not_applicable", "waived"});
    out += select_control("severity", "Severity", {"critical", "high", "medium", "low", "info"});
    out += select_control("pillar", "Pillar", {"confidentiality", "integrity", "availability"});
    out += select_control("tag", "Tag", std::vector<std::string>(tags.begin(), tags.end()));
    out += "<label>Search<input type=\"search\" id=\"f-text\" placeholder=\"id, title, object\"></label>"
           "<button type=\"button\" id=\"f-reset\">Reset</button><span class=\"muted\"><span id=\"shown\">" +
           std::to_string(r.results.size()) + "</span> of " + std::to_string(r.results.size()) +
           " checks shown</span></form>";
    return out;
}

std::string impact_letters(const rules::CiaImpact& i) {
    auto letter = [](rules::Impact v) { return v == rules::Impact::high ? "H" : v == rules::Impact::low ? "L" : "–"; };
    return std::string(letter(i.c)) + " / " + letter(i.i) + " / " + letter(i.a);
}

std::string evidence_table(const CheckResult& c) {
    std::string out;
    if (!c.evidence.empty()) {
        out += "<table class=\"evidence\"><thead><tr><th>Object</th><th>Observed</th></tr></thead><tbody>";
        std::size_t shown = 0;
        for (const rules::Evidence& ev : c.evidence) {
            if (shown++ == rules::kEvidenceShown) break;  // the JSON result has them all
            out += "<tr><td><code>" + e(ev.object) + "</code></td><td>";
            for (std::size_t i = 0; i < ev.observed.size(); ++i)
                out += std::string(i ? ", " : "") + e(ev.observed[i].first) + "=<code>" + e(ev.observed[i].second) +
                       "</code>";
            out += "</td></tr>";
        }
        out += "</tbody></table>";
    }
    const std::size_t listed = std::min(c.evidence.size(), rules::kEvidenceShown);
    if (c.evidence_total > listed)
        out += "<p class=\"muted\">… and " + std::to_string(c.evidence_total - listed) +
               " more objects not listed.</p>";
    return out;
}

std::string check_rows(const rules::ScanResult& r, const CheckResult& c) {
    const std::string verdict(to_string(c.verdict)), severity(to_string(c.check.severity));
    std::string pillars, tags_attr, tags_html;
    for (Pillar p : kPillars)
        if (c.check.impact.of(p) != rules::Impact::none) pillars += (pillars.empty() ? "" : "\n") + std::string(to_string(p));
    for (const auto& t : c.check.tags) {
        tags_attr += (tags_attr.empty() ? "" : "\n") + t;
        tags_html += "<span class=\"tag\">" + e(t) + "</span>";
    }
    std::string out = "<tbody class=\"check\" id=\"check-" + e(c.check.id) + "\" data-verdict=\"" + verdict +
                      "\" data-severity=\"" + severity + "\" data-pillars=\"" + pillars + "\" data-tags=\"" +
                      e(tags_attr) + "\">";
    out += "<tr><td><code>" + e(c.check.id) + "</code><br>" + e(c.check.title) + "</td><td><span class=\"verdict v-" +
           verdict + "\">" + verdict + "</span></td><td class=\"sev-" + severity + "\">" + severity + "</td><td>" +
           impact_letters(c.check.impact) + "</td><td>" + tags_html + "</td></tr>";

    const bool open = c.verdict == Verdict::fail || c.verdict == Verdict::error;
    out += "<tr class=\"detail\"><td colspan=\"5\"><details" + std::string(open ? " open" : "") +
           "><summary>Details</summary>";
    if (!c.reason.empty())
        out += "<p><strong>" + std::string(c.verdict == Verdict::waived ? "Waived" : "Reason") + ":</strong> " +
               e(c.reason) + "</p>";
    for (const rules::WaiverRecord& w : r.waivers) {
        if (w.check != c.check.id || !w.applied) continue;
        out += "<p class=\"muted\">Waiver " + e(w.source) + (w.owner.empty() ? "" : ", owner " + e(w.owner)) +
               ", until " + e(w.expires);
        if (!w.waived_objects.empty()) {
            out += ": waived objects";
            for (const auto& o : w.waived_objects) out += " <code>" + e(o) + "</code>";
        }
        out += "</p>";
    }
    out += evidence_table(c);
    if (!c.check.rationale.empty()) out += "<p><strong>Why:</strong> " + e(c.check.rationale) + "</p>";
    if (!c.check.remediation.empty()) out += "<p><strong>Remediation:</strong></p><pre>" + e(c.check.remediation) + "</pre>";
    out += "<p class=\"muted\">Policy " + e(c.check.policy) + "</p></details></td></tr></tbody>\n";
    return out;
}

std::string checks_section(const rules::ScanResult& r) {
    std::string out = "<section id=\"checks\"><h2>Checks</h2>" + filters(r) +
                      "<table id=\"check-table\"><thead><tr><th>Check</th><th>Verdict</th><th>Severity</th>"
                      "<th title=\"impact on confidentiality / integrity / availability\">C / I / A</th><th>Tags</th>"
                      "</tr></thead>\n";
    // Failures first, the worst first, as a reader triages; the filters narrow from there.
    std::vector<const CheckResult*> order;
    for (const CheckResult& c : r.results) order.push_back(&c);
    auto rank = [](Verdict v) {
        switch (v) {
            case Verdict::fail: return 0;
            case Verdict::error: return 1;
            case Verdict::waived: return 2;
            case Verdict::pass: return 3;
            case Verdict::not_applicable: return 4;
        }
        return 5;
    };
    std::stable_sort(order.begin(), order.end(), [&](const CheckResult* a, const CheckResult* b) {
        if (rank(a->verdict) != rank(b->verdict)) return rank(a->verdict) < rank(b->verdict);
        return a->check.severity > b->check.severity;
    });
    for (const CheckResult* c : order) out += check_rows(r, *c);
    return out + "</table></section>\n";
}

std::string waivers_section(const rules::ScanResult& r) {
    if (r.waivers.empty()) return "";
    std::string out = "<section id=\"waivers\"><h2>Waivers</h2><table><thead><tr><th>Check</th><th>Objects</th>"
                      "<th>Reason</th><th>Owner</th><th>Expires</th><th>State</th><th>Effect</th></tr></thead><tbody>";
    for (const rules::WaiverRecord& w : r.waivers) {
        std::string objects, effect;
        for (const auto& g : w.objects) objects += "<code>" + e(g) + "</code> ";
        if (w.state == rules::WaiverState::expired) effect = "expired: no longer applied";
        else if (!w.applied) effect = "nothing to waive in this scan";
        else if (w.objects.empty()) effect = "waived the check";
        else effect = "waived " + std::to_string(w.waived_objects.size()) + " object(s)";
        out += "<tr><td><a href=\"#check-" + e(w.check) + "\"><code>" + e(w.check) + "</code></a></td><td>" +
               (objects.empty() ? "whole check" : objects) + "</td><td>" + e(w.reason) + "</td><td>" + e(w.owner) +
               "</td><td class=\"nowrap\">" + e(w.expires) + "</td><td>" +
               (w.state == rules::WaiverState::expired ? "<strong>expired</strong>" : "active") + "</td><td>" + effect +
               "<br><span class=\"muted\">" + e(w.source) + "</span></td></tr>";
    }
    return out + "</tbody></table></section>\n";
}

std::string host_section(const rules::ScanResult& r) {
    auto level = [](double w) { return w >= 1.5 ? "high" : w <= 0.5 ? "low" : "medium"; };
    std::string out = "<section id=\"host\"><h2>Host and policies</h2><dl class=\"host\">";
    auto row = [&](const char* k, const std::string& v) { out += std::string("<dt>") + k + "</dt><dd>" + e(v) + "</dd>"; };
    row("Hostname", r.target.hostname);
    row("Root audited", r.target.root);
    row("Operating system", r.target.os);
    row("Kernel", r.target.kernel);
    row("Scan started", r.started_at);
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.2f s", static_cast<double>(r.duration_ms) / 1000.0);
    row("Duration", duration);
    row("triad version", r.tool_version);
    row("Asset requirements", std::string("C ") + level(r.requirements.c) + " · I " + level(r.requirements.i) +
                                  " · A " + level(r.requirements.a));
    out += "</dl><table><thead><tr><th>Policy</th><th>Version</th><th>File</th></tr></thead><tbody>";
    for (const auto& p : r.policies)
        out += "<tr><td>" + e(p.id) + "</td><td>" + e(p.version) + "</td><td><code>" + e(p.path) + "</code></td></tr>";
    return out + "</tbody></table></section>\n";
}

}  // namespace

std::string render_html(const rules::ScanResult& result, const RenderOptions&) {
    static const std::string kScriptHash = script_hash();
    const std::string host = result.target.hostname.empty() ? result.target.root : result.target.hostname;
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
                      "'unsafe-inline'; script-src " +
                      kScriptHash + "; base-uri 'none'; form-action 'none'\">\n<meta name=\"generator\" content=\"triad " +
                      e(result.tool_version) + "\">\n<title>triad report: " + e(host) + "</title>\n<style>" + kStyle +
                      kPrintStyle + "</style>\n</head>\n<body>\n<header><h1>triad hardening report</h1><p class=\"sub\">" +
                      (result.target.hostname.empty() ? "" : e(result.target.hostname) + " · ") + e(result.target.root) +
                      " · " + e(result.started_at) + "</p></header>\n<main>\n";
    out += summary_section(result);
    out += fixes_section(result);
    out += checks_section(result);
    out += waivers_section(result);
    out += host_section(result);
    out += "</main>\n<footer>Generated by triad " + e(result.tool_version) +
           " from the scan started " + e(result.started_at) + ".</footer>\n<script>" + kScript +
           "</script>\n</body>\n</html>\n";
    return out;
}

}  // namespace triad::report
