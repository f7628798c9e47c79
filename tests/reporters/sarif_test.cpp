// SPDX-License-Identifier: Apache-2.0
// SARIF output checked for the structure SARIF 2.1.0 requires and code-scanning services
// read: version and $schema, runs, tool.driver.rules, results with ruleId, ruleIndex, level
// and message, locations relative to a declared base, suppressions for waived findings.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <doctest/doctest.h>

#include <set>

#include "reporters/reporter.h"
#include "tests/reporters/golden_support.h"

using namespace triad;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

Object::Ptr parse(const std::string& text) {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v;
    REQUIRE_NOTHROW(v = parser.parse(text));
    return v.extract<Object::Ptr>();
}

Object::Ptr obj(const Object::Ptr& o, const std::string& key) {
    Object::Ptr child = o->getObject(key);
    REQUIRE_MESSAGE(!child.isNull(), "missing object '" << key << "'");
    return child;
}

Array::Ptr arr(const Object::Ptr& o, const std::string& key) {
    Array::Ptr child = o->getArray(key);
    REQUIRE_MESSAGE(!child.isNull(), "missing array '" << key << "'");
    return child;
}

std::string str(const Object::Ptr& o, const std::string& key) {
    REQUIRE_MESSAGE(o->has(key), "missing '" << key << "'");
    REQUIRE(o->get(key).isString());
    return o->getValue<std::string>(key);
}

// Checks one SARIF log against the 2.1.0 rules the services enforce; returns the run.
Object::Ptr check_structure(const Object::Ptr& log) {
    CHECK(str(log, "version") == "2.1.0");
    CHECK(str(log, "$schema").find("sarif-2.1.0") != std::string::npos);
    Array::Ptr runs = arr(log, "runs");
    REQUIRE(runs->size() == 1);
    Object::Ptr run = runs->getObject(0);
    Object::Ptr driver = obj(obj(run, "tool"), "driver");
    CHECK(str(driver, "name") == "triad");
    Array::Ptr rules = arr(driver, "rules");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < rules->size(); ++i) {
        Object::Ptr rule = rules->getObject(i);
        CHECK(ids.insert(str(rule, "id")).second);  // rule ids are unique
        CHECK_FALSE(str(obj(rule, "shortDescription"), "text").empty());
        CHECK_FALSE(str(obj(rule, "help"), "text").empty());
        Object::Ptr props = obj(rule, "properties");
        CHECK(arr(props, "tags")->size() >= 1);
        Object::Ptr cia = obj(props, "cia");
        for (const char* p : {"confidentiality", "integrity", "availability"})
            CHECK(std::set<std::string>{"none", "low", "high"}.count(str(cia, p)) == 1);
    }
    Object::Ptr bases = run->getObject("originalUriBaseIds");
    Array::Ptr results = arr(run, "results");
    for (std::size_t i = 0; i < results->size(); ++i) {
        Object::Ptr r = results->getObject(i);
        const std::string rule_id = str(r, "ruleId");
        CHECK(ids.count(rule_id) == 1);
        const auto index = r->getValue<std::size_t>("ruleIndex");
        REQUIRE(index < rules->size());
        CHECK(str(rules->getObject(static_cast<unsigned>(index)), "id") == rule_id);
        CHECK(std::set<std::string>{"none", "note", "warning", "error"}.count(str(r, "level")) == 1);
        CHECK_FALSE(str(obj(r, "message"), "text").empty());
        if (Array::Ptr locs = r->getArray("locations"); !locs.isNull()) {
            for (std::size_t l = 0; l < locs->size(); ++l) {
                Object::Ptr loc = locs->getObject(l);
                if (Object::Ptr phys = loc->getObject("physicalLocation"); !phys.isNull()) {
                    Object::Ptr artifact = obj(phys, "artifactLocation");
                    const std::string uri = str(artifact, "uri");
                    CHECK(uri.find_first_of(" <>\"#?") == std::string::npos);  // a valid URI reference
                    REQUIRE_FALSE(bases.isNull());
                    CHECK(bases->has(str(artifact, "uriBaseId")));
                }
            }
        }
    }
    return run;
}

}  // namespace

TEST_CASE("sarif: the golden result has the SARIF 2.1.0 structure") {
    const rules::ScanResult result = test::golden_result();
    Object::Ptr run = check_structure(parse(report::render_sarif(result, {})));
    CHECK(arr(obj(obj(run, "tool"), "driver"), "rules")->size() == result.results.size());

    Array::Ptr results = arr(run, "results");
    std::size_t suppressed = 0, shadow = 0;
    for (std::size_t i = 0; i < results->size(); ++i) {
        Object::Ptr r = results->getObject(i);
        if (!r->getArray("suppressions").isNull()) ++suppressed;
        if (str(r, "ruleId") == "DAC-SHADOW-MODE") {
            ++shadow;
            CHECK(str(r, "level") == "error");  // high
            Object::Ptr artifact =
                obj(obj(r->getArray("locations")->getObject(0), "physicalLocation"), "artifactLocation");
            CHECK(str(artifact, "uri") == "etc/shadow");
            CHECK(str(artifact, "uriBaseId") == "ROOT");
        }
    }
    CHECK(shadow == 1);
    // TMP-NOEXEC (waived, one object) and the per-object waiver of SUDO-NOPASSWD.
    CHECK(suppressed == 2);
    // 3 world-writable + shadow + ssh + sudo + banner failures, and the 2 suppressed.
    CHECK(results->size() == 9);
    CHECK(str(obj(run, "originalUriBaseIds")->getObject("ROOT"), "uri") == "file:///srv/images/web-01/");
    // The check in error is a notification, not a finding.
    Array::Ptr notes = arr(arr(run, "invocations")->getObject(0), "toolExecutionNotifications");
    REQUIRE(notes->size() == 1);
    CHECK(str(obj(notes->getObject(0), "associatedRule"), "id") == "AUDITD-RUNNING");
}

TEST_CASE("sarif: invalid UTF-8 and odd file names still make valid JSON and URIs") {
    rules::ScanResult result;
    result.tool_version = "0.1.0";
    result.target.root = "/mnt/my image";
    rules::CheckResult c;
    c.check.id = "X";
    c.check.title = "t";
    c.verdict = rules::Verdict::fail;
    c.evidence = {{"/srv/a b#c?d%e\xff\"<x>", {{"v", "\xc3\x28"}}}};
    c.evidence_total = 1;
    result.results.push_back(c);
    Object::Ptr run = check_structure(parse(report::render_sarif(result, {})));
    Object::Ptr artifact = obj(obj(arr(run, "results")->getObject(0)->getArray("locations")->getObject(0),
                                   "physicalLocation"),
                               "artifactLocation");
    CHECK(str(artifact, "uri") == "srv/a%20b%23c%3Fd%25e%FF%22%3Cx%3E");
    CHECK(str(obj(run, "originalUriBaseIds")->getObject("ROOT"), "uri") == "file:///mnt/my%20image/");
}
