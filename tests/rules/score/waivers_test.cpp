// SPDX-License-Identifier: Apache-2.0
// Waiver files: loading with file:line:col diagnostics, and applying them — whole checks,
// per-object waivers with globs, expiry against an injected date.
#include "rules/score/waivers.h"

#include <doctest/doctest.h>

#include "tests/test_support.h"

using namespace triad;
using namespace triad::rules;

namespace {

const std::set<std::string> kKnown{"DAC-SHADOW-MODE", "DAC-NO-WORLD-WRITABLE", "SSH-ROOT-LOGIN"};

std::string first_error(const std::string& yaml) {
    WaiverLoad w = load_waivers_text(yaml, "w.yml", kKnown);
    REQUIRE_FALSE(w.ok());
    CHECK(w.waivers.empty());  // never half-loaded
    return w.diagnostics.front().str();
}

CheckResult failing(const char* id, std::vector<std::string> objects, std::uint64_t total = 0) {
    CheckResult r;
    r.check.id = id;
    r.check.severity = Severity::high;
    r.check.impact = {Impact::high, Impact::high, Impact::none};
    r.verdict = Verdict::fail;
    r.reason = "failed";
    for (auto& o : objects) r.evidence.push_back({o, {{"mode", "0666"}}});
    r.evidence_total = total ? total : r.evidence.size();
    return r;
}

std::vector<Waiver> load(const std::string& yaml) {
    WaiverLoad w = load_waivers_text(yaml, "w.yml", kKnown);
    REQUIRE_MESSAGE(w.ok(), (w.ok() ? "" : w.diagnostics.front().str()));
    return std::move(w.waivers);
}

}  // namespace

TEST_CASE("waivers: a valid file loads with positions") {
    auto w = load(R"(waivers:
  - check: DAC-SHADOW-MODE
    reason: backup agent reads it
    owner: alice
    expires: 2026-12-31
  - check: DAC-NO-WORLD-WRITABLE
    objects: [/srv/shared/**, "/opt/app/*.sock"]
    reason: shared upload area
    expires: 2027-01-15
)");
    REQUIRE(w.size() == 2);
    CHECK(w[0].check == "DAC-SHADOW-MODE");
    CHECK(w[0].owner == "alice");
    CHECK(w[0].expires == "2026-12-31");
    CHECK(w[0].objects.empty());
    CHECK(w[0].pos.str() == "w.yml:2:5");
    CHECK(w[1].objects.size() == 2);
    CHECK(w[1].objects[0].matches("/srv/shared/a/b"));
    CHECK(w[1].pos.str() == "w.yml:6:5");
    CHECK(load("waivers: []\n").empty());
}

TEST_CASE("waivers: every mistake is reported at its file:line:col") {
    SUBCASE("unknown check id, with a suggestion") {
        CHECK(first_error("waivers:\n  - check: DAC-SHADOW-MOD\n    reason: r\n    expires: 2026-01-01\n") ==
              "w.yml:2:12: unknown check 'DAC-SHADOW-MOD' (did you mean 'DAC-SHADOW-MODE'?)");
    }
    SUBCASE("unknown check id, nothing close") {
        CHECK(first_error("waivers:\n  - { check: NOPE, reason: r, expires: 2026-01-01 }\n") ==
              "w.yml:2:14: unknown check 'NOPE'");
    }
    SUBCASE("missing reason") {
        CHECK(first_error("waivers:\n  - check: SSH-ROOT-LOGIN\n    expires: 2026-01-01\n") ==
              "w.yml:2:5: waiver for SSH-ROOT-LOGIN needs 'reason'");
    }
    SUBCASE("missing expiry") {
        CHECK(first_error("waivers:\n  - check: SSH-ROOT-LOGIN\n    reason: r\n") ==
              "w.yml:2:5: waiver for SSH-ROOT-LOGIN needs 'expires'");
    }
    SUBCASE("not a date") {
        CHECK(first_error("waivers:\n  - { check: SSH-ROOT-LOGIN, reason: r, expires: 2026-02-30 }\n") ==
              "w.yml:2:50: 'expires' must be a date written YYYY-MM-DD, not '2026-02-30'");
        CHECK(first_error("waivers:\n  - { check: SSH-ROOT-LOGIN, reason: r, expires: next week }\n") ==
              "w.yml:2:50: 'expires' must be a date written YYYY-MM-DD, not 'next week'");
    }
    SUBCASE("a misspelt key") {
        CHECK(first_error("waivers:\n  - { check: SSH-ROOT-LOGIN, reason: r, expires: 2026-01-01, ownr: me }\n") ==
              "w.yml:2:62: unknown key 'ownr' in a waiver (did you mean 'owner'?)");
    }
    SUBCASE("objects not a list") {
        CHECK(first_error("waivers:\n  - { check: SSH-ROOT-LOGIN, reason: r, expires: 2026-01-01, objects: /x }\n") ==
              "w.yml:2:71: 'objects' must be a non-empty list of globs");
    }
    SUBCASE("not a list of waivers") {
        CHECK(first_error("waivers: { check: X }\n") == "w.yml:1:10: the file needs 'waivers:', a list of waivers");
        CHECK(first_error("- check: X\n") == "w.yml:1:1: a waiver file is a map with 'waivers', a list of waivers");
    }
    SUBCASE("YAML syntax") {
        CHECK(first_error("waivers:\n  - check: [unclosed\n").starts_with("w.yml:3:1: YAML syntax:"));
    }
}

TEST_CASE("waivers: files are read safely") {
    test::TempDir dir;
    SUBCASE("missing file") {
        WaiverLoad w = load_waivers_file(dir / "none.yml", kKnown);
        REQUIRE_FALSE(w.ok());
        CHECK(w.diagnostics.front().str() == dir / "none.yml:0:0: no such file or directory");
    }
    SUBCASE("oversized file") {
        test::write_file(dir / "big.yml", std::string(kMaxWaiverBytes + 10, '#'));
        WaiverLoad w = load_waivers_file(dir / "big.yml", kKnown);
        REQUIRE_FALSE(w.ok());
    }
    SUBCASE("a directory") {
        WaiverLoad w = load_waivers_file(dir.path(), kKnown);
        REQUIRE_FALSE(w.ok());
        CHECK(w.diagnostics.front().message == "not a regular file");
    }
}

TEST_CASE("waivers: an active whole-check waiver turns a failure into waived, with its reason") {
    ScanResult result;
    result.results = {failing("DAC-SHADOW-MODE", {"/etc/shadow"}), failing("SSH-ROOT-LOGIN", {"/etc/ssh/sshd_config"})};
    auto w = load("waivers:\n  - { check: DAC-SHADOW-MODE, reason: backup agent, owner: alice, expires: 2026-06-30 }\n");
    apply_waivers(result, w, "2026-06-30");  // the expiry day itself is still covered
    CHECK(result.results[0].verdict == Verdict::waived);
    CHECK(result.results[0].reason == "backup agent");
    CHECK(result.results[0].evidence.size() == 1);  // what was accepted stays visible
    CHECK(result.results[1].verdict == Verdict::fail);
    REQUIRE(result.waivers.size() == 1);
    const WaiverRecord& rec = result.waivers[0];
    CHECK(rec.state == WaiverState::active);
    CHECK(rec.applied);
    CHECK(rec.owner == "alice");
    CHECK(rec.source == "w.yml:2:5");
}

TEST_CASE("waivers: an expired waiver stops applying and is reported") {
    ScanResult result;
    result.results = {failing("DAC-SHADOW-MODE", {"/etc/shadow"})};
    auto w = load("waivers:\n  - { check: DAC-SHADOW-MODE, reason: backup agent, expires: 2026-06-30 }\n");
    apply_waivers(result, w, "2026-07-01");
    CHECK(result.results[0].verdict == Verdict::fail);
    CHECK(result.results[0].reason == "failed");
    REQUIRE(result.waivers.size() == 1);
    CHECK(result.waivers[0].state == WaiverState::expired);
    CHECK_FALSE(result.waivers[0].applied);
}

TEST_CASE("waivers: per-object waivers remove matching evidence only") {
    auto w = load(R"(waivers:
  - check: DAC-NO-WORLD-WRITABLE
    objects: [/srv/shared/**, /tmp/*.sock]
    reason: shared area
    expires: 2030-01-01
)");
    SUBCASE("other evidence remains: the check still fails") {
        ScanResult result;
        result.results = {failing("DAC-NO-WORLD-WRITABLE", {"/etc/motd", "/srv/shared/a/b", "/tmp/x.sock"})};
        apply_waivers(result, w, "2026-01-01");
        const CheckResult& r = result.results[0];
        CHECK(r.verdict == Verdict::fail);
        REQUIRE(r.evidence.size() == 1);
        CHECK(r.evidence[0].object == "/etc/motd");
        CHECK(r.evidence_total == 1);
        CHECK(result.waivers[0].applied);
        CHECK(result.waivers[0].waived_objects == std::vector<std::string>{"/srv/shared/a/b", "/tmp/x.sock"});
    }
    SUBCASE("all evidence waived: the check is waived") {
        ScanResult result;
        result.results = {failing("DAC-NO-WORLD-WRITABLE", {"/srv/shared/a", "/tmp/y.sock"})};
        apply_waivers(result, w, "2026-01-01");
        CHECK(result.results[0].verdict == Verdict::waived);
        CHECK(result.results[0].reason == "shared area");
        CHECK(result.results[0].evidence_total == 0);
    }
    SUBCASE("unlisted objects beyond the evidence limit keep the check failing") {
        ScanResult result;
        result.results = {failing("DAC-NO-WORLD-WRITABLE", {"/srv/shared/a", "/srv/shared/b"}, 120)};
        apply_waivers(result, w, "2026-01-01");
        CHECK(result.results[0].verdict == Verdict::fail);
        CHECK(result.results[0].evidence.empty());
        CHECK(result.results[0].evidence_total == 118);
    }
    SUBCASE("nothing matches: unchanged, recorded as not applied") {
        ScanResult result;
        result.results = {failing("DAC-NO-WORLD-WRITABLE", {"/etc/motd"})};
        apply_waivers(result, w, "2026-01-01");
        CHECK(result.results[0].verdict == Verdict::fail);
        CHECK(result.results[0].evidence.size() == 1);
        CHECK_FALSE(result.waivers[0].applied);
    }
}

TEST_CASE("waivers: only failures are waived") {
    ScanResult result;
    CheckResult pass = failing("DAC-SHADOW-MODE", {});
    pass.verdict = Verdict::pass;
    CheckResult error = failing("SSH-ROOT-LOGIN", {"/etc/ssh/sshd_config"});
    error.verdict = Verdict::error;
    result.results = {pass, error};
    auto w = load(R"(waivers:
  - { check: DAC-SHADOW-MODE, reason: r, expires: 2030-01-01 }
  - { check: SSH-ROOT-LOGIN, reason: r, expires: 2030-01-01 }
)");
    apply_waivers(result, w, "2026-01-01");
    CHECK(result.results[0].verdict == Verdict::pass);
    CHECK(result.results[1].verdict == Verdict::error);  // an error still needs looking at
    CHECK_FALSE(result.waivers[0].applied);
    CHECK_FALSE(result.waivers[1].applied);
}

TEST_CASE("waivers: dates") {
    CHECK(valid_date("2024-02-29"));
    CHECK_FALSE(valid_date("2023-02-29"));
    CHECK_FALSE(valid_date("2026-13-01"));
    CHECK_FALSE(valid_date("2026-1-01"));
    CHECK_FALSE(valid_date("20260101"));
    CHECK(valid_date(today_utc()));
}
