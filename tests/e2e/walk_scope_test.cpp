// SPDX-License-Identifier: Apache-2.0
// The shared walk charges what it could not read only to the checks whose scope holds it:
// a check of /etc to depth 1 is decided the same whether or not a whole-tree check makes
// the walk try (and fail) to list a directory deeper down.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <map>

#include "tests/test_support.h"

using triad::test::TempDir;
using triad::test::write_file;

namespace {

const std::vector<std::string> kAsNobody = {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"};

constexpr const char* kShallow = R"(
  - id: SHALLOW
    title: nothing world-writable directly in /etc
    severity: low
    impact: { c: none, i: low, a: none }
    select: { collector: files, paths: [/etc], max_depth: 1, where: { world_writable: true } }
    expect: none
)";
constexpr const char* kWhole = R"(
  - id: WHOLE
    title: nothing world-writable anywhere
    severity: low
    impact: { c: none, i: low, a: none }
    select: { collector: files, where: { world_writable: true } }
    expect: none
)";

std::map<std::string, std::string> verdicts(const std::string& root, const std::string& policy) {
    std::vector<std::string> argv = kAsNobody;
    argv.insert(argv.end(), {triad::test::triad_binary(), "scan", "--root", root, "--policy", policy, "--format", "json"});
    auto r = triad::test::run(argv);
    CAPTURE(r.err);
    std::map<std::string, std::string> out;
    auto json = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
    auto results = json->getArray("results");
    for (std::size_t i = 0; i < results->size(); ++i) {
        auto o = results->getObject(static_cast<unsigned>(i));
        out[o->getValue<std::string>("id")] = o->getValue<std::string>("verdict");
    }
    return out;
}

}  // namespace

TEST_CASE("walk errors reach only the checks whose scope holds what could not be read") {
    if (::geteuid() != 0) {
        MESSAGE("skipped: needs root to build the fixture and run the scan as nobody");
        return;
    }
    TempDir t;
    REQUIRE(::chmod(t.path().c_str(), 0755) == 0);
    const std::string root = t / "root";
    write_file(root + "/etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644);
    write_file(root + "/etc/group", "root:x:0:\n", 0644);
    write_file(root + "/etc/private/deeper/file", "x", 0600);
    REQUIRE(::chmod((root + "/etc/private").c_str(), 0700) == 0);  // nobody cannot list it
    const std::string reach_check = "test -x '" + triad::test::triad_binary() + "' && test -r '" + root + "/etc/passwd'";
    std::vector<std::string> reach = kAsNobody;
    reach.insert(reach.end(), {"sh", "-c", reach_check});
    if (triad::test::run(reach).exit_code != 0) {
        MESSAGE("skipped: nobody cannot reach the triad binary or the temporary directory");
        return;
    }
    const std::string header = "policy: { id: scope, title: walk scope, version: \"1\" }\nchecks:";
    write_file(t / "shallow.yml", header + kShallow, 0644);
    write_file(t / "both.yml", header + std::string(kShallow) + kWhole, 0644);

    auto alone = verdicts(root, t / "shallow.yml");
    CHECK(alone["SHALLOW"] == "pass");
    auto together = verdicts(root, t / "both.yml");
    CHECK(together["SHALLOW"] == "pass");  // /etc/private's contents are at depth 2
    CHECK(together["WHOLE"] == "error");   // they are in its scope, and unknown
}
