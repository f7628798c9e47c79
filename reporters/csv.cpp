// SPDX-License-Identifier: Apache-2.0
// The CSV reporter (RFC 4180: CRLF line ends, quoted fields, a header row) for spreadsheets
// and compliance tooling: one row per evidence object, one row for a check without evidence.
// Objects a per-object waiver removed get their own rows with verdict `waived`. Values from
// the audited system that a spreadsheet would run as a formula are neutralised.
#include "reporters/reporter.h"
#include "reporters/text_escape.h"

namespace triad::report {
namespace {

using rules::CheckResult;

constexpr const char* kHeader =
    "check_id,title,policy,verdict,severity,confidentiality,integrity,availability,tags,object,observed,reason,"
    "remediation\r\n";

std::string row(const CheckResult& r, std::string_view verdict, const std::string& object, const std::string& observed,
                const std::string& reason) {
    std::string tags;
    for (const auto& t : r.check.tags) tags += (tags.empty() ? "" : ";") + t;
    std::string out;
    for (const std::string& f : {r.check.id, r.check.title, r.check.policy})
        out += csv_untrusted_field(f) + ",";
    out += std::string(verdict) + "," + std::string(to_string(r.check.severity)) + "," +
           std::string(to_string(r.check.impact.c)) + "," + std::string(to_string(r.check.impact.i)) + "," +
           std::string(to_string(r.check.impact.a)) + ",";
    for (const std::string& f : {tags, object, observed, reason}) out += csv_untrusted_field(f) + ",";
    return out + csv_untrusted_field(r.check.remediation) + "\r\n";
}

std::string observed_text(const rules::Evidence& e) {
    std::string out;
    for (const auto& [field, value] : e.observed) out += (out.empty() ? "" : "; ") + field + "=" + value;
    return out;
}

}  // namespace

std::string render_csv(const rules::ScanResult& result, const RenderOptions&) {
    std::string out = kHeader;
    for (const CheckResult& r : result.results) {
        const std::string_view verdict = to_string(r.verdict);
        for (const rules::Evidence& e : r.evidence) {
            // Grouped evidence (group_by): one row per object of the group, naming the group.
            for (const std::string& member : e.objects) out += row(r, verdict, member, "group=" + e.object, r.reason);
            if (e.objects.empty()) out += row(r, verdict, e.object, observed_text(e), r.reason);
        }
        if (r.evidence.empty()) out += row(r, verdict, "", "", r.reason);
        for (const rules::WaiverRecord& w : result.waivers)
            if (w.check == r.check.id && w.applied)
                for (const auto& obj : w.waived_objects) out += row(r, "waived", obj, "", w.reason);
    }
    return out;
}

}  // namespace triad::report
