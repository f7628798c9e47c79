// SPDX-License-Identifier: Apache-2.0
// The dpkg file-list reader: a fixture database (a merged-/usr root whose lists name /bin
// paths, a file two packages list, an unreadable list), and this machine's own database
// against `dpkg -S`, the reference, when the machine has dpkg.
#include "scanner/packages/package_files.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::make_dirs;
using triad::test::sh;
using triad::test::TempDir;
using triad::test::write_file;

TEST_CASE("package file lists: merged /usr, shared files, local files") {
    TempDir dir;
    make_dirs(dir / "usr/bin");
    make_dirs(dir / "usr/lib/x86_64-linux-gnu");
    REQUIRE(sh("ln -s usr/bin '" + dir.path() + "/bin' && ln -s usr/lib '" + dir.path() + "/lib'").exit_code == 0);
    write_file(dir / "var/lib/dpkg/info/coreutils.list", "/.\n/bin\n/bin/ls\n/usr/share/doc/coreutils\n");
    write_file(dir / "var/lib/dpkg/info/libc6:amd64.list", "/.\n/lib/x86_64-linux-gnu/libc.so.6\n/usr/share/doc/shared\n");
    write_file(dir / "var/lib/dpkg/info/other.list", "/usr/share/doc/shared\n");
    write_file(dir / "var/lib/dpkg/info/other.md5sums", "not a list\n");
    auto root = Sysroot::open(dir.path()).value();

    auto index = PackageFileIndex::load(root);
    REQUIRE(index);
    CHECK(index->has_database());
    CHECK(index->package_count() == 3);
    // Listed under /bin, found by a walk under /usr/bin.
    CHECK(index->owner("/usr/bin/ls") == "coreutils");
    CHECK(index->owner("/usr/lib/x86_64-linux-gnu/libc.so.6") == "libc6:amd64");
    CHECK(index->owner("/usr/share/doc/shared") == "libc6:amd64, other");
    CHECK_FALSE(index->owner("/usr/local/bin/tool").has_value());
    CHECK_FALSE(index->owner("/usr/bin/other.md5sums").has_value());

    // The memo answers the same index until the database changes.
    PackageFilesMemo memo;
    auto first = memo.get(root);
    REQUIRE(first);
    auto second = memo.get(root);
    REQUIRE(second);
    CHECK(first->get() == second->get());
    write_file(dir / "var/lib/dpkg/info/newpkg.list", "/usr/bin/new\n");
    REQUIRE(sh("touch -d '+1 hour' '" + dir.path() + "/var/lib/dpkg/info'").exit_code == 0);
    auto third = memo.get(root);
    REQUIRE(third);
    CHECK((*third)->owner("/usr/bin/new") == "newpkg");
}

TEST_CASE("package file lists: no database owns nothing, and an unreadable list is an error naming it") {
    TempDir dir;
    make_dirs(dir / "etc");
    auto root = Sysroot::open(dir.path()).value();
    auto none = PackageFileIndex::load(root);
    REQUIRE(none);
    CHECK_FALSE(none->has_database());
    CHECK_FALSE(none->owner("/usr/bin/ls").has_value());

    make_dirs(dir / "var/lib/dpkg/info/broken.list");  // a directory where a list should be
    auto broken = PackageFileIndex::load(root);
    REQUIRE_FALSE(broken);
    CHECK(broken.error().describe().find("/var/lib/dpkg/info/broken.list") != std::string::npos);
}

// Every regular file of /usr/bin on this machine: triad's owner must be what `dpkg -S` says
// for the path or its unmerged spelling (/bin/ls where dpkg knows only that one).
TEST_CASE("package file lists agree with dpkg -S on this machine") {
    if (sh("command -v dpkg-query >/dev/null && test -d /var/lib/dpkg/info").exit_code != 0) {
        MESSAGE("skipped: this machine has no dpkg database");
        return;
    }
    auto root = Sysroot::open("/").value();
    auto index = PackageFileIndex::load(root);
    REQUIRE(index);

    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator("/usr/bin")) {
        const std::string path = e.path().string();
        // dpkg -S takes wildcards as patterns: leave such names out.
        if (e.is_symlink() || !e.is_regular_file() || path.find_first_of("*?[]\\ ") != std::string::npos) continue;
        files.push_back(path);
    }
    REQUIRE(files.size() > 10);
    std::string args;
    for (const std::string& f : files) args += " '" + f + "' '" + f.substr(4) + "'";
    auto r = sh("dpkg -S" + args + " 2>/dev/null", 300);
    std::map<std::string, std::set<std::string>> dpkg;  // canonical path -> packages
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("diversion by")) continue;
        const std::size_t sep = line.find(": /");
        if (sep == std::string::npos) continue;
        std::string path = line.substr(sep + 2);
        if (!path.starts_with("/usr/")) path = "/usr" + path;
        std::istringstream pkgs(line.substr(0, sep));
        for (std::string p; std::getline(pkgs, p, ',');) dpkg[path].insert(p.substr(p.find_first_not_of(' ')));
    }
    std::size_t owned = 0;
    for (const std::string& f : files) {
        CAPTURE(f);
        std::set<std::string> ours;
        if (auto owner = index->owner(f)) {
            std::istringstream pkgs(*owner);
            for (std::string p; std::getline(pkgs, p, ',');) ours.insert(p.substr(p.find_first_not_of(' ')));
            ++owned;
        }
        CHECK(ours == dpkg[f]);
    }
    MESSAGE(owned << " of " << files.size() << " files in /usr/bin are owned by packages");
}
