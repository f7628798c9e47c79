// SPDX-License-Identifier: Apache-2.0
// The JSON reporter (schema triad.result/1, docs/result-schema.md) and the JSON form of
// each scan event. Keys keep their documented order.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "reporters/events.h"
#include "reporters/json_array_writer.h"
#include "reporters/reporter.h"
#include "reporters/result_reader.h"
#include "reporters/text_escape.h"

namespace triad::report {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using rules::CheckResult;
using rules::ScanResult;

Object::Ptr object() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

// JSON text is UTF-8 (RFC 8259) but file names are bytes: Poco copies invalid sequences
// through, and parsers (Poco's included) then reject the document. Outside strings the text is
// ASCII, so replacing them in the finished text equals replacing them in every string.
std::string stringify(const Object::Ptr& o, unsigned indent) {
    std::ostringstream out;
    o->stringify(out, indent);
    return valid_utf8(out.str());
}

// Scores are shown to one decimal everywhere; null when nothing decided weighs on them.
Poco::Dynamic::Var score(const std::optional<double>& s) {
    if (!s) return Poco::Dynamic::Var();
    return std::round(*s * 10.0) / 10.0;
}

Object::Ptr check_result_json(const CheckResult& r) {
    Object::Ptr o = object();
    o->set("id", r.check.id);
    o->set("title", r.check.title);
    o->set("policy", r.check.policy);
    o->set("verdict", std::string(to_string(r.verdict)));
    o->set("severity", std::string(to_string(r.check.severity)));
    Object::Ptr impact = object();
    impact->set("c", std::string(to_string(r.check.impact.c)));
    impact->set("i", std::string(to_string(r.check.impact.i)));
    impact->set("a", std::string(to_string(r.check.impact.a)));
    o->set("impact", impact);
    Array::Ptr tags = new Array;
    for (const auto& t : r.check.tags) tags->add(t);
    o->set("tags", tags);
    o->set("reason", r.reason);
    if (!r.expected.empty()) o->set("expected", r.expected);
    Array::Ptr evidence = new Array;
    for (const rules::Evidence& e : r.evidence) {
        Object::Ptr item = object();
        item->set("object", e.object);
        Object::Ptr observed = object();
        for (const auto& [field, value] : e.observed) observed->set(field, value);
        item->set("observed", observed);
        if (!e.objects.empty()) {  // grouped evidence: every object of the group
            Array::Ptr objects = new Array;
            for (const std::string& member : e.objects) objects->add(member);
            item->set("objects", objects);
        }
        evidence->add(item);
    }
    o->set("evidence", evidence);
    o->set("evidence_total", static_cast<Poco::UInt64>(r.evidence_total));
    o->set("rationale", r.check.rationale);
    o->set("remediation", r.check.remediation);
    return o;
}

Object::Ptr header_json(const ScanResult& r) {
    Object::Ptr o = object();
    o->set("schema", "triad.result/1");
    Object::Ptr tool = object();
    tool->set("name", "triad");
    tool->set("version", r.tool_version);
    o->set("tool", tool);
    Object::Ptr target = object();
    target->set("root", r.target.root);
    target->set("hostname", r.target.hostname);
    target->set("kernel", r.target.kernel);
    target->set("os", r.target.os);
    o->set("target", target);
    o->set("started_at", r.started_at);
    return o;
}

Array::Ptr policies_json(const ScanResult& r) {
    Array::Ptr a = new Array;
    for (const auto& p : r.policies) {
        Object::Ptr o = object();
        o->set("id", p.id);
        o->set("version", p.version);
        o->set("path", p.path);
        a->add(o);
    }
    return a;
}

Object::Ptr scores_json(const rules::Scores& s) {
    Object::Ptr o = object();
    o->set("confidentiality", score(s.confidentiality.score));
    o->set("integrity", score(s.integrity.score));
    o->set("availability", score(s.availability.score));
    o->set("overall", score(s.overall));
    o->set("weakest", s.weakest ? Poco::Dynamic::Var(std::string(to_string(*s.weakest))) : Poco::Dynamic::Var());
    auto coverage = [](const rules::Coverage& c) {
        Object::Ptr v = object();
        v->set("decided", static_cast<Poco::UInt64>(c.decided));
        v->set("selected", static_cast<Poco::UInt64>(c.selected));
        return v;
    };
    Object::Ptr cov = object();
    cov->set("confidentiality", coverage(s.confidentiality.coverage));
    cov->set("integrity", coverage(s.integrity.coverage));
    cov->set("availability", coverage(s.availability.coverage));
    cov->set("overall", coverage(s.coverage));
    o->set("coverage", cov);
    return o;
}

Object::Ptr counts_json(const rules::Counts& c) {
    Object::Ptr o = object();
    o->set("pass", static_cast<Poco::UInt64>(c.pass));
    o->set("fail", static_cast<Poco::UInt64>(c.fail));
    o->set("error", static_cast<Poco::UInt64>(c.error));
    o->set("not_applicable", static_cast<Poco::UInt64>(c.not_applicable));
    o->set("waived", static_cast<Poco::UInt64>(c.waived));
    return o;
}

// The asset requirements as levels; a weight no level names cannot come from parse_requirements.
Object::Ptr requirements_json(const rules::Requirements& r) {
    Object::Ptr o = object();
    o->set("c", requirement_level(r.c).value_or("medium"));
    o->set("i", requirement_level(r.i).value_or("medium"));
    o->set("a", requirement_level(r.a).value_or("medium"));
    return o;
}

Array::Ptr waivers_json(const std::vector<rules::WaiverRecord>& waivers) {
    Array::Ptr a = new Array;
    for (const rules::WaiverRecord& w : waivers) {
        Object::Ptr o = object();
        o->set("check", w.check);
        Array::Ptr objects = new Array;
        for (const auto& g : w.objects) objects->add(g);
        o->set("objects", objects);
        o->set("reason", w.reason);
        o->set("owner", w.owner);
        o->set("expires", w.expires);
        o->set("source", w.source);
        o->set("state", std::string(w.state == rules::WaiverState::active ? "active" : "expired"));
        o->set("applied", w.applied);
        Array::Ptr waived = new Array;
        for (const auto& obj : w.waived_objects) waived->add(obj);
        o->set("waived_objects", waived);
        a->add(o);
    }
    return a;
}

}  // namespace

std::string render_json(const ScanResult& result, const RenderOptions&) {
    Object::Ptr o = header_json(result);
    o->set("duration_ms", static_cast<Poco::UInt64>(result.duration_ms));
    o->set("policies", policies_json(result));
    o->set("scores", scores_json(result.scores));
    o->set("counts", counts_json(result.counts));
    o->set("results", Array::Ptr(new Array));  // printed entry by entry below
    // Extensions (docs/result-schema.md), written only when they differ from the default so a
    // plain scan's document is unchanged.
    if (!(result.requirements == rules::Requirements{})) o->set("requirements", requirements_json(result.requirements));
    if (!result.waivers.empty()) o->set("waivers", waivers_json(result.waivers));
    const std::string skeleton = stringify(o, 2);
    constexpr int kResultsLevel = 4;  // results[] of the top-level object
    const std::string empty = ArrayWriter::empty("results", kResultsLevel);
    const std::size_t at = skeleton.find(empty);
    if (at == std::string::npos) throw std::logic_error("JSON report: no room for the results");
    std::string out;
    out.append(skeleton, 0, at);
    ArrayWriter results(out, "results", kResultsLevel);
    for (const CheckResult& r : result.results) results.add(check_result_json(r), valid_utf8);
    results.close();
    out.append(skeleton, at + empty.size());
    out += '\n';
    return out;
}

std::string event_scan_started_json(const ScanResult& header, std::size_t check_count) {
    Object::Ptr o = object();
    o->set("event", "scan_started");
    Object::Ptr h = header_json(header);
    for (const auto& key : {"tool", "target", "started_at"}) o->set(key, h->get(key));
    o->set("policies", policies_json(header));
    o->set("checks", static_cast<Poco::UInt64>(check_count));
    return stringify(o, 0) + "\n";
}

std::string event_finding_json(const CheckResult& result) {
    Object::Ptr o = object();
    o->set("event", "finding");
    o->set("result", check_result_json(result));
    return stringify(o, 0) + "\n";
}

std::string event_scan_finished_json(const ScanResult& result) {
    Object::Ptr o = object();
    o->set("event", "scan_finished");
    o->set("started_at", result.started_at);
    o->set("duration_ms", static_cast<Poco::UInt64>(result.duration_ms));
    o->set("scores", scores_json(result.scores));
    o->set("counts", counts_json(result.counts));
    return stringify(o, 0) + "\n";
}

}  // namespace triad::report
