// SPDX-License-Identifier: Apache-2.0
// `triad diff` output in three forms. All three list the same things in the same order:
// score changes, new failures, resolved checks, changed evidence, other verdict changes.
#include "reporters/diff_render.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "reporters/text_escape.h"

namespace triad::report {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using rules::CheckChange;
using rules::CheckResult;

struct ScoreRow {
    const char* name;
    const rules::ScoreChange& change;
};

std::vector<ScoreRow> score_rows(const rules::ResultDiff& d) {
    return {{"confidentiality", d.confidentiality},
            {"integrity", d.integrity},
            {"availability", d.availability},
            {"overall", d.overall}};
}

std::string signed_change(const std::optional<double>& delta) {
    if (!delta) return "n/a";
    char buf[32];
    const double v = std::round(*delta * 10) / 10;
    std::snprintf(buf, sizeof buf, "%+.1f", v == 0 ? 0.0 : v);  // never "-0.0"
    return buf;
}

std::string verdict_name(const CheckResult* r, const char* absent) {
    return r ? std::string(to_string(r->verdict)) : absent;
}

const CheckResult& either(const CheckChange& c) { return c.after ? *c.after : *c.before; }

std::string observed_text(const CheckResult& r, const std::string& object) {
    for (const rules::Evidence& e : r.evidence)
        if (e.object == object) {
            std::string out;
            for (const auto& [field, value] : e.observed) out += (out.empty() ? "" : ", ") + field + "=" + value;
            return out;
        }
    return "";
}

std::string header_line(const rules::ScanResult& r) {
    return r.started_at + " (" + (r.target.hostname.empty() ? r.target.root : r.target.hostname) + ")";
}

}  // namespace

std::string render_diff_console(const DiffInput& in) {
    const rules::ResultDiff& d = in.diff;
    auto t = [](std::string_view s) { return terminal_safe(s); };
    std::string out = "triad diff: " + t(header_line(in.before)) + " -> " + t(header_line(in.after)) + "\n\nscores\n";
    for (const ScoreRow& s : score_rows(d)) {
        char line[128];
        std::snprintf(line, sizeof line, "  %-16s %6s -> %6s  %s\n", s.name, format_score(s.change.before).c_str(),
                      format_score(s.change.after).c_str(), signed_change(s.change.delta()).c_str());
        out += line;
    }
    if (!d.new_failures.empty()) {
        out += "\nnew failures (" + std::to_string(d.new_failures.size()) + ")\n";
        for (const CheckChange& c : d.new_failures) {
            out += "  " + std::string(to_string(c.after->check.severity)) + "  " + t(c.id) + "  " + t(c.after->check.title) +
                   "  (was " + verdict_name(c.before, "absent") + ")\n";
            for (const rules::Evidence& e : c.after->evidence) out += "      - " + t(e.object) + "\n";
            if (c.after->evidence_total > c.after->evidence.size())
                out += "      ... and " + std::to_string(c.after->evidence_total - c.after->evidence.size()) + " more\n";
        }
    }
    if (!d.resolved.empty()) {
        out += "\nresolved (" + std::to_string(d.resolved.size()) + ")\n";
        for (const CheckChange& c : d.resolved)
            out += "  " + t(c.id) + "  " + t(c.after->check.title) + "  (now " + verdict_name(c.after, "absent") + ")\n";
    }
    if (!d.changed_evidence.empty()) {
        out += "\nchanged evidence (" + std::to_string(d.changed_evidence.size()) + ")\n";
        for (const CheckChange& c : d.changed_evidence) {
            out += "  " + t(c.id) + "  " + t(c.after->check.title) + "  (failing objects " +
                   std::to_string(c.before->evidence_total) + " -> " + std::to_string(c.after->evidence_total) + ")\n";
            for (const auto& o : c.added) out += "      + " + t(o) + "\n";
            for (const auto& o : c.removed) out += "      - " + t(o) + "\n";
            for (const auto& o : c.changed)
                out += "      ~ " + t(o) + ": " + t(observed_text(*c.before, o)) + " -> " + t(observed_text(*c.after, o)) + "\n";
        }
    }
    if (!d.other_changes.empty()) {
        out += "\nother changes (" + std::to_string(d.other_changes.size()) + ")\n";
        for (const CheckChange& c : d.other_changes)
            out += "  " + t(c.id) + "  " + verdict_name(c.before, "absent") + " -> " + verdict_name(c.after, "absent") + "\n";
    }
    out += "\n" + std::to_string(d.new_failures.size()) + " new failures, " + std::to_string(d.resolved.size()) +
           " resolved, " + std::to_string(d.changed_evidence.size()) + " with changed evidence, " +
           std::to_string(d.other_changes.size()) + " other changes\n";
    return out;
}

namespace {

Object::Ptr object() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Poco::Dynamic::Var number(const std::optional<double>& v) {
    if (!v) return Poco::Dynamic::Var();
    return std::round(*v * 10) / 10;
}

Object::Ptr scan_json(const rules::ScanResult& r) {
    Object::Ptr o = object();
    o->set("started_at", r.started_at);
    o->set("root", r.target.root);
    o->set("hostname", r.target.hostname);
    o->set("tool_version", r.tool_version);
    return o;
}

Array::Ptr string_array(const std::vector<std::string>& items) {
    Array::Ptr a = new Array;
    for (const auto& s : items) a->add(s);
    return a;
}

Object::Ptr change_json(const CheckChange& c) {
    const CheckResult& r = either(c);
    Object::Ptr o = object();
    o->set("id", c.id);
    o->set("title", r.check.title);
    o->set("severity", std::string(to_string(r.check.severity)));
    o->set("before", c.before ? Poco::Dynamic::Var(std::string(to_string(c.before->verdict))) : Poco::Dynamic::Var());
    o->set("after", c.after ? Poco::Dynamic::Var(std::string(to_string(c.after->verdict))) : Poco::Dynamic::Var());
    return o;
}

}  // namespace

std::string render_diff_json(const DiffInput& in) {
    const rules::ResultDiff& d = in.diff;
    Object::Ptr doc = object();
    doc->set("schema", std::string("triad.diff/1"));
    doc->set("before", scan_json(in.before));
    doc->set("after", scan_json(in.after));
    Object::Ptr scores = object();
    for (const ScoreRow& s : score_rows(d)) {
        Object::Ptr o = object();
        o->set("before", number(s.change.before));
        o->set("after", number(s.change.after));
        o->set("change", number(s.change.delta()));
        scores->set(s.name, o);
    }
    doc->set("scores", scores);
    Array::Ptr news = new Array;
    for (const CheckChange& c : d.new_failures) {
        Object::Ptr o = change_json(c);
        std::vector<std::string> objects;
        for (const rules::Evidence& e : c.after->evidence) objects.push_back(e.object);
        o->set("objects", string_array(objects));
        o->set("evidence_total", static_cast<Poco::UInt64>(c.after->evidence_total));
        news->add(o);
    }
    doc->set("new_failures", news);
    Array::Ptr resolved = new Array;
    for (const CheckChange& c : d.resolved) resolved->add(change_json(c));
    doc->set("resolved", resolved);
    Array::Ptr changed = new Array;
    for (const CheckChange& c : d.changed_evidence) {
        Object::Ptr o = change_json(c);
        o->set("added", string_array(c.added));
        o->set("removed", string_array(c.removed));
        o->set("changed", string_array(c.changed));
        o->set("evidence_total_before", static_cast<Poco::UInt64>(c.before->evidence_total));
        o->set("evidence_total_after", static_cast<Poco::UInt64>(c.after->evidence_total));
        o->set("regression", d.is_regression(c));
        changed->add(o);
    }
    doc->set("changed_evidence", changed);
    Array::Ptr other = new Array;
    for (const CheckChange& c : d.other_changes) other->add(change_json(c));
    doc->set("other_changes", other);
    std::ostringstream out;
    doc->stringify(out, 2);
    return out.str() + "\n";
}

std::string render_diff_markdown(const DiffInput& in) {
    const rules::ResultDiff& d = in.diff;
    auto md = [](std::string_view s) { return markdown_escape(s); };
    std::string out = "## triad diff: " + md(header_line(in.before)) + " → " + md(header_line(in.after)) + "\n\n";
    out += "| Score | Before | After | Change |\n| --- | ---: | ---: | ---: |\n";
    for (const ScoreRow& s : score_rows(d))
        out += "| " + std::string(s.name) + " | " + format_score(s.change.before) + " | " + format_score(s.change.after) +
               " | " + signed_change(s.change.delta()) + " |\n";
    out += "\n**" + std::to_string(d.new_failures.size()) + " new failures**, " + std::to_string(d.resolved.size()) +
           " resolved, " + std::to_string(d.changed_evidence.size()) + " with changed evidence, " +
           std::to_string(d.other_changes.size()) + " other changes.\n";
    if (!d.new_failures.empty()) {
        out += "\n### New failures\n\n";
        for (const CheckChange& c : d.new_failures) {
            out += "- **" + md(c.id) + "** (" + std::string(to_string(c.after->check.severity)) + "): " +
                   md(c.after->check.title) + "\n";
            for (const rules::Evidence& e : c.after->evidence) out += "  - " + md(e.object) + "\n";
            if (c.after->evidence_total > c.after->evidence.size())
                out += "  - … and " + std::to_string(c.after->evidence_total - c.after->evidence.size()) + " more\n";
        }
    }
    if (!d.resolved.empty()) {
        out += "\n### Resolved\n\n";
        for (const CheckChange& c : d.resolved)
            out += "- " + md(c.id) + ": " + md(c.after->check.title) + " (now " + verdict_name(c.after, "absent") + ")\n";
    }
    if (!d.changed_evidence.empty()) {
        out += "\n### Changed evidence\n\n";
        for (const CheckChange& c : d.changed_evidence) {
            out += "- " + md(c.id) + ": failing objects " + std::to_string(c.before->evidence_total) + " → " +
                   std::to_string(c.after->evidence_total) + "\n";
            for (const auto& o : c.added) out += "  - added " + md(o) + "\n";
            for (const auto& o : c.removed) out += "  - removed " + md(o) + "\n";
            for (const auto& o : c.changed) out += "  - changed " + md(o) + "\n";
        }
    }
    if (!d.other_changes.empty()) {
        out += "\n### Other changes\n\n";
        for (const CheckChange& c : d.other_changes)
            out += "- " + md(c.id) + ": " + verdict_name(c.before, "absent") + " → " + verdict_name(c.after, "absent") + "\n";
    }
    return out;
}

}  // namespace triad::report
