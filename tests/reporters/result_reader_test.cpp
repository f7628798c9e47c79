// SPDX-License-Identifier: Apache-2.0
// Reading triad.result/1 back: byte-identical round trips, and clear refusals of documents
// that are not ours, naming the file and the JSON path at fault.
#include "reporters/result_reader.h"

#include <doctest/doctest.h>

#include <cmath>

#include "reporters/reporter.h"
#include "rules/score/scoring.h"
#include "tests/reporters/golden_support.h"
#include "tests/test_support.h"

using namespace triad;
using triad::test::golden_path;

namespace {

std::string error_of(std::string_view text) {
    auto r = report::parse_result_json(text, "in.json");
    REQUIRE_FALSE(r.has_value());
    return r.error().describe();
}

// The golden document with one textual replacement, which must occur exactly once.
std::string golden_with(const std::string& from, const std::string& to) {
    std::string text = test::read_file(golden_path("result.json"));
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(text.find(from, at + 1) == std::string::npos);
    return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("result reader: a result written before scores carried coverage gets it from its verdicts") {
    const std::string text = test::read_file(golden_path("result.json"));
    auto current = report::parse_result_json(text, "result.json");
    REQUIRE(current.has_value());
    // The same document without "coverage", as triad 0.1 wrote it.
    const auto at = text.find(",\n    \"coverage\"");
    REQUIRE(at != std::string::npos);
    const auto end = text.find("\n    }", text.find("\"overall\": {", at));
    REQUIRE(end != std::string::npos);
    const std::string old = text.substr(0, at) + text.substr(end + 6);
    auto parsed = report::parse_result_json(old, "old.json");
    REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().describe()));
    CHECK(parsed->scores.coverage == current->scores.coverage);
    CHECK(parsed->scores.integrity.coverage == current->scores.integrity.coverage);
    // One result is an error that bears on integrity: it is counted, not decided.
    CHECK(parsed->scores.integrity.coverage.decided + 1 == parsed->scores.integrity.coverage.selected);
}

TEST_CASE("result reader: render_json -> parse -> render_json is byte-identical") {
    for (const char* name : {"result.json", "result-new.json"}) {
        CAPTURE(name);
        const std::string text = test::read_file(golden_path(name));
        auto parsed = report::parse_result_json(text, name);
        REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().describe()));
        CHECK(report::render_json(*parsed, {}) == text);
    }
}

TEST_CASE("result reader: a scan's own JSON round-trips, hostile file names included") {
    test::TempDir dir;
    test::write_file(dir / "root/srv/<script>alert(\"x\")<", "z", 0666);
    test::write_file(dir / "root/srv/it's \"q\", \\back\\ \ttab", "z", 0666);
    test::write_file(dir / "root/srv/bad-utf8-\xff\xfe", "z", 0666);
    test::write_file(dir / "p.yml", R"(policy: { id: p, title: P, version: "1" }
checks:
  - id: WW
    title: no world-writable files
    severity: medium
    impact: { c: low, i: high, a: low }
    select: { collector: files, paths: [/srv], where: { type: file, world_writable: true } }
    expect: none
)");
    auto scan = test::run_triad({"scan", "--policy", dir / "p.yml", "--root", dir / "root", "--format", "json",
                                 "--requirements", "c=high,i=low,a=medium", "--output", dir / "r.json"});
    REQUIRE_MESSAGE(scan.exit_code == 1, scan.err);
    const std::string text = test::read_file(dir / "r.json");
    auto parsed = report::parse_result_json(text, "r.json");
    REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().describe()));
    REQUIRE(parsed->results.size() == 1);
    REQUIRE(parsed->results[0].evidence.size() == 3);
    // JSON holds UTF-8 only: invalid bytes in a file name arrive as U+FFFD, never as a broken document.
    CHECK(parsed->results[0].evidence[1].object == "/srv/bad-utf8-\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(parsed->requirements.c == 1.5);
    CHECK(parsed->requirements.i == 0.5);
    CHECK(report::render_json(*parsed, {}) == text);
}

TEST_CASE("result reader: the stored scores agree with compute_scores on the golden input") {
    // Guards the hand-made golden inputs: their scores must be what triad would compute.
    for (const char* name : {"result.json", "result-new.json"}) {
        CAPTURE(name);
        const rules::ScanResult r = test::golden_result(name);
        const rules::Scores s = rules::compute_scores(r.results, r.requirements);
        // Stored scores are rounded to one decimal.
        for (auto p : {rules::Pillar::confidentiality, rules::Pillar::integrity, rules::Pillar::availability})
            CHECK(std::abs(*r.scores.of(p).score - *s.of(p).score) <= 0.05);
        CHECK(std::abs(*r.scores.overall - *s.overall) <= 0.05);
        CHECK(r.scores.weakest == s.weakest);
        const rules::Counts c = rules::count_verdicts(r.results);
        CHECK(c.fail == r.counts.fail);
        CHECK(c.pass == r.counts.pass);
    }
}

TEST_CASE("result reader: refusals name the file and the JSON path") {
    SUBCASE("not JSON") {
        CHECK(error_of("hello").starts_with("in.json: not a triad.result/1 document: invalid JSON"));
    }
    SUBCASE("not an object") { CHECK(error_of("[1, 2]") == "in.json: not a triad.result/1 document: the top level is not a JSON object"); }
    SUBCASE("another schema") {
        CHECK(error_of(R"({"schema": "sarif"})") ==
              "in.json: not a triad.result/1 document: schema: must be \"triad.result/1\"");
    }
    SUBCASE("a missing key deep inside") {
        CHECK(error_of(golden_with("\"verdict\": \"error\",", "")) ==
              "in.json: not a triad.result/1 document: results[5]: missing 'verdict'");
    }
    SUBCASE("an unknown verdict") {
        CHECK(error_of(golden_with("\"verdict\": \"error\"", "\"verdict\": \"maybe\"")) ==
              "in.json: not a triad.result/1 document: results[5].verdict: 'maybe' is not one of pass, fail, "
              "error, not_applicable, waived");
    }
    SUBCASE("a mistyped value") {
        CHECK(error_of(golden_with("\"duration_ms\": 1234", "\"duration_ms\": \"soon\"")) ==
              "in.json: not a triad.result/1 document: duration_ms: must be a non-negative integer");
        CHECK(error_of(golden_with("\"duration_ms\": 1234", "\"duration_ms\": -5")) ==
              "in.json: not a triad.result/1 document: duration_ms: must be a non-negative integer");
    }
    SUBCASE("a score out of range") {
        CHECK(error_of(golden_with("\"overall\": 12.8", "\"overall\": 1e9")) ==
              "in.json: not a triad.result/1 document: scores.overall: must be between 0 and 100");
    }
    SUBCASE("evidence_total below the evidence listed") {
        CHECK(error_of(golden_with("\"evidence_total\": 57", "\"evidence_total\": 2")) ==
              "in.json: not a triad.result/1 document: results[1].evidence_total: is smaller than the evidence listed");
    }
    SUBCASE("a bad waiver state") {
        CHECK(error_of(golden_with("\"state\": \"expired\"", "\"state\": \"gone\"")) ==
              "in.json: not a triad.result/1 document: waivers[2].state: 'gone' is not one of active, expired");
    }
    // Issue 15: results are read one by one as the parser meets them; what is refused, and
    // in which order, is what reading the whole tree first refused.
    SUBCASE("an element of results that is not an object, after valid ones") {
        CHECK(error_of(golden_with("\"results\": [", "\"results\": [7, ")) ==
              "in.json: not a triad.result/1 document: results[0]: must be an object");
        CHECK(error_of(golden_with("{\n      \"id\": \"DAC-NO-WORLD-WRITABLE\"", "[], {\n      \"id\": \"DAC-NO-WORLD-WRITABLE\"")) ==
              "in.json: not a triad.result/1 document: results[1]: must be an object");
    }
    SUBCASE("a bad result is told after the keys written before results, and before those after") {
        std::string both = golden_with("\"verdict\": \"error\",", "\"verdict\": 1,");
        both.replace(both.find("triad.result/1"), 14, "sarif");
        CHECK(error_of(both) == "in.json: not a triad.result/1 document: schema: must be \"triad.result/1\"");
        CHECK(error_of(golden_with("\"state\": \"expired\"", "\"state\": \"gone\"")
                           .replace(0, 1, "{\"results\": [{}], ")) ==  // the later "results" counts, as in a tree
              "in.json: not a triad.result/1 document: waivers[2].state: 'gone' is not one of active, expired");
    }
    SUBCASE("deep nesting is refused, not recursed into") {
        std::string deep(100000, '[');
        CHECK(error_of(deep).starts_with("in.json: not a triad.result/1 document: invalid JSON"));
    }
    SUBCASE("oversized input is refused before parsing") {
        std::string big(report::kMaxResultBytes + 1, ' ');
        CHECK(error_of(big) == "in.json: not a triad.result/1 document: larger than 64 MiB");
    }
}

TEST_CASE("result reader: files") {
    test::TempDir dir;
    SUBCASE("missing") {
        auto r = report::read_result_file(dir / "none.json");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().describe().starts_with(dir / "none.json: "));
    }
    SUBCASE("a directory") {
        auto r = report::read_result_file(dir.path());
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().describe() == dir.path() + ": not a regular file");
    }
    SUBCASE("a policy file by mistake") {
        test::write_file(dir / "p.yml", "policy: { id: p }\n");
        auto r = report::read_result_file(dir / "p.yml");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().describe().starts_with(dir / "p.yml: not a triad.result/1 document: invalid JSON"));
    }
}
