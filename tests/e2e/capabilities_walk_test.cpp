// SPDX-License-Identifier: Apache-2.0
// DAC-CAPABILITIES-ALLOWLIST reads file capabilities in the shared walk only where one can be
// used: on executable files and on files a non-root owner could make executable. A
// capability on a root-owned file nobody can execute grants nothing, and skipping those
// keeps the walk near find's cost. This pins that boundary against real setcap'd files.
#include <doctest/doctest.h>
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <set>

#include "tests/test_support.h"

using triad::test::TempDir;
using triad::test::write_file;

TEST_CASE("the capability walk check sees every capability someone can use") {
    TempDir dir;
    const std::string root = dir / "root";
    write_file(root + "/etc/passwd", "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
    write_file(root + "/etc/group", "root:x:0:\nalice:x:1000:\n");
    write_file(root + "/usr/local/bin/exec-root", "ELF", 0755);         // executable: found
    write_file(root + "/home/alice/not-exec-user", "ELF", 0644);        // alice can chmod +x: found
    REQUIRE(::chown((root + "/home/alice/not-exec-user").c_str(), 1000, 1000) == 0);
    write_file(root + "/usr/share/not-exec-root", "ELF", 0644);         // only root could use it: skipped
    for (const char* f : {"/usr/local/bin/exec-root", "/home/alice/not-exec-user", "/usr/share/not-exec-root"}) {
        auto set = triad::test::sh("setcap cap_net_raw=ep '" + root + f + "'");
        REQUIRE_MESSAGE(set.exit_code == 0, set.err);
    }
    auto r = triad::test::run_triad({"scan", "--root", root, "--policy",
                                     triad::test::source_dir() + "/rules/policies/file-permissions.yml", "--only",
                                     "DAC-CAPABILITIES-ALLOWLIST", "--format", "json"});
    REQUIRE_MESSAGE(r.exit_code == 1, r.err);
    auto doc = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
    auto result = doc->getArray("results")->getObject(0);
    CHECK(result->getValue<std::string>("verdict") == "fail");
    std::set<std::string> objects;
    auto evidence = result->getArray("evidence");
    for (std::size_t i = 0; i < evidence->size(); ++i) objects.insert(evidence->getObject(i)->getValue<std::string>("object"));
    CHECK(objects == std::set<std::string>{"/home/alice/not-exec-user", "/usr/local/bin/exec-root"});
}
