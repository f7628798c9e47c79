// SPDX-License-Identifier: Apache-2.0
// The walk against find(1), the reference for set-id and world-writable files: on the same
// tree both must name the same objects. The one deliberate difference — find -perm -0002
// matches symlinks, whose 0777 mode means nothing — is expressed in the find command, and
// docs/walk.md explains it.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <set>
#include <sstream>

#include "tests/test_support.h"

using triad::test::TempDir;
using triad::test::write_file;

namespace {

std::set<std::string> lines_of(const std::string& text) {
    std::set<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.insert(line);
    return out;
}

}  // namespace

TEST_CASE("setuid, setgid and world-writable objects agree with find") {
    TempDir dir;
    const std::string root = dir / "root";
    write_file(root + "/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    write_file(root + "/etc/group", "root:x:0:\n");
    for (int i = 0; i < 12; ++i) {
        const std::string n = std::to_string(i);
        write_file(root + "/usr/bin/suid" + n, "x", 04755);
        write_file(root + "/usr/bin/sgid" + n, "x", 02755);
        write_file(root + "/usr/bin/both" + n, "x", 06755);
        write_file(root + "/srv/ww" + n, "x", 0666);
        write_file(root + "/srv/plain" + n, "x", 0644);
        triad::test::make_dirs(root + "/srv/wwdir" + n, 0777);
        triad::test::make_dirs(root + "/srv/sticky" + n, 01777);
    }
    triad::test::make_dirs(root + "/srv/setgid-dir", 02775);  // a setgid directory is not a set-id program
    REQUIRE(::symlink("/usr/bin/suid0", (root + "/srv/link").c_str()) == 0);
    REQUIRE(::mkfifo((root + "/srv/fifo").c_str(), 0666) == 0);
    ::chmod((root + "/srv/fifo").c_str(), 0666);

    const std::string policy = dir / "p.yml";
    write_file(policy, R"(policy: { id: find-agreement, title: t, version: "1" }
checks:
  - id: F-SUID
    title: setuid
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: files, where: { setuid: true } }
    expect: none
  - id: F-SGID
    title: setgid
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: files, where: { setgid: true } }
    expect: none
  - id: F-WW
    title: world-writable
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: files, where: { world_writable: true } }
    expect: none
)");
    auto r = triad::test::run_triad({"scan", "--root", root, "--policy", policy, "--format", "json"});
    REQUIRE_MESSAGE(r.exit_code == 1, r.err);
    auto results = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>()->getArray("results");

    auto find = [&](const std::string& test) {
        auto f = triad::test::sh("cd '" + root + "' && find . -xdev " + test + " | sed 's|^\\.||'");
        REQUIRE(f.exit_code == 0);
        return lines_of(f.out);
    };
    const std::set<std::string> expected[] = {
        find("-type f -perm -4000"),
        find("-type f -perm -2000"),
        find("! -type l -perm -0002"),
    };
    for (std::size_t i = 0; i < 3; ++i) {
        auto result = results->getObject(static_cast<unsigned>(i));
        CAPTURE(result->getValue<std::string>("id"));
        auto evidence = result->getArray("evidence");
        REQUIRE(result->getValue<std::size_t>("evidence_total") == evidence->size());  // all listed
        std::set<std::string> objects;
        for (std::size_t k = 0; k < evidence->size(); ++k)
            objects.insert(evidence->getObject(static_cast<unsigned>(k))->getValue<std::string>("object"));
        CHECK(objects == expected[i]);
        CHECK(objects.size() >= 24);
    }
}
