// SPDX-License-Identifier: Apache-2.0
// The SARIF 2.1.0 reporter (OASIS), for code-scanning dashboards such as GitHub's: one rule
// per check (id, name, help, C/I/A and tags as properties), one result per failing object
// with its level from the severity and, for paths, a file location relative to the audited
// root. Waived findings are results with an accepted suppression; checks that could not be
// decided are tool execution notifications, not findings.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cctype>
#include <cmath>
#include <stdexcept>
#include <unordered_map>
#include <sstream>

#include "reporters/json_array_writer.h"
#include "reporters/reporter.h"
#include "reporters/text_escape.h"

namespace triad::report {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using rules::CheckResult;
using rules::Severity;
using rules::Verdict;

Object::Ptr object() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Object::Ptr text(const std::string& s) {
    Object::Ptr o = object();
    o->set("text", valid_utf8(s));
    return o;
}

const char* level(Severity s) {
    switch (s) {
        case Severity::critical:
        case Severity::high: return "error";
        case Severity::medium: return "warning";
        case Severity::low:
        case Severity::info: return "note";
    }
    return "note";
}

// GitHub ranks security alerts by this property: critical > 9.0, high 7.0-8.9, medium 4.0-6.9.
const char* security_severity(Severity s) {
    switch (s) {
        case Severity::critical: return "9.5";
        case Severity::high: return "8.0";
        case Severity::medium: return "5.5";
        case Severity::low: return "3.0";
        case Severity::info: return "0.0";
    }
    return "0.0";
}

// "DAC-SHADOW-MODE" → "DacShadowMode": SARIF wants a rule name readable as an identifier.
std::string rule_name(const std::string& id) {
    std::string out;
    bool start = true;
    for (char c : id) {
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            start = true;
            continue;
        }
        out += start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                     : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        start = false;
    }
    return out;
}

// RFC 3986: everything but unreserved characters and '/' percent-encoded, so any file name
// (spaces, '#', '?', non-ASCII bytes) makes a valid URI reference.
std::string uri_path(std::string_view path) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : path) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

Object::Ptr rule_json(const CheckResult& r) {
    Object::Ptr rule = object();
    rule->set("id", r.check.id);
    rule->set("name", rule_name(r.check.id));
    rule->set("shortDescription", text(r.check.title));
    rule->set("fullDescription", text(r.check.rationale.empty() ? r.check.title : r.check.rationale));
    rule->set("help", text(r.check.remediation.empty() ? r.check.title : r.check.remediation));
    Object::Ptr config = object();
    config->set("level", std::string(level(r.check.severity)));
    rule->set("defaultConfiguration", config);
    Object::Ptr props = object();
    Array::Ptr tags = new Array;
    tags->add(std::string("security"));
    for (const auto& t : r.check.tags) tags->add(valid_utf8(t));
    props->set("tags", tags);
    props->set("precision", std::string("high"));
    props->set("security-severity", std::string(security_severity(r.check.severity)));
    props->set("severity", std::string(to_string(r.check.severity)));
    props->set("policy", valid_utf8(r.check.policy));
    Object::Ptr cia = object();
    cia->set("confidentiality", std::string(to_string(r.check.impact.c)));
    cia->set("integrity", std::string(to_string(r.check.impact.i)));
    cia->set("availability", std::string(to_string(r.check.impact.a)));
    props->set("cia", cia);
    rule->set("properties", props);
    return rule;
}

Array::Ptr locations(const std::string& object_name) {
    Array::Ptr list = new Array;
    Object::Ptr loc = object();
    if (!object_name.empty() && object_name.front() == '/') {
        Object::Ptr artifact = object();
        artifact->set("uri", uri_path(object_name.substr(1)));
        artifact->set("uriBaseId", std::string("ROOT"));
        Object::Ptr physical = object();
        physical->set("artifactLocation", artifact);
        loc->set("physicalLocation", physical);
    } else {
        Array::Ptr logical = new Array;
        Object::Ptr l = object();
        l->set("fullyQualifiedName", valid_utf8(object_name));
        logical->add(l);
        loc->set("logicalLocations", logical);
    }
    list->add(loc);
    return list;
}

struct Finding {
    const rules::Evidence* evidence = nullptr;  // null: the check failed without a listed object
    std::string object;
    std::string suppressed_because;  // non-empty: a waived finding
};

Object::Ptr result_json(const CheckResult& r, std::size_t rule_index, const Finding& f) {
    Object::Ptr o = object();
    o->set("ruleId", r.check.id);
    o->set("ruleIndex", static_cast<Poco::UInt64>(rule_index));
    o->set("level", std::string(level(r.check.severity)));
    o->set("kind", std::string("fail"));
    std::string message = r.check.title;
    if (!f.object.empty()) message += ": " + f.object;
    if (f.evidence)
        for (std::size_t i = 0; i < f.evidence->observed.size(); ++i)
            message += (i == 0 ? " (" : ", ") + f.evidence->observed[i].first + "=" + f.evidence->observed[i].second +
                       (i + 1 == f.evidence->observed.size() ? ")" : "");
    if (!f.evidence && !r.reason.empty()) message += ": " + r.reason;
    o->set("message", text(message));
    if (!f.object.empty()) o->set("locations", locations(f.object));
    if (!f.suppressed_because.empty()) {
        Array::Ptr suppressions = new Array;
        Object::Ptr s = object();
        s->set("kind", std::string("external"));
        s->set("status", std::string("accepted"));
        s->set("justification", valid_utf8(f.suppressed_because));
        suppressions->add(s);
        o->set("suppressions", suppressions);
    }
    if (f.evidence && !f.evidence->observed.empty()) {
        Object::Ptr props = object();
        Object::Ptr observed = object();
        for (const auto& [field, value] : f.evidence->observed) observed->set(valid_utf8(field), valid_utf8(value));
        props->set("observed", observed);
        o->set("properties", props);
    }
    return o;
}

constexpr int kRulesLevel = 12;    // runs[0].tool.driver.rules[]
constexpr int kResultsLevel = 8;   // runs[0].results[]

}  // namespace

std::string render_sarif(const rules::ScanResult& result, const RenderOptions&) {
    std::unordered_map<std::string, std::size_t> rule_index;
    std::vector<const CheckResult*> rule_checks;
    for (const CheckResult& r : result.results)
        if (rule_index.emplace(r.check.id, rule_index.size()).second) rule_checks.push_back(&r);

    Array::Ptr notifications = new Array;
    for (const CheckResult& r : result.results) {
        if (r.verdict != Verdict::error) continue;
        Object::Ptr n = object();
        n->set("level", std::string("error"));
        n->set("message", text(r.check.id + " could not be decided: " + r.reason));
        Object::Ptr rule = object();
        rule->set("id", r.check.id);
        rule->set("index", static_cast<Poco::UInt64>(rule_index.at(r.check.id)));
        n->set("associatedRule", rule);
        notifications->add(n);
    }

    Object::Ptr driver = object();
    driver->set("name", std::string("triad"));
    driver->set("version", valid_utf8(result.tool_version));
    driver->set("semanticVersion", valid_utf8(result.tool_version));
    driver->set("rules", Array::Ptr(new Array));  // filled in below
    Object::Ptr tool = object();
    tool->set("driver", driver);

    Object::Ptr invocation = object();
    invocation->set("executionSuccessful", true);
    if (!result.started_at.empty()) invocation->set("startTimeUtc", valid_utf8(result.started_at));
    if (notifications->size() > 0) invocation->set("toolExecutionNotifications", notifications);
    Array::Ptr invocations = new Array;
    invocations->add(invocation);

    // Paths are reported relative to the audited root, which may be an image mounted anywhere.
    std::string root = result.target.root.empty() ? "/" : result.target.root;
    if (root.back() != '/') root += '/';
    Object::Ptr base = object();
    Object::Ptr root_uri = object();
    root_uri->set("uri", "file://" + uri_path(root));
    root_uri->set("description", text("the root file system triad audited"));
    base->set("ROOT", root_uri);

    Object::Ptr props = object();
    Object::Ptr scores = object();
    auto score = [](const std::optional<double>& s) { return s ? Poco::Dynamic::Var(std::round(*s * 10) / 10) : Poco::Dynamic::Var(); };
    scores->set("confidentiality", score(result.scores.confidentiality.score));
    scores->set("integrity", score(result.scores.integrity.score));
    scores->set("availability", score(result.scores.availability.score));
    scores->set("overall", score(result.scores.overall));
    auto coverage = [](const rules::Coverage& c) {
        Object::Ptr v = object();
        v->set("decided", static_cast<Poco::UInt64>(c.decided));
        v->set("selected", static_cast<Poco::UInt64>(c.selected));
        return v;
    };
    Object::Ptr cov = object();
    cov->set("confidentiality", coverage(result.scores.confidentiality.coverage));
    cov->set("integrity", coverage(result.scores.integrity.coverage));
    cov->set("availability", coverage(result.scores.availability.coverage));
    cov->set("overall", coverage(result.scores.coverage));
    scores->set("coverage", cov);
    props->set("scores", scores);
    props->set("hostname", valid_utf8(result.target.hostname));

    Object::Ptr run = object();
    run->set("tool", tool);
    run->set("invocations", invocations);
    run->set("originalUriBaseIds", base);
    run->set("results", Array::Ptr(new Array));  // filled in below
    run->set("properties", props);
    Array::Ptr runs = new Array;
    runs->add(run);

    Object::Ptr doc = object();
    doc->set("$schema", std::string("https://json.schemastore.org/sarif-2.1.0.json"));
    doc->set("version", std::string("2.1.0"));
    doc->set("runs", runs);
    std::ostringstream printed;
    doc->stringify(printed, 2);
    const std::string skeleton = std::move(printed).str();
    const std::string rules_empty = ArrayWriter::empty("rules", kRulesLevel);
    const std::string results_empty = ArrayWriter::empty("results", kResultsLevel);
    const std::size_t rules_at = skeleton.find(rules_empty);
    const std::size_t results_at = skeleton.find(results_empty, rules_at);
    if (rules_at == std::string::npos || results_at == std::string::npos)
        throw std::logic_error("SARIF: the document has no room for its rules and results");

    std::string out;
    out.append(skeleton, 0, rules_at);
    {
        ArrayWriter rules_list(out, "rules", kRulesLevel);
        for (const CheckResult* r : rule_checks) rules_list.add(rule_json(*r));
        rules_list.close();
    }
    out.append(skeleton, rules_at + rules_empty.size(), results_at - rules_at - rules_empty.size());

    // Per-object waivers by check, so that each check finds its own without reading them all.
    std::unordered_map<std::string, std::vector<const rules::WaiverRecord*>> applied_waivers;
    for (const rules::WaiverRecord& w : result.waivers)
        if (w.applied) applied_waivers[w.check].push_back(&w);
    ArrayWriter results(out, "results", kResultsLevel);
    for (const CheckResult& r : result.results) {
        const std::size_t index = rule_index.at(r.check.id);
        if (r.verdict == Verdict::fail || r.verdict == Verdict::waived) {
            const std::string why = r.verdict == Verdict::waived ? (r.reason.empty() ? "waived" : r.reason) : "";
            for (const rules::Evidence& e : r.evidence) {
                // Grouped evidence (group_by): a result per object of the group, each located.
                for (const std::string& member : e.objects) {
                    const rules::Evidence one{member, {{"group", e.object}}};
                    results.add(result_json(r, index, Finding{&one, member, why}));
                }
                if (e.objects.empty()) results.add(result_json(r, index, Finding{&e, e.object, why}));
            }
            if (r.evidence.empty()) results.add(result_json(r, index, Finding{nullptr, "", why}));
        }
        // Objects a per-object waiver removed from a check's evidence are accepted findings too.
        if (auto w = applied_waivers.find(r.check.id); w != applied_waivers.end())
            for (const rules::WaiverRecord* waiver : w->second)
                for (const auto& obj : waiver->waived_objects)
                    results.add(result_json(r, index, Finding{nullptr, obj, waiver->reason}));
    }
    results.close();
    out.append(skeleton, results_at + results_empty.size());
    out += '\n';
    return out;
}

}  // namespace triad::report
