// SPDX-License-Identifier: Apache-2.0
// triadd records the pending updates each stored scan saw (issue 11): the real daemon on a
// fixture Debian root whose apt lists the test changes between scans, sqlite3 reading the
// store's pending_updates table, and the PATCH-PENDING-UPDATE-AGE verdicts it streams.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/daemon/daemon_harness.h"
#include "tests/scanner/collectors/packages/apt_fixture.h"
#include "tests/test_support.h"

using triad::test::FixturePackage;
using triad::test::FixtureRepo;
using triad::test::TempDir;
using triad::test::write_file;
namespace harness = triad::test::daemon;

namespace {

// alpha at `installed`; the updates repository offers `offered` (empty: nothing newer).
void write_root(const std::string& root, const std::string& installed, const std::string& offered) {
    const std::time_t now = std::time(nullptr);
    FixtureRepo main{"example.org/debian", "bookworm", "Debian", "Debian", "oldstable", "bookworm", now - 200 * 86400,
                     {{"alpha", "1.0-1"}, {"dpkg", "1.21.22"}}};
    std::vector<FixturePackage> newer;
    if (!offered.empty()) newer.emplace_back("alpha", offered);
    FixtureRepo updates{"example.org/debian", "bookworm-updates", "Debian", "Debian", "oldstable-updates",
                        "bookworm-updates", now - 86400, newer};
    triad::test::write_apt_root(root, {{"alpha", installed}, {"dpkg", "1.21.22"}}, {main, updates});
}

// The `count`th "scan N stored" line of the log (false after 60 s).
bool wait_stored(const std::string& log, std::size_t count) {
    return harness::wait_for_text(log, "scan " + std::to_string(count) + " stored");
}

// Not -readonly: after a SIGKILL the first reader may have to recover the WAL, which a
// read-only connection cannot always do.
std::string sqlite3(const std::string& db, const std::string& sql) {
    auto r = triad::test::run({"sqlite3", db, sql});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out;
}

std::string pending_age_verdict(const std::vector<Poco::JSON::Object::Ptr>& events) {
    for (const auto& e : events)
        if (e->getValue<std::string>("event") == "finding") {
            auto r = e->getObject("result");
            if (r->getValue<std::string>("id") == "PATCH-PENDING-UPDATE-AGE") return r->getValue<std::string>("verdict");
        }
    return "";
}

}  // namespace

TEST_CASE("triadd records pending updates with each scan, and first_seen survives later scans") {
    TempDir dir;
    const std::string root = dir / "root";
    const std::string db = dir / "triad.db";
    write_root(root, "1.0-1", "");
    const std::string policy = triad::test::source_dir() + "/rules/policies/patch-levels.yml";
    write_file(dir / "triadd.yml", harness::config_text(dir, root, policy, "", "watch: false\n"));
    auto daemon = harness::start_triadd(dir / "triadd.yml", dir / "log");
    harness::Subscriber sub(dir / "triad.sock");

    // Scan 1: nothing pending. Tracking begins; the check passes with nothing to judge.
    daemon->signal(SIGUSR1);
    CHECK(pending_age_verdict(sub.scan()) == "pass");
    REQUIRE_MESSAGE(wait_stored(dir / "log", 1), triad::test::read_file(dir / "log"));
    const std::string first_scan = sqlite3(db, "SELECT started_at FROM scans ORDER BY id LIMIT 1");
    CHECK(sqlite3(db, "SELECT began_at || ' ' || last_scan_at FROM pending_tracking WHERE host = 'fixture-host'") ==
          first_scan.substr(0, first_scan.size() - 1) + " " + first_scan);
    CHECK(sqlite3(db, "SELECT count(*) FROM pending_updates").starts_with("0"));

    // Scan 2: an update of alpha appeared since scan 1, which saw it not pending: its age is
    // known (at most the time between the scans), so the check passes.
    write_root(root, "1.0-1", "1.1-1");
    daemon->signal(SIGUSR1);
    CHECK(pending_age_verdict(sub.scan()) == "pass");
    REQUIRE_MESSAGE(wait_stored(dir / "log", 2), triad::test::read_file(dir / "log"));
    const std::string second_scan = sqlite3(db, "SELECT started_at FROM scans ORDER BY id DESC LIMIT 1");
    const std::string row = sqlite3(db, "SELECT package, architecture, installed, candidate, first_seen, not_pending_at"
                                        " FROM pending_updates WHERE host = 'fixture-host'");
    CHECK(row == "alpha|amd64|1.0-1|1.1-1|" + second_scan.substr(0, second_scan.size() - 1) + "|" + first_scan);

    // Scan 3: still pending: the row, first_seen included, is as scan 2 wrote it.
    daemon->signal(SIGUSR1);
    CHECK(pending_age_verdict(sub.scan()) == "pass");
    REQUIRE_MESSAGE(wait_stored(dir / "log", 3), triad::test::read_file(dir / "log"));
    CHECK(sqlite3(db, "SELECT package, architecture, installed, candidate, first_seen, not_pending_at"
                      " FROM pending_updates WHERE host = 'fixture-host'") == row);

    // Scan 4: alpha upgraded: no longer pending, its row goes.
    write_root(root, "1.1-1", "1.1-1");
    daemon->signal(SIGUSR1);
    sub.scan();
    REQUIRE_MESSAGE(wait_stored(dir / "log", 4), triad::test::read_file(dir / "log"));
    CHECK(sqlite3(db, "SELECT count(*) FROM pending_updates").starts_with("0"));

    // Scan 5: a history the daemon cannot read (a row edited by hand) dates nothing: the
    // pending update is an error that says so, and the scan is still stored.
    auto edit = triad::test::run({"sqlite3", db, "INSERT INTO pending_updates VALUES ('fixture-host', 'zeta', 'amd64',"
                                                 " '1', '2', 'last tuesday', NULL)"});
    REQUIRE_MESSAGE(edit.exit_code == 0, edit.err);
    write_root(root, "1.1-1", "1.2-1");
    daemon->signal(SIGUSR1);
    const auto fifth = sub.scan();
    CHECK(pending_age_verdict(fifth) == "error");
    REQUIRE_MESSAGE(wait_stored(dir / "log", 5), triad::test::read_file(dir / "log"));
    CHECK(triad::test::read_file(dir / "log").find("cannot read the pending-update history") != std::string::npos);
    const std::string reason = sqlite3(db, "SELECT reason FROM results WHERE check_id = 'PATCH-PENDING-UPDATE-AGE'"
                                           " ORDER BY scan_id DESC LIMIT 1");
    CHECK_MESSAGE(reason.find("alpha: pending_over_limit: the age of this pending update is unknown: the pending-update"
                              " history of host fixture-host could not be read: sqlite://" + db +
                              ": pending_updates.first_seen is not an RFC 3339 UTC time: last tuesday") !=
                      std::string::npos,
                  reason);
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(std::chrono::milliseconds(5000)) == 0);
}

TEST_CASE("a triadd killed with SIGKILL as it stores a scan leaves the pending history of the last stored scan") {
    TempDir dir;
    const std::string root = dir / "root";
    const std::string db = dir / "triad.db";
    const std::string policy = triad::test::source_dir() + "/rules/policies/patch-levels.yml";
    write_file(dir / "triadd.yml", harness::config_text(dir, root, policy, "", "watch: false\n"));
    const std::time_t now = std::time(nullptr);
    for (int round = 0; round < 6; ++round) {
        // Each round another package is pending, so a scan stored without its pending set (or
        // the reverse) would show.
        const std::string pending = round % 2 ? "beta" : "alpha";
        FixtureRepo main{"example.org/debian", "bookworm", "Debian", "Debian", "oldstable", "bookworm", now - 200 * 86400,
                         {{"alpha", "1.0-1"}, {"beta", "1.0-1"}, {"dpkg", "1.21.22"}}};
        FixtureRepo updates{"example.org/debian", "bookworm-updates", "Debian", "Debian", "oldstable-updates",
                            "bookworm-updates", now - 86400, {{pending, "1.1-1"}}};
        triad::test::write_apt_root(root, {{"alpha", "1.0-1"}, {"beta", "1.0-1"}, {"dpkg", "1.21.22"}}, {main, updates});
        auto daemon = harness::start_triadd(dir / "triadd.yml", dir / "log");
        harness::Subscriber sub(dir / "triad.sock");
        daemon->signal(SIGUSR1);
        // Killed after scan_finished, at a different moment of the store write each round
        // (whether a round's scan got stored is left to chance; either way the store must
        // agree with itself).
        for (auto e = sub.next(); e && e->getValue<std::string>("event") != "scan_finished";) e = sub.next();
        std::this_thread::sleep_for(std::chrono::milliseconds(round * round));
        daemon->kill_now();
        CHECK(sqlite3(db, "PRAGMA integrity_check") == "ok\n");
        // The recorded pending set is the newest stored scan's: the same packages as that
        // scan's PATCH-NO-PENDING-UPDATES evidence, and the tracking marks that scan.
        CHECK(sqlite3(db, "SELECT group_concat(package) FROM pending_updates") ==
              sqlite3(db, "SELECT group_concat(json_extract(e.value, '$.object')) FROM results r,"
                          " json_each(r.evidence) e WHERE r.check_id = 'PATCH-NO-PENDING-UPDATES'"
                          " AND r.scan_id = (SELECT max(id) FROM scans)"));
        CHECK(sqlite3(db, "SELECT coalesce((SELECT last_scan_at FROM pending_tracking), '-')") ==
              sqlite3(db, "SELECT coalesce((SELECT started_at FROM scans ORDER BY id DESC LIMIT 1), '-')"));
    }
}
