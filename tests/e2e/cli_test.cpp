// SPDX-License-Identifier: Apache-2.0
// The command line as users and CI meet it: exit codes, errors with positions, --output.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <set>
#include <sstream>

#include "tests/test_support.h"

using triad::test::run_triad;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

// A root with one weak file (world-writable passwd) and one strong one, and a policy on both.
struct Fixture {
    TempDir dir;
    std::string root = dir / "root";
    std::string policy = dir / "policy.yml";
    Fixture() {
        write_file(root + "/etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0666);
        write_file(root + "/etc/group", "root:x:0:\n", 0644);
        write_file(policy, R"(policy: { id: cli, title: cli test, version: "2" }
checks:
  - id: CLI-PASSWD
    title: /etc/passwd is not writable by others
    severity: medium
    impact: { c: none, i: high, a: none }
    tags: [dac]
    select: { collector: file, path: /etc/passwd }
    expect: { field: mode, at_most: "0644" }
  - id: CLI-GROUP
    title: /etc/group is not writable by others
    severity: high
    impact: { c: none, i: high, a: none }
    tags: [dac]
    select: { collector: file, path: /etc/group }
    expect: { field: mode, at_most: "0644" }
  - id: CLI-GONE
    title: a file that is not there
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: file, path: /etc/nothing }
    expect: { field: mode, at_most: "0600" }
)");
    }
};

Poco::JSON::Object::Ptr parse(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

TEST_CASE("--help and --version are true and exit 0") {
    auto help = run_triad({"--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("scan") != std::string::npos);
    auto scan_help = run_triad({"scan", "--help"});
    CHECK(scan_help.exit_code == 0);
    for (const char* opt : {"--policy", "--root", "--format", "--output", "--only", "--skip", "--fail-on", "--jobs"})
        CHECK(scan_help.out.find(opt) != std::string::npos);
    auto version = run_triad({"--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.out == std::string("triad ") + TRIAD_VERSION + "\n");
}

TEST_CASE("usage errors exit 2 with one line on stderr") {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"frobnicate"}, {"scan", "--format", "xml"}, {"scan", "--fail-on", "severe"},
             {"scan", "--jobs", "0"}, {"scan", "--bogus"}, {"scan", "--only", "NO-SUCH-CHECK"}}) {
        CAPTURE(args.back());
        auto r = run_triad(args);
        CHECK(r.exit_code == 2);
        CHECK(r.err.starts_with("triad: "));
        CHECK(r.out.empty());
    }
}

TEST_CASE("exit codes follow --fail-on; a root that cannot be opened exits 3") {
    Fixture fx;
    auto base = std::vector<std::string>{"scan", "--root", fx.root, "--policy", fx.policy, "--format", "json"};
    auto with = [&](std::vector<std::string> extra) {
        auto args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        return run_triad(args);
    };
    CHECK(with({}).exit_code == 1);                          // a medium check fails
    CHECK(with({"--fail-on", "medium"}).exit_code == 1);
    CHECK(with({"--fail-on", "high"}).exit_code == 0);       // the high check passes
    CHECK(with({"--skip", "CLI-PASSWD"}).exit_code == 0);
    CHECK(with({"--only", "CLI-G*"}).exit_code == 0);

    auto missing = run_triad({"scan", "--root", fx.dir / "nope", "--policy", fx.policy});
    CHECK(missing.exit_code == 3);
    CHECK(missing.err.find(fx.dir / "nope") != std::string::npos);
}

TEST_CASE("the JSON result carries the documented fields and verdicts") {
    Fixture fx;
    auto r = run_triad({"scan", "--root", fx.root, "--policy", fx.policy, "--format", "json"});
    REQUIRE_MESSAGE(r.exit_code == 1, r.err);
    auto doc = parse(r.out);
    CHECK(doc->getValue<std::string>("schema") == "triad.result/1");
    CHECK(doc->getObject("tool")->getValue<std::string>("name") == "triad");
    CHECK(doc->getObject("target")->getValue<std::string>("root") == fx.root);
    CHECK(doc->getArray("policies")->getObject(0)->getValue<std::string>("version") == "2");
    auto counts = doc->getObject("counts");
    CHECK(counts->getValue<int>("pass") == 1);
    CHECK(counts->getValue<int>("fail") == 1);
    CHECK(counts->getValue<int>("not_applicable") == 1);
    // integrity: CLI-GROUP (6) passes, CLI-PASSWD (3) fails: 6 / 9.
    auto scores = doc->getObject("scores");
    CHECK(scores->getValue<double>("integrity") == doctest::Approx(66.7));
    CHECK(scores->isNull("confidentiality"));
    CHECK(scores->getValue<std::string>("weakest") == "integrity");

    auto results = doc->getArray("results");
    REQUIRE(results->size() == 3);
    auto passwd = results->getObject(0);
    CHECK(passwd->getValue<std::string>("id") == "CLI-PASSWD");
    CHECK(passwd->getValue<std::string>("verdict") == "fail");
    auto evidence = passwd->getArray("evidence")->getObject(0);
    CHECK(evidence->getValue<std::string>("object") == "/etc/passwd");
    CHECK(evidence->getObject("observed")->getValue<std::string>("mode") == "0666");
    CHECK(passwd->getValue<int>("evidence_total") == 1);
    CHECK(passwd->getValue<std::string>("expected") == "mode at_most 0644");
    auto gone = results->getObject(2);
    CHECK(gone->getValue<std::string>("verdict") == "not_applicable");
    CHECK(gone->getValue<std::string>("reason") == "does not exist: /etc/nothing");
}

TEST_CASE("--output writes atomically with mode 0640 and keeps the old report when a run fails") {
    Fixture fx;
    std::string out = fx.dir / "report.json";
    auto r = run_triad({"scan", "--root", fx.root, "--policy", fx.policy, "--format", "json", "--output", out});
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    struct stat st {};
    REQUIRE(::stat(out.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);
    std::string first = triad::test::read_file(out);
    CHECK(parse(first)->getValue<std::string>("schema") == "triad.result/1");

    // A policy error stops the run before anything is written.
    write_file(fx.dir / "broken.yml", "policy: [\n");
    auto broken = run_triad({"scan", "--root", fx.root, "--policy", fx.dir / "broken.yml", "--output", out});
    CHECK(broken.exit_code == 2);
    CHECK(triad::test::read_file(out) == first);
    auto leftovers = triad::test::sh("ls '" + fx.dir.path() + "' | grep -c tmp- || true");
    CHECK(leftovers.out == "0\n");
}

TEST_CASE("policy check, rules list and rules explain") {
    Fixture fx;
    auto ok = run_triad({"policy", "check", fx.policy});
    CHECK(ok.exit_code == 0);
    CHECK(ok.out == "ok: 1 policy, 3 checks\n");

    write_file(fx.dir / "bad.yml", "policy: { id: b, title: b, version: \"1\" }\nchecks:\n  - id: B\n    titel: x\n");
    auto bad = run_triad({"policy", "check", fx.dir / "bad.yml"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find(fx.dir / "bad.yml" + ":4:5: unknown key 'titel' in a check (did you mean 'title'?)") !=
          std::string::npos);

    auto list = run_triad({"rules", "list", "--policy", fx.policy});
    CHECK(list.exit_code == 0);
    CHECK(list.out.find("CLI-PASSWD") != std::string::npos);
    auto list_json = run_triad({"rules", "list", "--policy", fx.policy, "--format", "json"});
    CHECK(Poco::JSON::Parser().parse(list_json.out).extract<Poco::JSON::Array::Ptr>()->size() == 3);

    auto explain = run_triad({"rules", "explain", "CLI-GROUP", "--policy", fx.policy});
    CHECK(explain.exit_code == 0);
    CHECK(explain.out.find("mode at_most 0644") != std::string::npos);
    CHECK(run_triad({"rules", "explain", "NOPE", "--policy", fx.policy}).exit_code == 2);
}

TEST_CASE("the console report names failures, scores and the weakest pillar") {
    Fixture fx;
    auto r = run_triad({"scan", "--root", fx.root, "--policy", fx.policy});
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("INTEGRITY") != std::string::npos);
    CHECK(r.out.find("FAIL  medium   CLI-PASSWD") != std::string::npos);
    CHECK(r.out.find("- /etc/passwd: mode=0666") != std::string::npos);
    CHECK(r.out.find("weakest: integrity") != std::string::npos);
    CHECK(r.out.find("\x1b[") == std::string::npos);  // not a terminal: no colour
}

TEST_CASE("--format events streams scan_started, one finding per check, then scan_finished") {
    Fixture fx;
    auto r = run_triad({"scan", "--root", fx.root, "--policy", fx.policy, "--format", "events"});
    CHECK(r.exit_code == 1);
    std::vector<Poco::JSON::Object::Ptr> events;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) events.push_back(parse(line));
    REQUIRE(events.size() == 5);
    CHECK(events.front()->getValue<std::string>("event") == "scan_started");
    CHECK(events.front()->getValue<int>("checks") == 3);
    std::set<std::string> ids;
    for (std::size_t i = 1; i + 1 < events.size(); ++i) {
        CHECK(events[i]->getValue<std::string>("event") == "finding");
        ids.insert(events[i]->getObject("result")->getValue<std::string>("id"));
    }
    CHECK(ids == std::set<std::string>{"CLI-PASSWD", "CLI-GROUP", "CLI-GONE"});
    CHECK(events.back()->getValue<std::string>("event") == "scan_finished");
    CHECK(events.back()->getObject("counts")->getValue<int>("fail") == 1);
    CHECK(run_triad({"scan", "--root", fx.root, "--policy", fx.policy, "--format", "events", "--output", fx.dir / "x"})
              .exit_code == 2);
}
