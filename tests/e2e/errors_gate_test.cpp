// SPDX-License-Identifier: Apache-2.0
// Errors must not look like success (issue 9, class 6): a root that cannot be read is a scan
// that cannot run (exit 3); a check that errors fails the --fail-on gate unless
// --allow-errors; every score comes with its coverage, and a scan that mostly errored shows
// no score at all; a sysctl.d the scanning user may not list is an error, not "unset".
// Run as user nobody on fixture roots built by root.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "tests/e2e/fixture_root.h"
#include "tests/test_support.h"

using triad::test::TempDir;
using namespace triad::test::fixture;

namespace {

const std::vector<std::string> kAsNobody = {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"};

// nobody must reach the binary and the policies; otherwise the test would prove nothing.
bool nobody_can_run(const std::string& dir) {
    std::vector<std::string> argv = kAsNobody;
    argv.insert(argv.end(), {"sh", "-c", "test -x \"$0\" && test -r \"$1\" && test -x \"$2\"", triad::test::triad_binary(),
                             policy_path(), dir});
    auto r = triad::test::run(argv);
    if (r.exit_code != 0) MESSAGE("skipped: nobody cannot reach the triad binary, the policy or the test directory");
    return r.exit_code == 0;
}

triad::test::RunResult triad_as_nobody(const std::vector<std::string>& args) {
    std::vector<std::string> argv = kAsNobody;
    argv.push_back(triad::test::triad_binary());
    argv.insert(argv.end(), args.begin(), args.end());
    return triad::test::run(argv);
}

// The one result of a --only scan's JSON report: verdict and reason.
std::pair<std::string, std::string> only_result(const std::string& json) {
    try {
        auto doc = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
        auto r = doc->getArray("results")->getObject(0);
        return {r->getValue<std::string>("verdict"), r->getValue<std::string>("reason")};
    } catch (const std::exception& e) {
        return {"not JSON", e.what()};
    }
}

std::string memory_policy() { return triad::test::source_dir() + "/rules/policies/memory-protection.yml"; }

}  // namespace

TEST_CASE("errors: a root the scanning user cannot read is exit 3, never a clean report") {
    if (!can_build_fixtures()) return;
    TempDir t;
    REQUIRE(::chmod(t.path().c_str(), 0755) == 0);
    if (!nobody_can_run(t.path())) return;
    const std::string root = t / "root";
    REQUIRE(build_fixture(root, "pass"));
    for (mode_t mode : {mode_t{0000}, mode_t{0711}}) {
        CAPTURE(mode);
        REQUIRE(::chmod(root.c_str(), mode) == 0);
        auto r = triad_as_nobody({"scan", "--root", root, "--policy", policy_path(), "--format", "json"});
        CHECK(r.exit_code == 3);
        CHECK(r.out.empty());  // no report: nothing that could be taken for a result
        CHECK(r.err.find("cannot read root") != std::string::npos);
        CHECK(r.err.find(root) != std::string::npos);
    }
    REQUIRE(::chmod(root.c_str(), 0755) == 0);
}

TEST_CASE("errors: an error at or above --fail-on fails the gate unless --allow-errors") {
    if (!can_build_fixtures()) return;
    TempDir t;
    REQUIRE(::chmod(t.path().c_str(), 0755) == 0);
    if (!nobody_can_run(t.path())) return;
    const std::string root = t / "root";
    REQUIRE(build_fixture(root, "pass"));  // every check passes, for a user who can read it all

    // As nobody, what lists /etc/sudoers.d (0750), the cron directories and the walk errs.
    Scan scan = run_scan(root, {}, kAsNobody);
    REQUIRE(scan.json);
    const auto counts = scan.json->getObject("counts");
    REQUIRE(counts->getValue<int>("error") > 0);
    CHECK(counts->getValue<int>("fail") == 0);
    CHECK(scan.exit_code == 1);  // no failure, but errors: the gate cannot say "clean"

    CHECK(run_scan(root, {"--allow-errors"}, kAsNobody).exit_code == 0);
    // DAC-SUDOERS-D is high; every other erroring check is medium or below (see the
    // unprivileged test's list): --fail-on critical has nothing at its level.
    CHECK(run_scan(root, {"--fail-on", "critical"}, kAsNobody).exit_code == 0);
    CHECK(run_scan(root, {"--fail-on", "high", "--only", "DAC-SUDOERS-D"}, kAsNobody).exit_code == 1);

    // Coverage beside each score: decided = selected checks bearing on it, minus errors.
    const auto coverage = scan.json->getObject("scores")->getObject("coverage");
    REQUIRE(coverage);
    const auto overall = coverage->getObject("overall");
    CHECK(overall->getValue<int>("selected") == static_cast<int>(scan.by_id.size()));
    CHECK(overall->getValue<int>("decided") == overall->getValue<int>("selected") - counts->getValue<int>("error"));
    for (const char* pillar : {"confidentiality", "integrity", "availability"}) {
        CAPTURE(pillar);
        const auto c = coverage->getObject(pillar);
        CHECK(c->getValue<int>("decided") <= c->getValue<int>("selected"));
    }
    // The console shows the coverage beside the score.
    auto console = triad_as_nobody({"scan", "--root", root, "--policy", policy_path(), "--no-color"});
    CHECK(console.out.find("decided)") != std::string::npos);
}

TEST_CASE("errors: a scan whose checks mostly errored shows no score, not 100") {
    if (!can_build_fixtures()) return;
    TempDir t;
    REQUIRE(::chmod(t.path().c_str(), 0755) == 0);
    if (!nobody_can_run(t.path())) return;
    const std::string root = t / "root";
    REQUIRE(build_fixture(root, "pass"));
    // /etc closed: nobody can stat nothing below it, so nearly every check errs, and what
    // is left (the walk's errors aside) would pass.
    REQUIRE(::chmod((root + "/etc").c_str(), 0700) == 0);
    Scan scan = run_scan(root, {}, kAsNobody);
    REQUIRE(scan.json);
    const auto scores = scan.json->getObject("scores");
    const auto coverage = scores->getObject("coverage");
    for (const char* pillar : {"confidentiality", "integrity", "overall"}) {
        CAPTURE(pillar);
        const auto c = coverage->getObject(pillar);
        REQUIRE(c->getValue<int>("decided") * 2 < c->getValue<int>("selected"));
        CHECK(scores->get(pillar).isEmpty());  // null: withheld, never a clean 100
    }
    CHECK(scan.exit_code == 1);
    auto console = triad_as_nobody({"scan", "--root", root, "--policy", policy_path(), "--no-color", "--quiet"});
    CHECK(console.out.find("overall n/a (") != std::string::npos);
    CHECK(console.out.find("100.0") == std::string::npos);
}

TEST_CASE("errors: a sysctl.d the scanning user cannot list is an error, not an unset key") {
    if (!can_build_fixtures()) return;
    TempDir t;
    REQUIRE(::chmod(t.path().c_str(), 0755) == 0);
    if (!nobody_can_run(t.path())) return;
    const std::string root = t / "root";
    triad::test::make_dirs(root + "/etc/sysctl.d");
    // A file nobody could read, in a directory nobody may list: it lowers ASLR at boot.
    triad::test::write_file(root + "/etc/sysctl.d/10-weak.conf", "kernel.randomize_va_space = 0\n", 0644);
    const std::vector<std::string> args = {"scan", "--root", root, "--policy", memory_policy(), "--format", "json",
                                           "--only", "MEM-ASLR-CONFIGURED"};
    auto readable = triad_as_nobody(args);
    CHECK(only_result(readable.out).first == "fail");

    REQUIRE(::chmod((root + "/etc/sysctl.d").c_str(), 0700) == 0);
    auto closed = triad_as_nobody(args);
    const auto [verdict, reason] = only_result(closed.out);
    CHECK(verdict == "error");
    CHECK(reason.find("/etc/sysctl.d") != std::string::npos);
    CHECK(reason.find("ermission denied") != std::string::npos);
    CHECK(closed.exit_code == 1);
}
