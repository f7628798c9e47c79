// SPDX-License-Identifier: Apache-2.0
// PATCH-PENDING-UPDATE-AGE: how long an update has been pending, from triad's own history of
// the host (the store's pending_updates table, written here through the store API at
// fabricated times) or, as a lower bound only, from the Release Date of the lists offering
// the candidate. `triad scan --history` reads the store of a fixture root written by the test;
// sqlite3 reads the same table independently.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <doctest/doctest.h>

#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "base/utc_time.h"
#include "scanner/collectors/packages/packages.h"
#include "scanner/core/scan_inputs.h"
#include "store/scan_store.h"
#include "tests/scanner/fact_text.h"
#include "tests/scanner/collectors/packages/apt_fixture.h"
#include "tests/test_support.h"

using triad::test::FixturePackage;
using triad::test::FixtureRepo;
using triad::test::TempDir;

namespace {

constexpr std::time_t kDay = 86400;


// Installed: old, fresh and untracked at 1.0-1 with 1.1-1 pending, current at 1.0-1 with
// nothing newer. The lists offering the updates are dated `lists_date`.
void write_root(const std::string& root, std::time_t lists_date, bool any_pending = true) {
    std::vector<FixturePackage> installed = {
        {"old", "1.0-1"}, {"fresh", "1.0-1"}, {"untracked", "1.0-1"}, {"current", "1.0-1"}, {"dpkg", "1.21.22"}};
    const std::time_t now = std::time(nullptr);
    FixtureRepo main{"example.org/debian", "bookworm", "Debian", "Debian", "oldstable", "bookworm", now - 400 * kDay,
                     {{"old", "1.0-1"}, {"fresh", "1.0-1"}, {"untracked", "1.0-1"}, {"current", "1.0-1"},
                      {"dpkg", "1.21.22"}}};
    std::vector<FixturePackage> newer;
    if (any_pending) newer = {{"old", "1.1-1"}, {"fresh", "1.1-1"}, {"untracked", "1.1-1"}};
    FixtureRepo updates{"example.org/debian", "bookworm-updates", "Debian", "Debian", "oldstable-updates",
                        "bookworm-updates", lists_date, newer};
    triad::test::write_apt_root(root, installed, {main, updates});
}

// Records one scan of `host` at time `t` that saw `pending` pending, as triadd records it.
void record(triad::store::ScanStore& store, const std::string& host, std::time_t t,
            const std::vector<std::string>& pending, const std::string& installed = "1.0-1") {
    triad::rules::ScanResult scan;
    scan.started_at = triad::rfc3339_utc(t);
    std::vector<triad::scanner::PendingObservation> seen;
    for (const std::string& name : pending) seen.push_back({name, "amd64", installed, "1.1-1"});
    REQUIRE(store.save(host, scan, &seen));
}

struct Verdict {
    std::string verdict, reason;
    std::map<std::string, Poco::JSON::Object::Ptr> evidence;  // object -> observed
};

Verdict pending_age_check(const std::string& root, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"scan", "--root", root, "--policy",
                                     triad::test::source_dir() + "/rules/policies/patch-levels.yml", "--only",
                                     "PATCH-PENDING-UPDATE-AGE", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = triad::test::run_triad(args);
    REQUIRE_MESSAGE((r.exit_code == 0 || r.exit_code == 1), r.err);
    auto doc = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
    auto result = doc->getArray("results")->getObject(0);
    REQUIRE(result->getValue<std::string>("id") == "PATCH-PENDING-UPDATE-AGE");
    Verdict v{result->getValue<std::string>("verdict"), result->optValue<std::string>("reason", ""), {}};
    auto evidence = result->getArray("evidence");
    for (std::size_t i = 0; evidence && i < evidence->size(); ++i)
        v.evidence[evidence->getObject(i)->getValue<std::string>("object")] = evidence->getObject(i)->getObject("observed");
    // The exit code follows the verdict: 0 only when it passed.
    CHECK((r.exit_code == 0) == (v.verdict == "pass"));
    return v;
}

std::string sqlite3(const std::string& db, const std::string& sql) {
    auto r = triad::test::run({"sqlite3", "-readonly", db, sql});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out;
}

}  // namespace

TEST_CASE("pending update age: an old tracked update fails, a new one passes, an untracked one is an error") {
    TempDir dir;
    const std::string root = dir / "root";
    const std::string db = dir / "triad.db";
    const std::time_t now = std::time(nullptr);
    write_root(root, now - kDay);  // fresh lists: their Date proves nothing old
    {
        auto store = triad::store::ScanStore::open("sqlite://" + db).value();
        CHECK(store->schema_version() == 2);
        // web1: tracked for 60 days; old pending since 50 days ago, fresh since 2 days ago.
        record(*store, "web1", now - 60 * kDay, {});
        record(*store, "web1", now - 50 * kDay, {"old"});
        record(*store, "web1", now - 3 * kDay, {"old"});
        record(*store, "web1", now - 2 * kDay, {"old", "fresh"});
        // web3: tracked for 10 days, everything already pending in its first recorded scan.
        record(*store, "web3", now - 10 * kDay, {"old", "fresh", "untracked"});
        // web4: untracked was pending when tracking began 40 days ago; nothing recorded since.
        record(*store, "web4", now - 40 * kDay, {"untracked"});
        // web5: old was seen pending over 0.9-1 five days ago; the root now has 1.0-1.
        record(*store, "web5", now - 60 * kDay, {});
        record(*store, "web5", now - 5 * kDay, {"old"}, "0.9-1");
    }
    // The table as another reader sees it: first_seen kept from the first sighting, and the
    // scan before it in which the package was not pending.
    CHECK(sqlite3(db, "SELECT package, first_seen, coalesce(not_pending_at, '-') FROM pending_updates"
                      " WHERE host = 'web1' ORDER BY package") ==
          "fresh|" + triad::rfc3339_utc(now - 2 * kDay) + "|" + triad::rfc3339_utc(now - 3 * kDay) + "\n" + "old|" +
              triad::rfc3339_utc(now - 50 * kDay) + "|" + triad::rfc3339_utc(now - 60 * kDay) + "\n");
    CHECK(sqlite3(db, "SELECT began_at, last_scan_at FROM pending_tracking WHERE host = 'web1'") ==
          triad::rfc3339_utc(now - 60 * kDay) + "|" + triad::rfc3339_utc(now - 2 * kDay) + "\n");
    CHECK(sqlite3(db, "SELECT count(*) FROM pending_updates WHERE host = 'web3' AND not_pending_at IS NULL") == "3\n");

    auto history = [&](const std::string& host) {
        return std::vector<std::string>{"--history", "sqlite://" + db, "--history-host", host};
    };
    // web1: old fails (50 days, from the history); fresh (2 days) and untracked (not pending in
    // the newest recorded scan, so new since) have known ages within 30 days.
    Verdict v = pending_age_check(root, history("web1"));
    CHECK(v.verdict == "fail");
    REQUIRE(v.evidence.count("old") == 1);
    CHECK(v.evidence.size() == 1);
    CHECK(v.evidence.at("old")->getValue<std::string>("pending_days") == "50");
    CHECK(v.evidence.at("old")->getValue<std::string>("pending_since") == [&] {
        std::tm tm{};
        const std::time_t t = now - 50 * kDay;
        ::gmtime_r(&t, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
        return std::string(buf);
    }());
    CHECK(v.evidence.at("old")->getValue<std::string>("pending_since_source").find("first seen pending by triad") == 0);
    CHECK(v.reason.find("undecided") == std::string::npos);

    // Once old is upgraded the record goes; pending again later, it starts anew: its age is
    // known (new since the newest recorded scan, a day ago) and the check passes.
    {
        auto store = triad::store::ScanStore::open("sqlite://" + db).value();
        record(*store, "web1", now - kDay, {"fresh", "untracked"});
    }
    CHECK(sqlite3(db, "SELECT package FROM pending_updates WHERE host = 'web1' ORDER BY package") ==
          "fresh\nuntracked\n");
    CHECK(pending_age_check(root, history("web1")).verdict == "pass");

    // web3: pending since before tracking began 10 days ago: their age is unknown.
    v = pending_age_check(root, history("web3"));
    CHECK(v.verdict == "error");
    CHECK(v.evidence.size() == 3);
    CHECK(v.reason.find("the age of this pending update is unknown: it was already pending in the first scan of host "
                        "web3") != std::string::npos);

    // web4: untracked was already pending 40 days ago: that alone proves it old. old and fresh
    // became pending within the 40 days since the only recorded scan: not known to be older
    // than 30 days, not known to be younger.
    v = pending_age_check(root, history("web4"));
    CHECK(v.verdict == "fail");
    CHECK(v.evidence.size() == 1);
    CHECK(v.evidence.count("untracked") == 1);
    CHECK_MESSAGE(v.reason.find("2 more objects undecided (fresh: pending_over_limit: the update became pending between") != std::string::npos, v.reason);
    CHECK(v.reason.find("the scans were too far apart") != std::string::npos);

    // web5: old was upgraded since it was seen pending, and is pending again: the history
    // cannot date the update now pending. fresh and untracked are new since 5 days ago.
    v = pending_age_check(root, history("web5"));
    CHECK(v.verdict == "error");
    CHECK(v.evidence.size() == 1);
    CHECK(v.evidence.count("old") == 1);
    CHECK(v.reason.find("old was upgraded from 0.9-1 to 1.0-1 since it was seen pending") != std::string::npos);

    // A host the store has no history of: every pending update's age is unknown.
    v = pending_age_check(root, history("web2"));
    CHECK(v.verdict == "error");
    CHECK(v.evidence.size() == 3);
    CHECK(v.reason.find("has no pending-update history of host web2") != std::string::npos);

    // No history given at all: the reason says how to get one.
    v = pending_age_check(root, {});
    CHECK(v.verdict == "error");
    CHECK(v.evidence.size() == 3);
    CHECK(v.reason.find("run triadd") != std::string::npos);
    CHECK(v.reason.find("--history URL") != std::string::npos);
}

TEST_CASE("pending update age: nothing pending passes, with or without history") {
    TempDir dir;
    const std::string root = dir / "root";
    write_root(root, std::time(nullptr) - 100 * kDay, /*any_pending=*/false);
    CHECK(pending_age_check(root, {}).verdict == "pass");
}

TEST_CASE("pending update age: without history, old package lists alone prove an update old") {
    TempDir dir;
    const std::string root = dir / "root";
    write_root(root, std::time(nullptr) - 45 * kDay);
    const Verdict v = pending_age_check(root, {});
    CHECK(v.verdict == "fail");
    REQUIRE(v.evidence.count("old") == 1);
    CHECK(v.evidence.size() == 3);
    CHECK(v.evidence.at("old")->getValue<std::string>("pending_days") == "45");
    CHECK(v.evidence.at("old")->getValue<std::string>("pending_since_source") ==
          "Release Date of /var/lib/apt/lists/example.org_debian_dists_bookworm-updates_Release "
          "(the candidate was published by then)");
}

TEST_CASE("triad scan --history: a missing store or a wrong URL is refused, never created") {
    TempDir dir;
    const std::string root = dir / "root";
    write_root(root, std::time(nullptr) - kDay);
    const std::string policy = triad::test::source_dir() + "/rules/policies/patch-levels.yml";
    auto missing = triad::test::run_triad({"scan", "--root", root, "--policy", policy, "--history",
                                           "sqlite://" + (dir / "none.db"), "--history-host", "h"});
    CHECK(missing.exit_code == 3);
    CHECK(missing.err.find("no store file") != std::string::npos);
    CHECK(::access((dir / "none.db").c_str(), F_OK) != 0);
    auto wrong = triad::test::run_triad({"scan", "--root", root, "--policy", policy, "--history", "mysql://x/y"});
    CHECK(wrong.exit_code == 2);
    auto lone = triad::test::run_triad({"scan", "--root", root, "--policy", policy, "--history-host", "h"});
    CHECK(lone.exit_code == 2);
}

TEST_CASE("packages collector: the pending_* fields from a history handed in through the scan's inputs") {
    using namespace triad::scanner;
    TempDir dir;
    const std::string root_dir = dir / "root";
    const std::time_t now = std::time(nullptr);
    write_root(root_dir, now - 3 * kDay);
    auto root = Sysroot::open(root_dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    ScanMemo memo;
    PendingHistory history{"sqlite:///fixture.db", "h", "", now - 20 * kDay, now - 2 * kDay, {}};
    history.pending.push_back({"old", "amd64", "1.0-1", "1.1-1", now - 10 * kDay, now - 11 * kDay - 3600});
    history.pending.push_back({"untracked", "amd64", "1.0-1", "1.1-1", now - 20 * kDay, std::nullopt});
    memo.get<ScanInputs>() = ScanInputs{"", now, history};
    auto field = [](const Fact& f, const char* name) { return triad::test::field_text(f, kPackagesCollector.fields, name); };
    auto find = [](const FactSet& facts, const std::string& name) {
        const Fact* f = triad::test::find_object(facts, name);
        REQUIRE_MESSAGE(f, "no object " << name);
        return *f;
    };

    SelectArgs args;
    args.values["pending_limit_days"] = std::int64_t{11};
    const FactSet facts = kPackagesCollector.collect(CollectContext{root, ids, nullptr, nullptr, nullptr, nullptr, &memo}, args);
    const Fact old = find(facts, "old");
    CHECK(field(old, "pending_days") == "10");
    CHECK(field(old, "pending_age_known") == "true");
    CHECK(field(old, "pending_days_max") == "12");  // 11 days and an hour, rounded up
    // 10 days proven, 11 days and an hour possible: not decided against 11 days.
    REQUIRE(old.field_error(kPkgPendingOverLimit));
    CHECK(old.field_error(kPkgPendingOverLimit)->find("whether that is more than 11 days ago is not known") !=
          std::string::npos);
    const Fact untracked = find(facts, "untracked");
    CHECK(field(untracked, "pending_days") == "20");  // the history beats the 3-day-old lists
    CHECK(field(untracked, "pending_age_known") == "false");
    CHECK(field(untracked, "pending_days_max") == "(absent)");
    CHECK(field(untracked, "pending_over_limit") == "true");
    const Fact fresh = find(facts, "fresh");  // not in the newest recorded scan, two days ago
    CHECK(field(fresh, "pending_days") == "0");
    CHECK(field(fresh, "pending_days_max") == "2");
    CHECK(field(fresh, "pending_over_limit") == "false");
    const Fact current = find(facts, "current");
    CHECK(field(current, "pending_since") == "(absent)");
    CHECK(field(current, "pending_age_known") == "(absent)");
    // The pending set this scan saw, for triadd to record.
    const auto seen = memo.get<ScanOutputs>().pending();
    REQUIRE(seen);
    CHECK(seen->size() == 3);
    CHECK(seen->front() == PendingObservation{"fresh", "amd64", "1.0-1", "1.1-1"});

    args.values["pending_limit_days"] = std::int64_t{-1};
    const FactSet negative = kPackagesCollector.collect(CollectContext{root, ids, nullptr, nullptr, nullptr, nullptr, &memo}, args);
    REQUIRE(find(negative, "old").field_error(kPkgPendingOverLimit));
    CHECK(find(negative, "old").field_error(kPkgPendingOverLimit)->find("must be 0 or more") != std::string::npos);
}
