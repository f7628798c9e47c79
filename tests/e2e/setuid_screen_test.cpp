// SPDX-License-Identifier: Apache-2.0
// package_integrity with `setuid: true` takes the set-id bits of a directory the scan's walk
// listed in full from the walk, and stats every other file itself: the verdict and evidence
// are the same whether the walk covered a package file's directory or not (outside its
// scope, below its depth limit, in a subtree it pruned, spelled through a directory symlink),
// on one thread or several, and with no walk in the scan at all.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>

#include "tests/e2e/policy_checks.h"
#include "tests/test_support.h"

using triad::test::TempDir;
using triad::test::write_file;

namespace {

namespace fixture = triad::test::fixture;

std::string md5_of(const std::string& path) {
    auto r = triad::test::run({"md5sum", path});
    REQUIRE(r.exit_code == 0);
    return r.out.substr(0, 32);
}

// A walk of /usr/bin to depth 1 that prunes /usr/bin/private, beside the setuid integrity
// check of the shipped policy.
constexpr const char* kPolicy = R"(policy: { id: setuid-screen, title: setuid screen, version: "1" }
checks:
  - id: T-SETUID-FILES
    title: setuid files in /usr/bin
    severity: low
    impact: { c: low, i: none, a: none }
    select:
      collector: files
      paths: [/usr/bin]
      max_depth: 1
      exclude: [/usr/bin/private/**]
      where: { type: file, setuid: true }
    expect: { field: uid, eq: 0 }
  - id: T-INTEGRITY-SETUID
    title: No package-owned setuid or setgid file differs from its package
    severity: high
    impact: { c: high, i: high, a: low }
    evidence: [package, status, kind, expected, actual]
    select:
      collector: package_integrity
      setuid: true
      conffiles: false
    expect: none
)";

struct PackageFile {
    const char* path;   // as md5sums lists it
    const char* content;
    mode_t mode;
    bool changed;       // the md5sums line records another digest
};

// Changed set-id files in every place the walk may or may not have listed, intact and
// unprivileged changed ones beside them; /bin is the merged-/usr symlink to usr/bin.
constexpr PackageFile kFiles[] = {
    {"usr/bin/changed-suid", "changed\n", 04755, true},      // a directory the walk listed
    {"usr/bin/intact-suid", "intact\n", 04755, false},
    {"usr/bin/changed-plain", "plain\n", 0755, true},        // changed, but not set-id
    {"bin/legacy-sgid", "legacy\n", 02755, true},            // the same directory, through /bin
    {"usr/bin/deep/deep-suid", "deep\n", 04755, true},       // below the walk's depth limit
    {"usr/bin/private/hidden-suid", "hidden\n", 04755, true},  // in a subtree the walk pruned
    {"opt/app/bin/outside-suid", "outside\n", 04755, true},  // outside every walk scope
    {"usr/bin/gone-suid", "", 0, true},                      // listed, not on disk
};

const std::set<std::string> kExpected = {"/usr/bin/changed-suid", "/bin/legacy-sgid", "/usr/bin/deep/deep-suid",
                                         "/usr/bin/private/hidden-suid", "/opt/app/bin/outside-suid"};

void write_root(const std::string& root) {
    write_file(root + "/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    write_file(root + "/etc/group", "root:x:0:\n");
    triad::test::make_dirs(root + "/usr/bin");
    REQUIRE(::symlink("usr/bin", (root + "/bin").c_str()) == 0);
    std::string md5sums;
    for (const PackageFile& f : kFiles) {
        const std::string at = root + "/" + f.path;
        if (f.mode != 0) {
            write_file(at, f.content, 0755);
            REQUIRE(::chmod(at.c_str(), f.mode) == 0);  // write_file's mode is under the umask
        }
        const std::string digest = f.changed ? "0123456789abcdef0123456789abcdef" : md5_of(at);
        md5sums += digest + "  " + f.path + "\n";
    }
    write_file(root + "/var/lib/dpkg/info/suid.md5sums", md5sums);
    write_file(root + "/var/lib/dpkg/status",
               "Package: suid\nStatus: install ok installed\nMaintainer: T <t@example.org>\nArchitecture: amd64\n"
               "Version: 1.0\nDescription: set-id programs\n\n");
}

fixture::Scan scan(const std::string& root, const std::string& policy, const std::vector<std::string>& extra) {
    std::vector<std::string> args{"scan", "--root", root, "--policy", policy, "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return fixture::scan_json(args);
}

}  // namespace

TEST_CASE("setuid integrity: the same findings wherever the walk went, on any number of threads, and without a walk") {
    TempDir dir;
    write_root(dir / "root");
    write_file(dir / "policy.yml", kPolicy);
    REQUIRE(triad::test::run({"test", "-u", dir / "root/bin/legacy-sgid"}).exit_code != 0);
    REQUIRE(triad::test::run({"test", "-g", dir / "root/bin/legacy-sgid"}).exit_code == 0);

    const std::vector<std::vector<std::string>> variants = {
        {"--jobs", "1"},
        {"--jobs", "2"},
        {"--jobs", "4"},
        {"--jobs", "1", "--only", "T-INTEGRITY-SETUID"},  // no walk in the scan
        {"--jobs", "2", "--only", "T-INTEGRITY-SETUID"},
    };
    for (const auto& extra : variants) {
        CAPTURE(extra);
        const fixture::Scan s = scan(dir / "root", dir / "policy.yml", extra);
        REQUIRE(s.json);
        CHECK(fixture::verdict(s, "T-INTEGRITY-SETUID") == "fail");
        CHECK(fixture::evidence_objects(s, "T-INTEGRITY-SETUID") == kExpected);
        if (s.by_id.count("T-SETUID-FILES")) {
            // The walk saw the set-id files of /usr/bin itself, and nothing it pruned or did not reach.
            CHECK(fixture::verdict(s, "T-SETUID-FILES") == "pass");
        }
    }
}
