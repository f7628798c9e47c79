// SPDX-License-Identifier: Apache-2.0
// Every field of a result pushed through every text format, and a hostile name through the
// CLI's messages: nothing that drives a terminal or reorders text comes out raw (issue 9).
#include <doctest/doctest.h>

#include <string>

#include <cstdio>
#include <cstdlib>

#include "reporters/event_stream.h"
#include "reporters/reporter.h"
#include "rules/score/scoring.h"
#include "tests/test_support.h"

using namespace triad;

namespace {

// An OSC title change, a CSI colour, a BEL, C1 CSI, RIGHT-TO-LEFT OVERRIDE, invalid UTF-8.
const std::string kHostile = "x\x1b]0;owned\x07\x1b[31m\xC2\x9B" "2J\xE2\x80\xAEtxt.sh\xFF";

const char* const kRaw[] = {"\x1b", "\x07", "\xC2\x9B", "\xE2\x80\xAE"};

rules::ScanResult hostile_result() {
    rules::ScanResult r;
    r.tool_version = "0.1" + kHostile;
    r.target = {"/srv/" + kHostile, "host" + kHostile, "6.1" + kHostile, "Debian" + kHostile};
    r.started_at = "2026-01-01T00:00:00Z";
    r.policies.push_back({"pol" + kHostile, "1" + kHostile, "/p/" + kHostile + ".yml"});
    for (rules::Verdict v : {rules::Verdict::fail, rules::Verdict::error, rules::Verdict::not_applicable,
                             rules::Verdict::waived, rules::Verdict::pass}) {
        rules::CheckResult c;
        c.check.id = "ID-" + std::string(to_string(v)) + kHostile;
        c.check.title = "title" + kHostile;
        c.check.rationale = "why" + kHostile;
        c.check.remediation = "fix" + kHostile;
        c.check.severity = rules::Severity::high;
        c.check.impact = {rules::Impact::high, rules::Impact::high, rules::Impact::low};
        c.check.tags = {"tag" + kHostile, "pam"};
        c.check.policy = "pol" + kHostile;
        c.verdict = v;
        c.reason = "reason" + kHostile;
        c.expected = "expected" + kHostile;
        c.evidence.push_back({"svc" + kHostile + ": obj" + kHostile, {{"key" + kHostile, "value" + kHostile}}});
        c.evidence_total = 1;
        r.results.push_back(c);
    }
    rules::WaiverRecord w;
    w.check = "ID-waived" + kHostile;
    w.reason = "accepted" + kHostile;
    w.owner = "owner" + kHostile;
    w.expires = "2027-01-01" + kHostile;
    w.source = "/w/" + kHostile + ":1:1";
    w.applied = true;
    w.waived_objects = {"waived-obj" + kHostile};
    r.waivers.push_back(w);
    rules::WaiverRecord expired = w;
    expired.state = rules::WaiverState::expired;
    expired.applied = false;
    r.waivers.push_back(expired);
    r.counts = rules::count_verdicts(r.results);
    r.scores = rules::compute_scores(r.results, r.requirements);
    return r;
}

}  // namespace

TEST_CASE("hostile fields: no text format passes a control character or bidi override") {
    const rules::ScanResult result = hostile_result();
    for (const char* format : {"console", "markdown", "csv", "html", "junit"}) {
        CAPTURE(format);
        for (bool verbose : {false, true}) {
            report::RenderOptions options;
            options.verbose = verbose;
            const std::string out = report::find_reporter(format)->render(result, options);
            for (const char* raw : kRaw) {
                CAPTURE(raw);
                CHECK(out.find(raw) == std::string::npos);
            }
            CHECK(out.find("\xFF") == std::string::npos);
            // Every hostile field is still there, escaped: nothing was dropped to be safe.
            CHECK(out.find("owned") != std::string::npos);
        }
    }
    // The console escapes so that the name can be read back: ESC as \x1b, RLO as \u202e.
    const std::string console = report::render_console(result, {});
    CHECK(console.find("x\\x1b]0;owned\\x07\\x1b[31m\\u009b2J\\u202etxt.sh\\xff") != std::string::npos);
}

TEST_CASE("hostile fields: the progress line shows a hostile check id inert") {
    const rules::ScanResult result = hostile_result();
    char* buffer = nullptr;
    std::size_t size = 0;
    std::FILE* terminal = ::open_memstream(&buffer, &size);
    REQUIRE(terminal != nullptr);
    {
        report::ProgressSink progress(terminal);
        progress.scan_started(result, result.results.size());
        progress.finding(result.results.front());
    }
    std::fclose(terminal);
    std::string out(buffer, size);
    std::free(buffer);
    // The line's own "erase line" sequence is the only escape sequence in it.
    const std::string own = "\r\x1b[K";
    REQUIRE(out.starts_with(own));
    out.erase(0, own.size());
    for (const char* raw : kRaw) {
        CAPTURE(raw);
        CHECK(out.find(raw) == std::string::npos);
    }
    CHECK(out.find("\\x1b]0;owned") != std::string::npos);
}

TEST_CASE("hostile fields: CLI messages and diagnostics are escaped") {
    triad::test::TempDir t;
    // A policy whose file name carries an OSC sequence and a bidi override: the loader's
    // diagnostic names the file.
    const std::string bad = t / ("p\x1b]0;owned\x07\xE2\x80\xAE.yml");
    triad::test::write_file(bad, "not: [a policy\n");
    auto r = triad::test::run_triad({"scan", "--policy", bad, "--root", t.path()});
    CHECK(r.exit_code == 2);
    CHECK_FALSE(r.err.empty());
    for (const char* raw : kRaw) {
        CAPTURE(raw);
        CHECK(r.err.find(raw) == std::string::npos);
    }
    CHECK(r.err.find("\\x1b]0;owned\\x07\\u202e") != std::string::npos);
    // An error message (print_error): a --root that does not exist, named in the message.
    auto missing = triad::test::run_triad(
        {"scan", "--root", t / "none\x1b[2J", "--policy", triad::test::source_dir() + "/rules/policies/file-permissions.yml"});
    CHECK(missing.exit_code == 3);
    CHECK(missing.err.find("none\\x1b[2J") != std::string::npos);
    CHECK(missing.err.find("\x1b") == std::string::npos);
}
