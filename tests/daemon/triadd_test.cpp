// SPDX-License-Identifier: Apache-2.0
// triadd end to end (issue 14): the real daemon on a fixture root with a temporary config,
// a real SQLite file and a real subscriber on its Unix socket.
#include <doctest/doctest.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/daemon/daemon_harness.h"
#include "tests/e2e/fixture_root.h"
#include "tests/test_support.h"

using triad::test::TempDir;
using triad::test::write_file;
namespace fixture = triad::test::fixture;
namespace harness = triad::test::daemon;

namespace {

using harness::Subscriber;

std::string config_text(const TempDir& dir, const std::string& root, const std::string& policy) {
    // Drift here is between stored scans: the fixture is rebuilt whole between them,
    // which the file watch (triadd_stream_test) would report as it happens.
    return harness::config_text(dir, root, policy, "", "watch: false\n");
}

std::map<std::string, std::string> verdicts(const std::vector<Poco::JSON::Object::Ptr>& events) {
    std::map<std::string, std::string> out;
    for (const auto& e : events)
        if (e->getValue<std::string>("event") == "finding") {
            auto r = e->getObject("result");
            out[r->getValue<std::string>("id")] = r->getValue<std::string>("verdict");
        }
    return out;
}

std::string stringified(const Poco::Dynamic::Var& v) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(v, out);
    return out.str();
}

// Each finding's evidence as text (the parser's key order on both sides), by check id.
std::map<std::string, std::string> evidence(const std::vector<Poco::JSON::Object::Ptr>& events) {
    std::map<std::string, std::string> out;
    for (const auto& e : events)
        if (e->getValue<std::string>("event") == "finding") {
            auto r = e->getObject("result");
            out[r->getValue<std::string>("id")] = stringified(r->get("evidence"));
        }
    return out;
}

struct Drift {
    std::string old_verdict, new_verdict, changed;  // changed: "verdict", "evidence" or "verdict,evidence"
    bool operator==(const Drift&) const = default;
};

// The drift a scan must report after `before`: every check seen in both whose verdict or
// evidence differs, worked out from the two scans' own findings.
std::map<std::string, Drift> expected_drift(const std::vector<Poco::JSON::Object::Ptr>& before,
                                            const std::vector<Poco::JSON::Object::Ptr>& after) {
    const auto v0 = verdicts(before), v1 = verdicts(after);
    const auto e0 = evidence(before), e1 = evidence(after);
    std::map<std::string, Drift> out;
    for (const auto& [id, v] : v1) {
        if (!v0.count(id)) continue;
        std::string changed;
        if (v0.at(id) != v) changed = "verdict";
        if (e0.at(id) != e1.at(id)) changed += changed.empty() ? "evidence" : ",evidence";
        if (!changed.empty()) out[id] = {v0.at(id), v, changed};
    }
    return out;
}

// The drift events of a scan, with their new_evidence checked against the scan's own finding.
std::map<std::string, Drift> drift_events(const std::vector<Poco::JSON::Object::Ptr>& events) {
    const auto e1 = evidence(events);
    std::map<std::string, Drift> out;
    for (const auto& e : events) {
        if (e->getValue<std::string>("event") != "drift") continue;
        const std::string id = e->getValue<std::string>("check");
        std::string changed;
        auto list = e->getArray("changed");
        for (std::size_t k = 0; k < list->size(); ++k) changed += (k ? "," : "") + list->getElement<std::string>(k);
        out[id] = {e->getValue<std::string>("old"), e->getValue<std::string>("new"), changed};
        CHECK_MESSAGE(stringified(e->get("new_evidence")) == e1.at(id), id);
    }
    return out;
}

}  // namespace

TEST_CASE("triadd refuses a bad config with FILE:LINE:COL and exit 2") {
    TempDir dir;
    const std::string cfg = dir / "triadd.yml";
    struct Case {
        std::string text, where, reason;
    };
    const std::vector<Case> cases = {
        {"policies: [p.yml]\nschedule: \"every 6h\"\ncolour: blue\n", ":3:1:", "unknown key 'colour'"},
        {"policies: [p.yml]\nschedule: \"0 */6 * *\"\n", ":2:11:", "five-field cron"},
        {"policies: [p.yml]\nschedule: \"61 * * * *\"\n", ":2:11:", "minute field"},
        {"policies: [p.yml]\nschedule: every 6h\nretention: { scans: -3 }\n", ":3:21:", "whole number"},
        {"policies: [p.yml]\nschedule: every 6h\nstore: mysql://u@h/db\n", ":3:8:", "sqlite:///PATH or postgresql://"},
        {"policies: [p.yml\nschedule: every 6h\n", ":", ""},  // not YAML: the parser's own position
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        write_file(cfg, c.text);
        auto r = triad::test::run({TRIADD_BINARY, "--config", cfg}, 30);
        CHECK(r.exit_code == 2);
        CHECK(r.err.find(cfg + c.where) != std::string::npos);
        CHECK(r.err.find(c.reason) != std::string::npos);
    }
    // A policy that does not load refuses the start too, with the policy's own position.
    write_file(dir / "broken.yml", "id: x\nchecks: 7\n");
    write_file(cfg, "policies: [" + (dir / "broken.yml") + "]\nschedule: every 6h\nhost_id: h\nstore: sqlite://" +
                        (dir / "t.db") + "\nsocket: { path: " + (dir / "s.sock") + " }\n");
    auto r = triad::test::run({TRIADD_BINARY, "--config", cfg}, 30);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(dir / "broken.yml") != std::string::npos);
    auto unknown = triad::test::run({TRIADD_BINARY, "--colour"}, 30);
    CHECK(unknown.exit_code == 2);
}

TEST_CASE("triadd streams each scan to a subscriber, stores it, reports drift, stops on SIGTERM") {
    if (!fixture::can_build_fixtures()) return;
    TempDir dir;
    const std::string root = dir / "root";
    REQUIRE(fixture::build_fixture(root, "mixed"));
    const std::string policy = dir / "policy.yml";
    write_file(policy, triad::test::read_file(fixture::policy_path()));
    write_file(dir / "triadd.yml", config_text(dir, root, policy));

    auto daemon = harness::start_triadd(dir / "triadd.yml", dir / "log");
    Subscriber sub(dir / "triad.sock");
    struct stat st{};
    REQUIRE(::stat((dir / "triad.sock").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0660);

    // First scan: scan_started, one finding per check it announced, scan_finished; no drift
    // (nothing stored before it).
    daemon->signal(SIGUSR1);
    auto first = sub.scan();
    REQUIRE(first.size() >= 3);
    CHECK(first.front()->getValue<std::string>("event") == "scan_started");
    const auto checks = first.front()->getValue<std::size_t>("checks");
    CHECK(first.size() == checks + 2);
    for (std::size_t k = 1; k + 1 < first.size(); ++k) CHECK(first[k]->getValue<std::string>("event") == "finding");

    // The same events as `triad scan --format events` prints for this root.
    auto cli = triad::test::run_triad({"scan", "--root", root, "--policy", policy, "--format", "events"});
    REQUIRE((cli.exit_code == 0 || cli.exit_code == 1));
    std::map<std::string, std::string> cli_verdicts;
    for (std::size_t pos = 0, nl; (nl = cli.out.find('\n', pos)) != std::string::npos; pos = nl + 1) {
        auto e = Poco::JSON::Parser().parse(cli.out.substr(pos, nl - pos)).extract<Poco::JSON::Object::Ptr>();
        if (e->getValue<std::string>("event") == "finding")
            cli_verdicts[e->getObject("result")->getValue<std::string>("id")] =
                e->getObject("result")->getValue<std::string>("verdict");
    }
    const auto before = verdicts(first);
    CHECK(before == cli_verdicts);

    // The fixture turns into a host where every check passes: a drift event for exactly
    // each check whose verdict (or evidence) changed, with the old and new verdicts.
    REQUIRE(fixture::build_fixture(root, "pass"));
    daemon->signal(SIGUSR1);
    auto second = sub.scan();
    const auto expected = expected_drift(first, second);
    std::size_t verdict_changes = 0;
    for (const auto& [id, d] : expected) verdict_changes += d.old_verdict != d.new_verdict;
    CHECK(verdict_changes > 0);
    CHECK(drift_events(second) == expected);
    std::map<std::string, std::pair<std::string, std::string>> verdict_drift;
    for (const auto& [id, d] : expected)
        if (d.old_verdict != d.new_verdict) verdict_drift[id] = {d.old_verdict, d.new_verdict};

    // SIGHUP with a policy that no longer loads: the error is served, the old set stays.
    write_file(policy, "id: broken\nchecks: [\n");
    daemon->signal(SIGHUP);
    auto failed = sub.next();
    REQUIRE(failed);
    CHECK(failed->getValue<std::string>("event") == "reload_failed");
    CHECK(failed->getValue<std::string>("error").find(policy) != std::string::npos);
    daemon->signal(SIGUSR1);
    auto third = sub.scan();
    CHECK(third.front()->getValue<std::size_t>("checks") == checks);

    // SIGTERM: exit 0 well within the 2 s (the bound has margin for a loaded machine).
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(std::chrono::milliseconds(5000)) == 0);
    CHECK(::access((dir / "triad.sock").c_str(), F_OK) != 0);

    // `triad history` reads the three scans back, newest first, and one check across them.
    auto history = triad::test::run_triad({"history", "--store", "sqlite://" + (dir / "triad.db"), "--format", "json"});
    REQUIRE(history.exit_code == 0);
    auto rows = Poco::JSON::Parser().parse(history.out).extract<Poco::JSON::Array::Ptr>();
    REQUIRE(rows->size() == 3);
    CHECK(rows->getObject(0)->getValue<int>("id") == 3);
    CHECK(rows->getObject(0)->getValue<std::string>("host") == "fixture-host");
    CHECK(rows->getObject(2)->getObject("counts")->getValue<std::size_t>("fail") > 0);
    CHECK(rows->getObject(1)->getObject("counts")->getValue<std::size_t>("fail") == 0);
    const std::string drifted = verdict_drift.begin()->first;
    auto one = triad::test::run_triad({"history", "--store", "sqlite://" + (dir / "triad.db"), "--check", drifted});
    REQUIRE(one.exit_code == 0);
    CAPTURE(one.out);
    CHECK(one.out.find(verdict_drift.begin()->second.first) != std::string::npos);
    CHECK(one.out.find(verdict_drift.begin()->second.second) != std::string::npos);
    auto other_host = triad::test::run_triad(
        {"history", "--store", "sqlite://" + (dir / "triad.db"), "--host", "another", "--format", "json"});
    CHECK(other_host.out.find("fixture-host") == std::string::npos);

    // `triad report` and `triad diff` read stored scans as store:ID, alone or beside a file.
    const std::string store = "sqlite://" + (dir / "triad.db");
    auto report = triad::test::run_triad({"report", "store:1", "--store", store, "--format", "json"});
    REQUIRE_MESSAGE(report.exit_code == 0, report.err);
    auto doc = Poco::JSON::Parser().parse(report.out).extract<Poco::JSON::Object::Ptr>();
    CHECK(doc->getValue<std::string>("started_at") == rows->getObject(2)->getValue<std::string>("started_at"));
    CHECK(doc->getObject("counts")->getValue<std::size_t>("fail") ==
          rows->getObject(2)->getObject("counts")->getValue<std::size_t>("fail"));
    write_file(dir / "first.json", report.out);
    auto diff = triad::test::run_triad({"diff", "store:1", "store:2", "--store", store, "--format", "json"});
    CHECK(diff.exit_code == 0);  // mixed -> pass: only resolved checks
    auto diffed = Poco::JSON::Parser().parse(diff.out).extract<Poco::JSON::Object::Ptr>();
    CHECK(diffed->getArray("resolved")->size() == doc->getObject("counts")->getValue<std::size_t>("fail"));
    auto mixed = triad::test::run_triad({"diff", "store:2", dir / "first.json", "--store", store, "--format", "json"});
    CHECK(mixed.exit_code == 1);  // pass -> mixed: the failures are back, a regression
    auto bad_id = triad::test::run_triad({"report", "store:first", "--store", store});
    CHECK(bad_id.exit_code == 2);
    CHECK(bad_id.err.find("store:SCAN_ID") != std::string::npos);
    // A reader never creates a store: a missing file is an error and stays missing.
    auto absent = triad::test::run_triad({"report", "store:1", "--store", "sqlite://" + (dir / "absent.db")});
    CHECK(absent.exit_code == 2);
    CHECK(::access((dir / "absent.db").c_str(), F_OK) != 0);
}

TEST_CASE("triadd reports drift when only the evidence of a failing check changed") {
    if (!fixture::can_build_fixtures()) return;
    TempDir dir;
    const std::string root = dir / "root";
    REQUIRE(fixture::build_fixture(root, "mixed"));
    write_file(dir / "triadd.yml", config_text(dir, root, fixture::policy_path()));
    auto daemon = harness::start_triadd(dir / "triadd.yml", dir / "log");
    Subscriber sub(dir / "triad.sock");
    daemon->signal(SIGUSR1);
    auto first = sub.scan();
    // A failing check whose evidence shows a file's mode: that file becomes mode 0777, which
    // fails any mode limit too, so the verdict stays `fail` and only the evidence moves.
    std::string check, object, old_mode;
    for (const auto& e : first) {
        if (e->getValue<std::string>("event") != "finding") continue;
        auto r = e->getObject("result");
        if (r->getValue<std::string>("verdict") != "fail") continue;
        auto items = r->getArray("evidence");
        if (items->size() == 0 || !items->getObject(0)->getObject("observed")->has("mode")) continue;
        check = r->getValue<std::string>("id");
        object = items->getObject(0)->getValue<std::string>("object");
        old_mode = items->getObject(0)->getObject("observed")->getValue<std::string>("mode");
        break;
    }
    REQUIRE_MESSAGE(!check.empty(), "the mixed fixture has a failing check on a file's mode");
    REQUIRE(old_mode != "0777");
    REQUIRE(::chmod((root + object).c_str(), 0777) == 0);
    daemon->signal(SIGUSR1);
    auto second = sub.scan();
    REQUIRE(verdicts(second).at(check) == "fail");
    const auto drift = drift_events(second);
    CHECK(drift == expected_drift(first, second));
    REQUIRE(drift.count(check) == 1);
    CHECK(drift.at(check) == Drift{"fail", "fail", "evidence"});
    for (const auto& e : second)
        if (e->getValue<std::string>("event") == "drift" && e->getValue<std::string>("check") == check) {
            CHECK(stringified(e->get("old_evidence")).find("\"" + old_mode + "\"") != std::string::npos);
            CHECK(stringified(e->get("new_evidence")).find("\"0777\"") != std::string::npos);
        }
    // A third scan of the unchanged root: no drift at all.
    daemon->signal(SIGUSR1);
    CHECK(drift_events(sub.scan()).empty());
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(std::chrono::milliseconds(5000)) == 0);
}

TEST_CASE("a triadd killed with SIGKILL mid-scan leaves only complete scans") {
    if (!fixture::can_build_fixtures()) return;
    TempDir dir;
    const std::string root = dir / "root";
    REQUIRE(fixture::build_fixture(root, "mixed"));
    write_file(dir / "triadd.yml", config_text(dir, root, fixture::policy_path()));
    int complete = 0;
    for (int round = 0; round < 8; ++round) {
        auto daemon = harness::start_triadd(dir / "triadd.yml", dir / "log");
        Subscriber sub(dir / "triad.sock");
        daemon->signal(SIGUSR1);
        // Killed at a different point of each round: from right after scan_started, through
        // the findings, to right after scan_finished, while the store write is under way.
        auto e = sub.next();
        REQUIRE(e);
        if (round < 5) {
            for (int k = 0; k < round * 10 && e; ++k) e = sub.next();
        } else {
            while (e && e->getValue<std::string>("event") != "scan_finished") e = sub.next();
        }
        daemon->kill_now();
        // The database is whole (sqlite3's own check, not the daemon's), and every stored
        // scan has all of its check results: no half-written scan is ever kept.
        auto check = triad::test::run({"sqlite3", dir / "triad.db", "PRAGMA integrity_check;"});
        CHECK(check.out == "ok\n");
        auto partial = triad::test::run(
            {"sqlite3", dir / "triad.db",
             "SELECT count(*) FROM scans s WHERE (SELECT count(*) FROM results r WHERE r.scan_id = s.id)"
             " != s.pass + s.fail + s.error + s.not_applicable + s.waived;"});
        CHECK(partial.out == "0\n");
        auto stored = triad::test::run({"sqlite3", dir / "triad.db", "SELECT count(*) FROM scans;"});
        complete = std::stoi(stored.out);
    }
    // A restarted daemon serves the last complete scan to `triad history`.
    auto history = triad::test::run_triad({"history", "--store", "sqlite://" + (dir / "triad.db"), "--format", "json"});
    REQUIRE(history.exit_code == 0);
    auto rows = Poco::JSON::Parser().parse(history.out).extract<Poco::JSON::Array::Ptr>();
    CHECK(static_cast<int>(rows->size()) == complete);
}

TEST_CASE("SIGTERM during a scan of this machine cancels it and exits 0") {
    TempDir dir;
    write_file(dir / "triadd.yml", "policies: [" + triad::test::source_dir() + "/rules/policies]\nroot: /\n"
                                   "schedule: every 1d\nstore: sqlite://" + (dir / "triad.db") +
                                   "\nhost_id: live\nsocket: { path: " + (dir / "triad.sock") + " }\n");
    auto daemon = harness::start_triadd(dir / "triadd.yml", dir / "log");
    Subscriber sub(dir / "triad.sock");
    daemon->signal(SIGUSR1);
    auto started = sub.next();
    REQUIRE(started);
    CHECK(started->getValue<std::string>("event") == "scan_started");
    daemon->signal(SIGTERM);
    // The bound is 2 s; 5 s leaves margin for a loaded machine.
    CHECK(daemon->wait_exit(std::chrono::milliseconds(5000)) == 0);
    const std::string log = triad::test::read_file(dir / "log");
    CAPTURE(log);
    // Either the scan was cancelled (nothing stored) or it had already returned its result
    // (stored whole): never a partial scan.
    auto stored = triad::test::run({"sqlite3", dir / "triad.db", "SELECT count(*) FROM scans;"});
    if (log.find("scan cancelled") != std::string::npos) CHECK(stored.out == "0\n");
    else CHECK(stored.out == "1\n");
}

TEST_CASE("a subscriber that never reads loses events, counted; the others get every event") {
    if (!fixture::can_build_fixtures()) return;
    TempDir dir;
    const std::string root = dir / "root";
    REQUIRE(fixture::build_fixture(root, "mixed"));
    // A queue larger than one scan's burst of events (48 lines), small enough that a dozen
    // scans overflow it once the stuck subscriber's kernel socket buffer is full.
    std::string cfg = config_text(dir, root, fixture::policy_path());
    cfg.replace(cfg.find(" }\nretention"), 3, ", queue: 100 }\n");
    write_file(dir / "triadd.yml", cfg);
    auto daemon = harness::start_triadd(dir / "triadd.yml", dir / "log");
    Subscriber stuck(dir / "triad.sock");
    Subscriber reader(dir / "triad.sock");
    constexpr int kScans = 12;
    std::size_t checks = 0;
    for (int n = 0; n < kScans; ++n) {
        daemon->signal(SIGUSR1);
        auto events = reader.scan();
        if (n == 0) checks = events.front()->getValue<std::size_t>("checks");
        CHECK(events.front()->getValue<std::string>("event") == "scan_started");
        CHECK(verdicts(events).size() == checks);
    }
    // The stuck subscriber now reads: what fitted, then how much it lost.
    std::size_t findings = 0, lost = 0;
    while (auto e = stuck.next()) {
        const std::string kind = e->getValue<std::string>("event");
        if (kind == "finding") ++findings;
        if (kind == "lost") {
            lost = e->getValue<std::size_t>("count");
            break;
        }
    }
    CHECK(lost > 0);
    CHECK(findings < checks * kScans);
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit(std::chrono::milliseconds(5000)) == 0);
}
