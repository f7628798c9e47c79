// SPDX-License-Identifier: Apache-2.0
// rpm_packages on an rpmdb made at test time with Debian's rpm tools (rpm --initdb, two tiny
// packages from rpmbuild, an rpm --justdb install), as `rpm -qa` lists it, and with no file
// created or changed in the database directory by reading it.
#include "scanner/collectors/packages/rpm_packages.h"

#include <sys/stat.h>

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "scanner/packages/rpm_inventory.h"
#include "tests/scanner/fact_text.h"
#include "tests/scanner/hostile_fixture.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::TempDir;
using triad::test::field_text;
using triad::test::write_file;

namespace {

FactSet collect(const std::string& dir) {
    auto root = Sysroot::open(dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    return kRpmPackagesCollector.collect(CollectContext{root, ids}, SelectArgs{});
}

std::string spec(const std::string& name, const std::string& version, const std::string& epoch) {
    return "Name: " + name + "\nVersion: " + version + "\nRelease: 4.el9\n" + (epoch.empty() ? "" : "Epoch: " + epoch + "\n") +
           "Summary: fixture\nLicense: MIT\nBuildArch: noarch\n%description\nfixture\n%install\nmkdir -p %{buildroot}/opt/" +
           name + "\necho hi > %{buildroot}/opt/" + name + "/f\n%files\n/opt/" + name + "/f\n";
}

}  // namespace

TEST_CASE("rpm_packages: an sqlite rpmdb built by rpm, read as rpm -qa reads it, without writing") {
    if (triad::test::run({"sh", "-c", "command -v rpmbuild && command -v rpm"}).exit_code != 0) {
        MESSAGE("skipped: rpm and rpmbuild (Debian package rpm) are not installed");
        return;
    }
    TempDir t;
    const std::string db = t / "root/var/lib/rpm";
    triad::test::make_dirs(db);
    triad::test::make_dirs(t / "tmp");
    write_file(t / "hello.spec", spec("triad-hello", "1.2.3", "2"));
    write_file(t / "plain.spec", spec("triad-plain", "0.9", ""));
    auto made = triad::test::sh(
        "set -e; rpm --initdb --dbpath '" + db + "'; for s in hello plain; do rpmbuild --quiet --define '_topdir " + t.path() +
        "/rb' --define '_dbpath " + db + "' --define '_tmppath " + t.path() + "/tmp' -bb '" + t.path() +
        "'/$s.spec; done; rpm --dbpath '" + db + "' -i --nodeps --justdb --nosignature '" + t.path() + "'/rb/RPMS/noarch/*.rpm");
    REQUIRE_MESSAGE(made.exit_code == 0, made.err);
    // What rpm itself lists, from a copy (rpm's own query writes -shm and -wal files).
    auto ref = triad::test::sh("cp -a '" + db + "' '" + t.path() + "/refdb' && rpm --dbpath '" + t.path() +
                               "/refdb' -qa --qf '%{NAME} %{EPOCH} %{VERSION} %{RELEASE} %{ARCH}\\n'");
    REQUIRE(ref.exit_code == 0);
    std::set<std::string> theirs;
    std::istringstream in(ref.out);
    for (std::string line; std::getline(in, line);) theirs.insert(line);
    REQUIRE(theirs.size() == 2);

    // As in an image: only rpmdb.sqlite, no -shm or -wal, which a reading must not create.
    std::filesystem::remove(db + "/rpmdb.sqlite-shm");
    std::filesystem::remove(db + "/rpmdb.sqlite-wal");
    const auto before = triad::test::write_snapshot(db);
    const FactSet facts = collect(t / "root");
    CHECK(triad::test::write_snapshot(db) == before);

    std::set<std::string> ours;
    for (const Fact& f : facts) {
        REQUIRE_MESSAGE(f.status == FactStatus::ok, f.reason);
        const std::string epoch = field_text(f, kRpmPackagesCollector.fields, "epoch");
        ours.insert(field_text(f, kRpmPackagesCollector.fields, "name") + " " + (epoch == "(absent)" ? "(none)" : epoch) +
                    " " + field_text(f, kRpmPackagesCollector.fields, "version") + " " +
                    field_text(f, kRpmPackagesCollector.fields, "release") + " " +
                    field_text(f, kRpmPackagesCollector.fields, "arch"));
    }
    CHECK(ours == theirs);
    REQUIRE(facts.size() == 2);
    CHECK(facts[0].object == "triad-hello-2:1.2.3-4.el9.noarch");
    CHECK(field_text(facts[0], kRpmPackagesCollector.fields, "source_rpm") == "triad-hello-1.2.3-4.el9.src.rpm");
    CHECK(field_text(facts[0], kRpmPackagesCollector.fields, "database") == "/var/lib/rpm/rpmdb.sqlite (sqlite)");

    // Rows still in the write-ahead log cannot be seen without writing: an error, not a
    // short list.
    write_file(db + "/rpmdb.sqlite-wal", std::string(4096, 'x'));
    const FactSet pending = collect(t / "root");
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].status == FactStatus::error);
    CHECK(pending[0].reason.find("write-ahead log") != std::string::npos);
}

TEST_CASE("rpm_packages: no rpmdb is not_applicable; a file that is not one is an error naming it") {
    TempDir none;
    FactSet facts = collect(none.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::not_applicable);

    TempDir bad;
    write_file(bad / "var/lib/rpm/rpmdb.sqlite", "this is not a database\n");
    facts = collect(bad.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("rpmdb.sqlite") != std::string::npos);
}
