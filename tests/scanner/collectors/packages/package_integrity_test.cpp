// SPDX-License-Identifier: Apache-2.0
// package_integrity on a root written by the test: a fixture package whose digests md5sum
// computes at test time, and a copy of a real package of this machine (hostname) with its real
// md5sums. Files are changed, removed and replaced by a symlink, a conffile is edited; the
// set of findings must equal what debsums reports for the same root.
#include "scanner/collectors/packages/package_integrity.h"

#include <unistd.h>

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

std::string md5_of(const std::string& path) {
    auto r = triad::test::run({"md5sum", path});
    REQUIRE(r.exit_code == 0);
    return r.out.substr(0, 32);
}

FactSet collect(const std::string& dir) {
    auto root = Sysroot::open(dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    return kPackageIntegrityCollector.collect(CollectContext{root, ids}, SelectArgs{});
}

std::string ifield(const Fact& f, const char* name) { return field_text(f, kPackageIntegrityCollector.fields, name); }

// A root with package `demo` (a binary, a library, a unit, a doc file, two conffiles) and a
// copy of this machine's `hostname` package; returns false when hostname is not installed.
bool write_root(const std::string& root) {
    write_file(root + "/usr/bin/demo", "#!/bin/sh\necho demo\n", 0755);
    write_file(root + "/usr/lib/x86_64-linux-gnu/libdemo.so.1", "not really ELF\n");
    write_file(root + "/lib/systemd/system/demo.service", "[Service]\nExecStart=/usr/bin/demo\n");
    write_file(root + "/usr/share/doc/demo/README", "read me\n");
    write_file(root + "/usr/share/doc/demo/excluded", "");  // path-exclude keeps it out
    write_file(root + "/etc/demo/demo.conf", "setting = 1\n");
    write_file(root + "/etc/demo/other.conf", "x = 2\n");
    write_file(root + "/etc/dpkg/dpkg.cfg.d/excludes", "path-exclude=/usr/share/doc/*/excluded\n");
    std::string md5sums;
    for (const char* p : {"usr/bin/demo", "usr/lib/x86_64-linux-gnu/libdemo.so.1", "lib/systemd/system/demo.service",
                          "usr/share/doc/demo/README", "usr/share/doc/demo/excluded"})
        md5sums += md5_of(root + "/" + p) + "  " + p + "\n";
    write_file(root + "/var/lib/dpkg/info/demo.md5sums", md5sums);
    // dpkg's list of the files each package owns: debsums skips a file whose owner
    // (dpkg-query -S) is not the package, so the reference needs it as dpkg writes it.
    write_file(root + "/var/lib/dpkg/info/demo.list",
               "/usr/bin/demo\n/usr/lib/x86_64-linux-gnu/libdemo.so.1\n/lib/systemd/system/demo.service\n"
               "/usr/share/doc/demo/README\n/usr/share/doc/demo/excluded\n/etc/demo/demo.conf\n/etc/demo/other.conf\n");
    std::string status = "Package: demo\nStatus: install ok installed\nMaintainer: T <t@example.org>\nArchitecture: amd64\nVersion: 1.0\n"
                         "Conffiles:\n /etc/demo/demo.conf " + md5_of(root + "/etc/demo/demo.conf") +
                         "\n /etc/demo/other.conf " + md5_of(root + "/etc/demo/other.conf") +
                         "\n /etc/demo/gone.conf 0123456789abcdef0123456789abcdef remove-on-upgrade\n"
                         "Description: demo\n\n"
                         "Package: removed\nStatus: deinstall ok config-files\nMaintainer: T <t@example.org>\nArchitecture: amd64\nVersion: 1.0\n"
                         "Description: not installed: not verified\n\n";
    bool real = ::access("/var/lib/dpkg/info/hostname.md5sums", R_OK) == 0;
    if (real) {
        // The real package: its md5sums as dpkg wrote them, its files copied from this system.
        const std::string sums = triad::test::read_file("/var/lib/dpkg/info/hostname.md5sums");
        write_file(root + "/var/lib/dpkg/info/hostname.md5sums", sums);
        std::istringstream in(sums);
        std::string list;
        for (std::string line; std::getline(in, line);) {
            const std::string rel = line.substr(34);
            list += "/" + rel + "\n";
            triad::test::make_dirs(std::filesystem::path(root + "/" + rel).parent_path().string());
            std::filesystem::copy_file("/" + rel, root + "/" + rel);
        }
        write_file(root + "/var/lib/dpkg/info/hostname.list", list);
        status += "Package: hostname\nStatus: install ok installed\nMaintainer: T <t@example.org>\nArchitecture: amd64\n"
                  "Version: 3.23\nDescription: h\n\n";
    }
    write_file(root + "/var/lib/dpkg/status", status);
    return real;
}

}  // namespace

TEST_CASE("package_integrity: an intact root has no findings") {
    TempDir dir;
    write_root(dir.path());
    const FactSet facts = collect(dir.path());
    for (const Fact& f : facts) CAPTURE(f.object);
    CHECK(facts.empty());
}

TEST_CASE("package_integrity: changed, missing and replaced files, and an edited conffile, as debsums finds them") {
    TempDir dir;
    const bool real = write_root(dir.path());
    write_file(dir / "usr/bin/demo", "#!/bin/sh\necho trojan\n", 0755);             // changed executable
    std::filesystem::remove(dir / "usr/share/doc/demo/README");                        // missing
    std::filesystem::remove(dir / "usr/lib/x86_64-linux-gnu/libdemo.so.1");           // replaced by a symlink
    REQUIRE(::symlink("/etc/passwd", (dir / "usr/lib/x86_64-linux-gnu/libdemo.so.1").c_str()) == 0);
    write_file(dir / "etc/demo/demo.conf", "setting = 2\n");                           // edited conffile
    if (real) write_file(dir / "bin/hostname", "changed\n", 0755);                     // a real package's binary

    const FactSet facts = collect(dir.path());
    std::map<std::string, const Fact*> by_path;
    for (const Fact& f : facts) {
        REQUIRE_MESSAGE(f.status == FactStatus::ok, f.reason);
        by_path[f.object] = &f;
    }
    REQUIRE(by_path.size() == (real ? 5u : 4u));
    const Fact& demo = *by_path.at("/usr/bin/demo");
    CHECK(ifield(demo, "status") == "changed");
    CHECK(ifield(demo, "package") == "demo");
    CHECK(ifield(demo, "kind") == "executable");
    CHECK(ifield(demo, "conffile") == "false");
    CHECK(ifield(demo, "actual") == md5_of(dir / "usr/bin/demo"));
    CHECK(ifield(*by_path.at("/usr/share/doc/demo/README"), "status") == "missing");
    CHECK(ifield(*by_path.at("/usr/share/doc/demo/README"), "actual") == "(absent)");
    CHECK(ifield(*by_path.at("/usr/lib/x86_64-linux-gnu/libdemo.so.1"), "status") == "not_regular");
    CHECK(ifield(*by_path.at("/usr/lib/x86_64-linux-gnu/libdemo.so.1"), "kind") == "library");
    const Fact& conf = *by_path.at("/etc/demo/demo.conf");
    CHECK(ifield(conf, "status") == "changed");
    CHECK(ifield(conf, "conffile") == "true");
    if (real) {
        CHECK(ifield(*by_path.at("/bin/hostname"), "package") == "hostname");
        CHECK(ifield(*by_path.at("/bin/hostname"), "kind") == "executable");
    }

    if (triad::test::run({"sh", "-c", "command -v debsums"}).exit_code != 0) {
        MESSAGE("cross-check skipped: debsums is not installed");
        return;
    }
    // debsums -a (conffiles too) -s (errors only) on the same root: "debsums: changed file
    // ROOT/PATH (from PKG package)" / "missing file". It follows a symlink (here to a target
    // that does not exist under the root, so: missing); triad names it not_regular.
    auto r = triad::test::run({"debsums", "-a", "-s", "--root=" + dir.path()});
    std::set<std::string> theirs, ours;
    std::istringstream in(r.err);
    for (std::string line; std::getline(in, line);)
        for (const char* what : {"changed file ", "missing file "})
            if (auto at = line.find(what); at != std::string::npos) {
                const std::size_t start = at + std::string(what).size();
                std::string path = line.substr(start, line.find(" (from ", start) - start);
                if (path.starts_with(dir.path())) path.erase(0, dir.path().size());
                theirs.insert(path);
            }
    for (const auto& [path, f] : by_path) ours.insert(path);
    std::string diff;
    for (const std::string& x : ours)
        if (!theirs.count(x)) diff += " +" + x;
    for (const std::string& x : theirs)
        if (!ours.count(x)) diff += " -" + x;
    CHECK_MESSAGE(ours == theirs, "triad +, debsums -:" << diff << "\n" << r.err);
    CHECK(r.exit_code == 2);
}

TEST_CASE("package_integrity: no dpkg status is not_applicable; a package without md5sums is named") {
    TempDir bare;
    FactSet facts = collect(bare.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::not_applicable);

    TempDir dir;
    write_file(dir / "var/lib/dpkg/status", "Package: nosums\nStatus: install ok installed\nArchitecture: all\nVersion: 1\n\n");
    facts = collect(dir.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].object == "nosums (no md5sums)");
    CHECK(ifield(facts[0], "status") == "no_md5sums");
}

TEST_CASE("Conffiles and path-exclude as dpkg writes and applies them") {
    auto c = parse_conffiles("\n /etc/a 0123456789abcdef0123456789abcdef\n /etc/b c 0123456789abcdef0123456789abcdef obsolete\n"
                             " /etc/c newconffile\n /etc/d 0123456789abcdef0123456789abcdef remove-on-upgrade\n");
    REQUIRE(c.size() == 4);
    CHECK(c[0].path == "/etc/a");
    CHECK(c[1].path == "/etc/b c");
    CHECK(c[1].obsolete);
    CHECK(c[2].md5 == "newconffile");
    CHECK(c[3].remove_on_upgrade);
    PathFilters f;
    f.rules = {{true, "/usr/share/doc/*"}, {false, "/usr/share/doc/*/copyright"}};
    CHECK(f.excluded("/usr/share/doc/x/README"));
    CHECK_FALSE(f.excluded("/usr/share/doc/x/copyright"));
    CHECK_FALSE(f.excluded("/usr/bin/x"));
}
