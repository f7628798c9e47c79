// SPDX-License-Identifier: Apache-2.0
// Parses a triad.result/1 document back into a ScanResult. Strict about what the writer
// always writes (so a truncated or foreign file is refused with the JSON path at fault),
// tolerant of keys it does not know (a newer writer may add some).
#include "reporters/result_reader.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cmath>
#include <limits>
#include <optional>

#include "reporters/text_escape.h"
#include "rules/score/scoring.h"
#include "base/file_read.h"

namespace triad::report {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

// Our documents nest five levels deep; a hostile one must not recurse the parser deeply.
constexpr std::size_t kMaxDepth = 32;

// Thrown inside this file only, caught in parse_result_json: the path where reading failed.
struct Bad {
    std::string message;
};

class Reader {
public:
    explicit Reader(std::string path) : path_(std::move(path)) {}

    Reader at(const std::string& key) const { return Reader(path_.empty() ? key : path_ + "." + key); }
    Reader at(std::size_t i) const { return Reader(path_ + "[" + std::to_string(i) + "]"); }

    [[noreturn]] void fail(const std::string& what) const { throw Bad{(path_.empty() ? "" : path_ + ": ") + what}; }

    Object::Ptr object(const Var& v) const {
        if (v.type() != typeid(Object::Ptr)) fail("must be an object");
        Object::Ptr o = v.extract<Object::Ptr>();
        if (o.isNull()) fail("must be an object");
        return o;
    }
    Array::Ptr array(const Var& v) const {
        if (v.type() != typeid(Array::Ptr)) fail("must be an array");
        Array::Ptr a = v.extract<Array::Ptr>();
        if (a.isNull()) fail("must be an array");
        return a;
    }
    std::string string(const Var& v) const {
        if (!v.isString()) fail("must be a string");
        return v.extract<std::string>();
    }
    std::uint64_t count(const Var& v) const {
        if (!v.isInteger()) fail("must be a non-negative integer");
        try {
            if (v.isSigned()) {
                Poco::Int64 n = v.convert<Poco::Int64>();
                if (n < 0) fail("must be a non-negative integer");
                return static_cast<std::uint64_t>(n);
            }
            return v.convert<Poco::UInt64>();
        } catch (const Poco::Exception&) {
            fail("must be a non-negative integer");
        }
    }
    std::optional<double> score(const Var& v) const {
        if (v.isEmpty()) return std::nullopt;
        if (!v.isNumeric()) fail("must be a number or null");
        double d = v.convert<double>();
        if (!std::isfinite(d) || d < 0 || d > 100) fail("must be between 0 and 100");
        return d;
    }
    template <class Enum>
    Enum enumeration(const Var& v, std::optional<Enum> (*parse)(std::string_view), const char* allowed) const {
        std::string s = string(v);
        auto e = parse(s);
        if (!e) fail("'" + s + "' is not one of " + allowed);
        return *e;
    }

private:
    std::string path_;
};

Error not_a_result(const std::string& name, const std::string& what) {
    return Error{ErrorCode::invalid_input, "not a triad.result/1 document: " + what, name};
}

// The value of a key the writer always writes.
Var required(const Object::Ptr& o, const Reader& where, const std::string& key) {
    if (!o->has(key)) where.fail("missing '" + key + "'");
    return o->get(key);
}

std::optional<rules::Pillar> parse_pillar(std::string_view s) {
    for (auto p : {rules::Pillar::confidentiality, rules::Pillar::integrity, rules::Pillar::availability})
        if (s == to_string(p)) return p;
    return std::nullopt;
}

std::optional<rules::WaiverState> parse_waiver_state(std::string_view s) {
    if (s == "active") return rules::WaiverState::active;
    if (s == "expired") return rules::WaiverState::expired;
    return std::nullopt;
}

std::optional<double> parse_requirement(std::string_view s) {
    if (s == "high") return 1.5;
    if (s == "medium") return 1.0;
    if (s == "low") return 0.5;
    return std::nullopt;
}

std::vector<std::string> strings(const Reader& r, const Var& v) {
    std::vector<std::string> out;
    Array::Ptr a = r.array(v);
    for (std::size_t i = 0; i < a->size(); ++i) out.push_back(r.at(i).string(a->get(i)));
    return out;
}

rules::CheckResult read_check(const Reader& r, const Object::Ptr& o) {
    rules::CheckResult c;
    auto str = [&](const char* key) { return r.at(key).string(required(o, r, key)); };
    c.check.id = str("id");
    c.check.title = str("title");
    c.check.policy = str("policy");
    c.verdict = r.at("verdict").enumeration<rules::Verdict>(required(o, r, "verdict"), rules::parse_verdict,
                                                             "pass, fail, error, not_applicable, waived");
    c.check.severity = r.at("severity").enumeration<rules::Severity>(required(o, r, "severity"), rules::parse_severity,
                                                                      "info, low, medium, high, critical");
    Reader ri = r.at("impact");
    Object::Ptr impact = ri.object(required(o, r, "impact"));
    for (auto [key, slot] : {std::pair{"c", &c.check.impact.c}, std::pair{"i", &c.check.impact.i},
                             std::pair{"a", &c.check.impact.a}})
        *slot = ri.at(key).enumeration<rules::Impact>(required(impact, ri, key), rules::parse_impact, "none, low, high");
    c.check.tags = strings(r.at("tags"), required(o, r, "tags"));
    c.reason = str("reason");
    if (o->has("expected")) c.expected = str("expected");  // absent in results written before 0.1
    Reader re = r.at("evidence");
    Array::Ptr evidence = re.array(required(o, r, "evidence"));
    for (std::size_t i = 0; i < evidence->size(); ++i) {
        Reader rei = re.at(i);
        Object::Ptr item = rei.object(evidence->get(i));
        rules::Evidence e;
        e.object = rei.at("object").string(required(item, rei, "object"));
        Reader rob = rei.at("observed");
        Object::Ptr observed = rob.object(required(item, rei, "observed"));
        // getNames() keeps the written order because the parser preserves it (see below).
        for (const std::string& field : observed->getNames())
            e.observed.emplace_back(field, rob.at(field).string(observed->get(field)));
        if (item->has("objects")) e.objects = strings(rei.at("objects"), item->get("objects"));  // grouped evidence
        c.evidence.push_back(std::move(e));
    }
    c.evidence_total = r.at("evidence_total").count(required(o, r, "evidence_total"));
    if (c.evidence_total < c.evidence.size()) r.at("evidence_total").fail("is smaller than the evidence listed");
    c.check.rationale = str("rationale");
    c.check.remediation = str("remediation");
    return c;
}

rules::WaiverRecord read_waiver(const Reader& r, const Object::Ptr& o) {
    rules::WaiverRecord w;
    auto str = [&](const char* key) { return r.at(key).string(required(o, r, key)); };
    w.check = str("check");
    w.objects = strings(r.at("objects"), required(o, r, "objects"));
    w.reason = str("reason");
    w.owner = str("owner");
    w.expires = str("expires");
    w.source = str("source");
    w.state = r.at("state").enumeration<rules::WaiverState>(required(o, r, "state"), parse_waiver_state,
                                                              "active, expired");
    Var applied = required(o, r, "applied");
    if (!applied.isBoolean()) r.at("applied").fail("must be true or false");
    w.applied = applied.extract<bool>();
    w.waived_objects = strings(r.at("waived_objects"), required(o, r, "waived_objects"));
    return w;
}

// The check results as the parser meets them. A result file holds up to hundreds of thousands
// of them: kept as one JSON tree they took 1.5 GiB for 64 MiB of text, so each element of the
// top-level "results" array is read into a CheckResult as soon as the parser closes it, and
// its JSON dropped. What goes wrong is kept, with its JSON path, and told in document order
// by read_document, as if the whole tree had been read first.
class ResultsHandler final : public Poco::JSON::ParseHandler {
public:
    ResultsHandler() : ParseHandler(/*preserveObjectOrder=*/true) {}

    std::vector<rules::CheckResult> results;
    std::optional<Bad> failure;  // the first element that is not a valid check result

    void startObject() override {
        ParseHandler::startObject();
        ++depth_;
    }
    void endObject() override {
        ParseHandler::endObject();
        if (--depth_ == 2 && in_results_) take_last();
    }
    void startArray() override {
        element_other();
        const bool opens_results = depth_ == 1 && top_key_ == "results";
        ParseHandler::startArray();
        ++depth_;
        if (opens_results) {
            in_results_ = true;
            results.clear();  // a key written twice: the last one counts, as in the tree
            failure.reset();
            next_ = 0;
        }
    }
    void endArray() override {
        ParseHandler::endArray();
        if (--depth_ == 1) in_results_ = false;
    }
    void key(const std::string& k) override {
        if (depth_ == 1) top_key_ = k;
        ParseHandler::key(k);
    }
    void value(int v) override { element_other(), ParseHandler::value(v); }
    void value(unsigned v) override { element_other(), ParseHandler::value(v); }
    void value(Poco::Int64 v) override { element_other(), ParseHandler::value(v); }
    void value(Poco::UInt64 v) override { element_other(), ParseHandler::value(v); }
    void value(const std::string& v) override { element_other(), ParseHandler::value(v); }
    void value(double v) override { element_other(), ParseHandler::value(v); }
    void value(bool v) override { element_other(), ParseHandler::value(v); }
    void null() override { element_other(), ParseHandler::null(); }

private:
    const Reader at_results_ = Reader("").at("results");

    // An element of "results" that is not an object: the tree reader would refuse it there.
    void element_other() {
        if (depth_ != 2 || !in_results_) return;
        if (!failure) failure = Bad{"results[" + std::to_string(next_) + "]: must be an object"};
        ++next_;
    }

    // The element just closed is the last of the results array: read it, then drop it.
    void take_last() {
        const std::size_t index = next_++;
        Array::Ptr list = asVar().extract<Object::Ptr>()->getArray("results");
        if (list.isNull() || list->size() == 0) return;
        if (!failure) {
            try {
                const Reader r = at_results_.at(index);
                results.push_back(read_check(r, r.object(list->get(list->size() - 1))));
            } catch (const Bad& bad) {
                failure = bad;
                results.clear();
            }
        }
        list->remove(static_cast<unsigned>(list->size() - 1));
    }

    int depth_ = 0;
    bool in_results_ = false;
    std::string top_key_;
    std::size_t next_ = 0;
};

rules::ScanResult read_document(const Object::Ptr& doc, ResultsHandler& streamed) {
    const Reader top("");
    rules::ScanResult result;
    Var schema = required(doc, top, "schema");
    if (!schema.isString() || schema.extract<std::string>() != "triad.result/1")
        top.at("schema").fail("must be \"triad.result/1\"");

    Reader rt = top.at("tool");
    Object::Ptr tool = rt.object(required(doc, top, "tool"));
    result.tool_version = rt.at("version").string(required(tool, rt, "version"));

    Reader rg = top.at("target");
    Object::Ptr target = rg.object(required(doc, top, "target"));
    result.target.root = rg.at("root").string(required(target, rg, "root"));
    result.target.hostname = rg.at("hostname").string(required(target, rg, "hostname"));
    result.target.kernel = rg.at("kernel").string(required(target, rg, "kernel"));
    result.target.os = rg.at("os").string(required(target, rg, "os"));
    result.started_at = top.at("started_at").string(required(doc, top, "started_at"));
    result.duration_ms = top.at("duration_ms").count(required(doc, top, "duration_ms"));

    Reader rp = top.at("policies");
    Array::Ptr policies = rp.array(required(doc, top, "policies"));
    for (std::size_t i = 0; i < policies->size(); ++i) {
        Reader r = rp.at(i);
        Object::Ptr p = r.object(policies->get(i));
        result.policies.push_back({r.at("id").string(required(p, r, "id")), r.at("version").string(required(p, r, "version")),
                                   r.at("path").string(required(p, r, "path"))});
    }

    Reader rs = top.at("scores");
    Object::Ptr scores = rs.object(required(doc, top, "scores"));
    result.scores.confidentiality.score = rs.at("confidentiality").score(required(scores, rs, "confidentiality"));
    result.scores.integrity.score = rs.at("integrity").score(required(scores, rs, "integrity"));
    result.scores.availability.score = rs.at("availability").score(required(scores, rs, "availability"));
    result.scores.overall = rs.at("overall").score(required(scores, rs, "overall"));
    Var weakest = required(scores, rs, "weakest");
    if (!weakest.isEmpty())
        result.scores.weakest = rs.at("weakest").enumeration<rules::Pillar>(weakest, parse_pillar,
                                                                            "confidentiality, integrity, availability");

    Reader rc = top.at("counts");
    Object::Ptr counts = rc.object(required(doc, top, "counts"));
    for (auto [key, slot] : {std::pair{"pass", &result.counts.pass}, std::pair{"fail", &result.counts.fail},
                             std::pair{"error", &result.counts.error},
                             std::pair{"not_applicable", &result.counts.not_applicable},
                             std::pair{"waived", &result.counts.waived}})
        *slot = rc.at(key).count(required(counts, rc, key));

    Reader rr = top.at("results");
    Array::Ptr results = rr.array(required(doc, top, "results"));
    if (streamed.failure) throw *streamed.failure;
    result.results = std::move(streamed.results);
    for (std::size_t i = 0; i < results->size(); ++i) {  // none: the handler read them all
        const Reader r = rr.at(result.results.size());
        result.results.push_back(read_check(r, r.object(results->get(i))));
    }
    // Coverage is a function of the verdicts: recomputed rather than trusted, so that a result
    // written before scores carried it shows the same coverage as a fresh one.
    rules::compute_coverage(result.results, result.scores);

    // Extensions (docs/result-schema.md): written only when they differ from the default.
    if (doc->has("requirements")) {
        Reader rq = top.at("requirements");
        Object::Ptr req = rq.object(doc->get("requirements"));
        for (auto [key, slot] : {std::pair{"c", &result.requirements.c}, std::pair{"i", &result.requirements.i},
                                 std::pair{"a", &result.requirements.a}}) {
            auto level = parse_requirement(rq.at(key).string(required(req, rq, key)));
            if (!level) rq.at(key).fail("must be high, medium or low");
            *slot = *level;
        }
    }
    if (doc->has("waivers")) {
        Reader rw = top.at("waivers");
        Array::Ptr waivers = rw.array(doc->get("waivers"));
        for (std::size_t i = 0; i < waivers->size(); ++i)
            result.waivers.push_back(read_waiver(rw.at(i), rw.at(i).object(waivers->get(i))));
    }
    return result;
}

}  // namespace

std::optional<std::string> requirement_level(double weight) {
    if (weight == 1.5) return "high";
    if (weight == 1.0) return "medium";
    if (weight == 0.5) return "low";
    return std::nullopt;
}

Result<rules::ScanResult> parse_result_json(std::string_view text, const std::string& name) {
    if (text.size() > kMaxResultBytes)
        return not_a_result(name, "larger than " + std::to_string(kMaxResultBytes / (1024 * 1024)) + " MiB");
    try {
        Poco::JSON::Parser parser;
        parser.setDepth(kMaxDepth);
        // Keep the key order of `observed` maps: evidence fields are shown in the order written.
        Poco::SharedPtr<ResultsHandler> handler = new ResultsHandler;
        parser.setHandler(handler);
        // Documents written before the writer replaced invalid UTF-8 may hold raw bytes, which
        // the parser refuses as an unterminated string; read them as the writer now writes them.
        Var root = parser.parse(valid_utf8(text));
        if (root.type() != typeid(Object::Ptr)) return not_a_result(name, "the top level is not a JSON object");
        return read_document(root.extract<Object::Ptr>(), *handler);
    } catch (const Bad& bad) {
        return not_a_result(name, bad.message);
    } catch (const Poco::Exception& e) {
        return not_a_result(name, "invalid JSON: " + e.displayText());
    } catch (const std::exception& e) {
        return not_a_result(name, std::string("invalid JSON: ") + e.what());
    }
}

Result<rules::CheckResult> parse_check_result_json(std::string_view text, const std::string& name) {
    if (text.size() > kMaxResultBytes) return not_a_result(name, "larger than the result limit");
    try {
        Poco::JSON::Parser parser;
        parser.setDepth(kMaxDepth);
        parser.setHandler(new Poco::JSON::ParseHandler(/*preserveObjectOrder=*/true));
        Var root = parser.parse(valid_utf8(text));
        Reader r("result");
        return read_check(r, r.object(root));
    } catch (const Bad& bad) {
        return not_a_result(name, bad.message);
    } catch (const Poco::Exception& e) {
        return not_a_result(name, "invalid JSON: " + e.displayText());
    } catch (const std::exception& e) {
        return not_a_result(name, std::string("invalid JSON: ") + e.what());
    }
}

Result<rules::ScanResult> read_result_file(const std::string& path) {
    // One byte over the limit is read so that "too large" is told apart from an I/O error.
    auto text = read_regular_file(path, kMaxResultBytes + 1);
    if (!text && text.error().message.starts_with("larger than"))
        return not_a_result(path, "larger than " + std::to_string(kMaxResultBytes / (1024 * 1024)) + " MiB");
    if (!text) return text.error();
    return parse_result_json(*text, path);
}

}  // namespace triad::report
