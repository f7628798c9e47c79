// SPDX-License-Identifier: Apache-2.0
// The JUnit XML reporter, in the shape CI systems (Jenkins, GitLab, GitHub test reporters,
// Azure) read: <testsuites> with one <testsuite> per policy and one <testcase> per check.
// fail → <failure> with the evidence, error → <error>, not_applicable and waived → <skipped>.
// tests/reporters/junit.xsd is the schema the output is validated against.
#include <map>

#include "reporters/reporter.h"
#include "reporters/text_escape.h"

namespace triad::report {
namespace {

using rules::CheckResult;
using rules::Verdict;

std::string x(std::string_view s) { return xml_escape(s); }

std::string seconds(std::uint64_t ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms) / 1000.0);
    return buf;
}

// JUnit timestamps carry no zone (the Ant schema forbids one); ours are UTC.
std::string timestamp(const std::string& rfc3339) {
    std::string t = rfc3339;
    if (!t.empty() && t.back() == 'Z') t.pop_back();
    return t;
}

std::string evidence_text(const CheckResult& r) {
    std::string out;
    if (!r.reason.empty()) out += r.reason + "\n";
    for (const rules::Evidence& e : r.evidence) {
        out += e.object;
        for (std::size_t i = 0; i < e.observed.size(); ++i)
            out += (i == 0 ? ": " : ", ") + e.observed[i].first + "=" + e.observed[i].second;
        out += "\n";
    }
    if (r.evidence_total > r.evidence.size())
        out += "... and " + std::to_string(r.evidence_total - r.evidence.size()) + " more\n";
    if (r.verdict == Verdict::fail && !r.check.remediation.empty()) out += "remediation: " + r.check.remediation + "\n";
    return out;
}

struct Suite {
    std::string name;
    std::vector<const CheckResult*> cases;
    std::uint64_t failures = 0, errors = 0, skipped = 0;
};

std::string testcase(const CheckResult& r) {
    std::string out = "    <testcase name=\"" + x(r.check.id + ": " + r.check.title) + "\" classname=\"triad." +
                      x(r.check.policy) + "\" time=\"0\"";
    const std::string severity(to_string(r.check.severity));
    switch (r.verdict) {
        case Verdict::pass: return out + "/>\n";
        case Verdict::fail:
            out += ">\n      <failure message=\"" + x(r.reason.empty() ? r.check.title : r.reason) + "\" type=\"" +
                   severity + "\">" + x(evidence_text(r)) + "</failure>\n";
            break;
        case Verdict::error:
            out += ">\n      <error message=\"" + x(r.reason) + "\" type=\"error\">" + x(evidence_text(r)) + "</error>\n";
            break;
        case Verdict::not_applicable:
            out += ">\n      <skipped message=\"" + x("not applicable: " + r.reason) + "\"/>\n";
            break;
        case Verdict::waived:
            out += ">\n      <skipped message=\"" + x("waived: " + r.reason) + "\"/>\n";
            break;
    }
    return out + "    </testcase>\n";
}

}  // namespace

std::string render_junit(const rules::ScanResult& result, const RenderOptions&) {
    // Suites in the order the policies were loaded; a check naming another policy gets its own.
    std::vector<Suite> suites;
    std::map<std::string, std::size_t> index;
    for (const auto& p : result.policies)
        if (index.emplace(p.id, suites.size()).second) suites.push_back(Suite{p.id, {}});
    for (const CheckResult& r : result.results) {
        auto [it, fresh] = index.emplace(r.check.policy, suites.size());
        if (fresh) suites.push_back(Suite{r.check.policy, {}});
        Suite& s = suites[it->second];
        s.cases.push_back(&r);
        if (r.verdict == Verdict::fail) ++s.failures;
        else if (r.verdict == Verdict::error) ++s.errors;
        else if (r.verdict == Verdict::not_applicable || r.verdict == Verdict::waived) ++s.skipped;
    }
    const rules::Counts& c = result.counts;
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<testsuites name=\"triad\" tests=\"" + std::to_string(result.results.size()) + "\" failures=\"" +
           std::to_string(c.fail) + "\" errors=\"" + std::to_string(c.error) + "\" skipped=\"" +
           std::to_string(c.not_applicable + c.waived) + "\" time=\"" + seconds(result.duration_ms) + "\">\n";
    const std::string host = result.target.hostname.empty() ? "unknown" : result.target.hostname;
    for (std::size_t i = 0; i < suites.size(); ++i) {
        const Suite& s = suites[i];
        out += "  <testsuite name=\"" + x(s.name) + "\" id=\"" + std::to_string(i) + "\" package=\"triad." + x(s.name) +
               "\" tests=\"" + std::to_string(s.cases.size()) + "\" failures=\"" + std::to_string(s.failures) +
               "\" errors=\"" + std::to_string(s.errors) + "\" skipped=\"" + std::to_string(s.skipped) +
               "\" time=\"0\" timestamp=\"" + x(timestamp(result.started_at)) + "\" hostname=\"" + x(host) + "\">\n";
        out += "    <properties>\n";
        auto property = [&](const char* name, const std::string& value) {
            out += "      <property name=\"" + std::string(name) + "\" value=\"" + x(value) + "\"/>\n";
        };
        property("triad.version", result.tool_version);
        property("target.root", result.target.root);
        property("target.os", result.target.os);
        property("target.kernel", result.target.kernel);
        property("score.confidentiality", format_score(result.scores.confidentiality.score));
        property("score.integrity", format_score(result.scores.integrity.score));
        property("score.availability", format_score(result.scores.availability.score));
        property("score.overall", format_score(result.scores.overall));
        property("coverage.confidentiality", format_coverage(result.scores.confidentiality.coverage));
        property("coverage.integrity", format_coverage(result.scores.integrity.coverage));
        property("coverage.availability", format_coverage(result.scores.availability.coverage));
        property("coverage.overall", format_coverage(result.scores.coverage));
        out += "    </properties>\n";
        for (const CheckResult* r : s.cases) out += testcase(*r);
        out += "  </testsuite>\n";
    }
    return out + "</testsuites>\n";
}

}  // namespace triad::report
