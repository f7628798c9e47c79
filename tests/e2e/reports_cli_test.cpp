// SPDX-License-Identifier: Apache-2.0
// `triad report`, `triad diff`, `triad scan --waivers` and `--baseline` as a pipeline meets
// them: exit codes, errors that name the file and position, files written with mode 0640.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <doctest/doctest.h>
#include <sys/stat.h>

#include "tests/reporters/golden_support.h"
#include "tests/test_support.h"

using namespace triad;
using test::golden_path;
using test::run_triad;

namespace {

Poco::JSON::Object::Ptr parse(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

// A root with two world-writable files and a private shadow file, and a policy on them.
struct Fixture {
    test::TempDir dir;
    std::string root = dir / "root";
    std::string policy = dir / "policy.yml";
    Fixture() {
        test::write_file(root + "/etc/shadow", "root:*:1::::::\n", 0640);
        test::write_file(root + "/srv/shared/upload.bin", "x", 0666);
        test::write_file(root + "/srv/app/config.ini", "x", 0666);
        test::write_file(policy, R"(policy: { id: e2e, title: reports e2e, version: "1" }
checks:
  - id: E2E-SHADOW
    title: /etc/shadow is private
    severity: high
    impact: { c: high, i: low, a: none }
    select: { collector: file, path: /etc/shadow }
    expect: { field: mode, at_most: "0640" }
  - id: E2E-WW
    title: No world-writable files
    severity: medium
    impact: { c: low, i: high, a: low }
    select: { collector: files, paths: [/srv], where: { type: file, world_writable: true } }
    expect: none
)");
    }
    test::RunResult scan(std::vector<std::string> extra) {
        std::vector<std::string> args{"scan", "--policy", policy, "--root", root};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_triad(args);
    }
    const rules::CheckResult& result_of(const rules::ScanResult& r, const std::string& id) {
        for (const auto& c : r.results)
            if (c.check.id == id) return c;
        FAIL("no result for " << id);
        return r.results.front();
    }
};

}  // namespace

TEST_CASE("triad report renders a stored result in every format") {
    test::TempDir dir;
    for (const char* format : {"console", "json", "html", "junit", "sarif", "markdown", "csv"}) {
        CAPTURE(format);
        const std::string out = dir / (std::string("out.") + format);
        auto r = run_triad({"report", golden_path("result.json"), "--format", format, "--output", out});
        CHECK_MESSAGE(r.exit_code == 0, r.err);
        struct stat st {};
        REQUIRE(::stat(out.c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0640);
        CHECK(st.st_size > 100);
    }
    auto quiet = run_triad({"report", golden_path("result.json"), "--quiet"});
    CHECK(quiet.exit_code == 0);
    CHECK(quiet.out == test::read_file(golden_path("report-quiet.txt")));
}

TEST_CASE("triad report: usage errors and foreign files exit 2 with the file named") {
    test::TempDir dir;
    test::write_file(dir / "events.json", "{\"event\":\"scan_started\"}\n");
    auto r = run_triad({"report", dir / "events.json", "--format", "html"});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "triad: " + dir / "events.json" + ": not a triad.result/1 document: missing 'schema'\n");
    CHECK(r.out.empty());

    r = run_triad({"report", golden_path("result.json"), "--format", "pdf"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("unknown format 'pdf' (console, json, html, junit, sarif, markdown, csv)") != std::string::npos);
    CHECK(run_triad({"report"}).exit_code == 2);
    CHECK(run_triad({"report", golden_path("result.json"), "--verbose", "--quiet"}).exit_code == 2);
    CHECK(run_triad({"report", dir / "missing.json"}).exit_code == 2);
}

TEST_CASE("triad diff: exit 1 when regressions reach --fail-on") {
    const std::string before = golden_path("result.json"), after = golden_path("result-new.json");
    // The regressions are medium: KERNEL-ASLR newly fails, DAC-NO-WORLD-WRITABLE has a new object.
    CHECK(run_triad({"diff", before, after}).exit_code == 1);
    CHECK(run_triad({"diff", before, after, "--fail-on", "medium"}).exit_code == 1);
    CHECK(run_triad({"diff", before, after, "--fail-on", "high"}).exit_code == 0);
    // Going back fixes those and brings SSH-ROOT-LOGIN (critical) back.
    CHECK(run_triad({"diff", after, before, "--fail-on", "critical"}).exit_code == 1);
    auto same = run_triad({"diff", before, before});
    CHECK(same.exit_code == 0);
    CHECK(same.out.find("0 new failures, 0 resolved, 0 with changed evidence, 0 other changes") != std::string::npos);

    auto json = run_triad({"diff", before, after, "--format", "json"});
    CHECK(json.exit_code == 1);
    auto doc = parse(json.out);
    CHECK(doc->getValue<std::string>("schema") == "triad.diff/1");
    CHECK(doc->getArray("new_failures")->size() == 1);
    CHECK(doc->getObject("scores")->getObject("overall")->getValue<double>("change") == doctest::Approx(36.4));

    auto bad = run_triad({"diff", before, after, "--format", "html"});
    CHECK(bad.exit_code == 2);
    CHECK(run_triad({"diff", before}).exit_code == 2);
    CHECK(run_triad({"diff", before, after, "--fail-on", "severe"}).exit_code == 2);
}

TEST_CASE("scan --waivers: active, per-object, expired and unknown waivers") {
    Fixture f;
    SUBCASE("active waivers remove every failure: exit 0, recorded in the result") {
        test::write_file(f.dir / "w.yml", R"(waivers:
  - check: E2E-WW
    objects: [/srv/shared/**, /srv/app/*.ini]
    reason: shared upload area, reviewed
    owner: platform-team
    expires: 2999-12-31
)");
        auto r = f.scan({"--waivers", f.dir / "w.yml", "--format", "json", "--output", f.dir / "r.json"});
        CHECK_MESSAGE(r.exit_code == 0, r.err);
        auto result = report::read_result_file(f.dir / "r.json");
        REQUIRE(result.has_value());
        CHECK(f.result_of(*result, "E2E-WW").verdict == rules::Verdict::waived);
        CHECK(f.result_of(*result, "E2E-WW").reason == "shared upload area, reviewed");
        CHECK(result->counts.waived == 1);
        REQUIRE(result->waivers.size() == 1);
        CHECK(result->waivers[0].state == rules::WaiverState::active);
        CHECK(result->waivers[0].source == f.dir / "w.yml:2:5");
        CHECK(result->waivers[0].waived_objects.size() == 2);
    }
    SUBCASE("a per-object waiver leaves the other object failing") {
        test::write_file(f.dir / "w.yml",
                         "waivers:\n  - { check: E2E-WW, objects: [/srv/shared/*], reason: r, expires: 2999-01-01 }\n");
        auto r = f.scan({"--waivers", f.dir / "w.yml", "--format", "json"});
        CHECK(r.exit_code == 1);
        auto result = report::parse_result_json(r.out, "stdout");
        REQUIRE(result.has_value());
        const auto& ww = f.result_of(*result, "E2E-WW");
        CHECK(ww.verdict == rules::Verdict::fail);
        REQUIRE(ww.evidence.size() == 1);
        CHECK(ww.evidence[0].object == "/srv/app/config.ini");
    }
    SUBCASE("an expired waiver stops applying, is reported on stderr and in the result") {
        test::write_file(f.dir / "w.yml", "waivers:\n  - { check: E2E-WW, reason: r, expires: 2000-01-01 }\n");
        auto r = f.scan({"--waivers", f.dir / "w.yml", "--format", "json"});
        CHECK(r.exit_code == 1);
        CHECK(r.err.find("waiver for E2E-WW at " + f.dir / "w.yml:2:5 expired on 2000-01-01; not applied") !=
              std::string::npos);
        auto result = report::parse_result_json(r.out, "stdout");
        REQUIRE(result.has_value());
        CHECK(f.result_of(*result, "E2E-WW").verdict == rules::Verdict::fail);
        REQUIRE(result->waivers.size() == 1);
        CHECK(result->waivers[0].state == rules::WaiverState::expired);
        // ... and the console names it too.
        auto console = f.scan({"--waivers", f.dir / "w.yml", "--no-color"});
        CHECK(console.out.find("EXPIRED waiver for E2E-WW") != std::string::npos);
    }
    SUBCASE("a waiver for an unknown check is an error at its position: exit 2, no scan") {
        test::write_file(f.dir / "w.yml", "waivers:\n  - check: E2E-W\n    reason: r\n    expires: 2999-01-01\n");
        auto r = f.scan({"--waivers", f.dir / "w.yml"});
        CHECK(r.exit_code == 2);
        CHECK(r.err == f.dir / "w.yml:2:12: unknown check 'E2E-W' (did you mean 'E2E-WW'?)\n");
        CHECK(r.out.empty());
    }
    SUBCASE("streamed findings carry the verdict after waivers") {
        test::write_file(f.dir / "w.yml", "waivers:\n  - { check: E2E-WW, reason: r, expires: 2999-01-01 }\n");
        auto r = f.scan({"--waivers", f.dir / "w.yml", "--format", "events"});
        CHECK(r.exit_code == 0);
        CHECK(r.out.find("\"verdict\":\"waived\"") != std::string::npos);
        CHECK(r.out.find("\"verdict\":\"fail\"") == std::string::npos);
    }
}

TEST_CASE("scan --baseline gates only on failures the baseline did not have") {
    Fixture f;
    auto first = f.scan({"--format", "json", "--output", f.dir / "baseline.json"});
    REQUIRE(first.exit_code == 1);  // E2E-WW fails

    auto same = f.scan({"--baseline", f.dir / "baseline.json"});
    CHECK_MESSAGE(same.exit_code == 0, same.out << same.err);

    // A new world-writable file sorting inside the listed evidence is a new failure.
    test::write_file(f.root + "/srv/app/another", "x", 0666);
    auto grown = f.scan({"--baseline", f.dir / "baseline.json"});
    CHECK(grown.exit_code == 1);
    CHECK(f.scan({"--baseline", f.dir / "baseline.json", "--fail-on", "high"}).exit_code == 0);

    // A check that newly fails.
    ::chmod((f.root + "/etc/shadow").c_str(), 0644);
    CHECK(f.scan({"--baseline", f.dir / "baseline.json", "--fail-on", "high"}).exit_code == 1);

    // Fixing everything passes against the baseline too.
    ::chmod((f.root + "/etc/shadow").c_str(), 0640);
    for (const char* file : {"/srv/app/another", "/srv/app/config.ini", "/srv/shared/upload.bin"})
        ::chmod((f.root + file).c_str(), 0644);
    CHECK(f.scan({"--baseline", f.dir / "baseline.json"}).exit_code == 0);

    auto bad = f.scan({"--baseline", f.policy});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("--baseline " + f.policy + ": not a triad.result/1 document") != std::string::npos);
}
