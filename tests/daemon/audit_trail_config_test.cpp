// SPDX-License-Identifier: Apache-2.0
// The `audit_trail` key and the audit records' text (issue 14). The records reaching a real
// auditd are tested end to end by audit_trail_test.sh; here: the key's values, its refusal by a
// build without libaudit, and the quoting that keeps a policy's text from forging fields.
#include <doctest/doctest.h>

#include "daemon/audit_trail.h"
#include "daemon/config.h"
#include "tests/test_support.h"

using triad::test::TempDir;
using triad::test::write_file;
namespace td = triad::daemon;

namespace {

std::optional<td::DaemonConfig> load(const TempDir& dir, const std::string& audit_line, std::string& error) {
    write_file(dir / "triadd.yml", "policies: [" + (dir / "p.yml") + "]\nschedule: \"every 6h\"\nhost_id: h\n" + audit_line);
    return td::load_config(dir / "triadd.yml", error);
}

}  // namespace

TEST_CASE("audit_trail: true, false, a non-boolean, and a build without libaudit") {
    TempDir dir;
    std::string error;
    auto off = load(dir, "audit_trail: false\n", error);
    REQUIRE_MESSAGE(off, error);
    CHECK_FALSE(off->audit_trail);

    error.clear();
    CHECK_FALSE(load(dir, "audit_trail: sometimes\n", error));
    CHECK(error == dir / "triadd.yml" + ":4:14: 'audit_trail' must be true or false");

    error.clear();
    auto on = load(dir, "audit_trail: true\n", error);
    if (td::audit_trail_built()) {
        REQUIRE_MESSAGE(on, error);
        CHECK(on->audit_trail);
    } else {
        CHECK_FALSE(on);
        CHECK(error.find(":4:14: 'audit_trail: true' needs libaudit") != std::string::npos);
    }
}

TEST_CASE("audit records: ids, counts and scores only, and text with spaces or quotes as hex") {
    if (!td::audit_trail_built()) return;  // the quoting is libaudit's
    triad::rules::CheckResult r;
    r.check.id = "DAC-SHADOW";
    r.check.policy = "triad-file-permissions";
    r.check.severity = triad::rules::Severity::critical;
    r.verdict = triad::rules::Verdict::fail;
    r.reason = "mode 0644 (secret-looking text)";
    CHECK(td::AuditTrail::failure_message("web1", r) ==
          "op=triad-fail host=\"web1\" check=\"DAC-SHADOW\" severity=critical policy=\"triad-file-permissions\"");
    // A host id that tries to append a field is one hex value ("a res=success" in hex).
    r.check.id = "X";
    CHECK(td::AuditTrail::failure_message("a res=success", r) ==
          "op=triad-fail host=61207265733D73756363657373 check=\"X\" severity=critical policy=\"triad-file-permissions\"");

    triad::rules::ScanResult s;
    s.started_at = "2026-12-02T03:00:00Z";
    s.counts.pass = 3;
    s.counts.fail = 2;
    s.scores.integrity.score = 91.06;
    s.scores.overall = 88.54;
    CHECK(td::AuditTrail::summary_message("web1", s) ==
          "op=triad-scan host=\"web1\" started=\"2026-12-02T03:00:00Z\" checks=5 pass=3 fail=2 error=0 "
          "not_applicable=0 waived=0 confidentiality=? integrity=91.1 availability=? overall=88.5");
}
