// SPDX-License-Identifier: Apache-2.0
// package_integrity on RPM roots. A package built with rpmbuild at test time (an executable, a
// setuid program, a library and its symlink, a %config file, a %config(missingok) file, a
// %ghost file, a directory) is installed for real into a fixture root with `rpm --root`; files
// are then changed, removed and replaced, and triad's findings must be the files `rpm -Va`
// reports on the same root (apart from a mode-only change, which triad does not compare:
// docs/packages.md). The rpmdb directory must be unchanged by triad's reading. A real CentOS 7
// Berkeley DB rpmdb (Debian's golang-github-knqyf263-go-rpmdb-dev) is read the same way.
#include "scanner/collectors/packages/package_integrity.h"

#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "scanner/collectors/packages/rpm_packages.h"
#include "tests/e2e/policy_checks.h"
#include "tests/scanner/fact_text.h"
#include "tests/scanner/hostile_fixture.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet collect(const std::string& dir, SelectArgs args = {}) {
    auto root = Sysroot::open(dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    return kPackageIntegrityCollector.collect(CollectContext{root, ids}, args);
}

std::string ifield(const Fact& f, const char* name) { return field_text(f, kPackageIntegrityCollector.fields, name); }

std::map<std::string, const Fact*> by_object(const FactSet& facts) {
    std::map<std::string, const Fact*> out;
    for (const Fact& f : facts) {
        REQUIRE_MESSAGE(f.status == FactStatus::ok, (f.object + ": " + f.reason));
        out[f.object] = &f;
    }
    return out;
}

// rpm -Va's report lines: path -> the attribute column ("S.5....T.") or "missing".
std::map<std::string, std::string> rpm_verify(const std::string& root) {
    // --nodeps --noscripts: only the files (no dependency check, no %verifyscript in the root).
    auto r = triad::test::run({"rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-Va", "--nodeps", "--noscripts"});
    REQUIRE_MESSAGE((r.exit_code == 0 || r.exit_code == 1), r.err);
    std::map<std::string, std::string> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        const std::size_t slash = line.find(" /");
        REQUIRE_MESSAGE(slash != std::string::npos, line);
        out[line.substr(slash + 1)] = line.substr(0, line.find(' '));
    }
    return out;
}

std::string spec(const std::string& name, const std::string& install, const std::string& files) {
    return "Name: " + name + "\nVersion: 1.0\nRelease: 1\nSummary: fixture\nLicense: MIT\nBuildArch: noarch\n"
           "%description\nfixture\n%install\n" + install + "%files\n" + files;
}

bool have_rpm() {
    return triad::test::run({"sh", "-c", "command -v rpmbuild && command -v rpm"}).exit_code == 0;
}

// Builds each spec with rpmbuild (its _dbpath and _tmppath inside the test directory, so no
// ~/.rpmdb appears) and installs the packages into `root` with rpm --root.
void build_and_install(const TempDir& t, const std::vector<std::pair<std::string, std::string>>& specs, const std::string& root) {
    triad::test::make_dirs(t / "tmp");
    std::string script = "set -e\n";
    for (const auto& [name, text] : specs) {
        write_file(t / (name + ".spec"), text);
        script += "rpmbuild --quiet --define '_topdir " + t.path() + "/rb' --define '_dbpath " + t.path() +
                  "/builddb' --define '_tmppath " + t.path() + "/tmp' -bb '" + t.path() + "/" + name + ".spec'\n";
    }
    // rpm on Debian prints a "use Alien" warning for every install; harmless.
    script += "rpm --root '" + root + "' --dbpath /var/lib/rpm -i --nodeps --nosignature '" + t.path() +
              "'/rb/RPMS/noarch/*.rpm 2>/dev/null\n";
    auto made = triad::test::sh(script);
    REQUIRE_MESSAGE(made.exit_code == 0, made.err);
}

}  // namespace

TEST_CASE("package_integrity on an RPM root: what rpm -Va finds, read without writing to the rpmdb") {
    if (!have_rpm()) {
        MESSAGE("skipped: rpm and rpmbuild (Debian package rpm) are not installed");
        return;
    }
    TempDir t;
    const std::string root = t / "root";
    triad::test::make_dirs(root);
    const std::string install =
        "mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/lib64 %{buildroot}/etc/triad-fix.d %{buildroot}/var/log "
        "%{buildroot}/usr/share/triad-fix/dir\n"
        "printf '#!/bin/sh\\necho tool\\n' > %{buildroot}/usr/bin/triad-tool; chmod 755 %{buildroot}/usr/bin/triad-tool\n"
        "printf 'suid\\n' > %{buildroot}/usr/bin/triad-suid\n"
        "printf 'not really ELF\\n' > %{buildroot}/usr/lib64/libtriadfix.so.1\n"
        "ln -s libtriadfix.so.1 %{buildroot}/usr/lib64/libtriadfix.so\n"
        "printf 'key = 1\\n' > %{buildroot}/etc/triad-fix.conf\n"
        "printf 'optional\\n' > %{buildroot}/etc/triad-fix.d/optional\n"
        "printf 'data\\n' > %{buildroot}/usr/share/triad-fix/data\n"
        "printf 'mode\\n' > %{buildroot}/usr/share/triad-fix/mode\n";
    const std::string files =
        "/usr/bin/triad-tool\n%attr(4755,root,root) /usr/bin/triad-suid\n/usr/lib64/libtriadfix.so.1\n"
        "/usr/lib64/libtriadfix.so\n%config(noreplace) /etc/triad-fix.conf\n%config(missingok) /etc/triad-fix.d/optional\n"
        "%dir /etc/triad-fix.d\n%ghost /var/log/triad-fix.log\n%dir /usr/share/triad-fix\n%dir /usr/share/triad-fix/dir\n"
        "/usr/share/triad-fix/data\n/usr/share/triad-fix/mode\n";
    std::vector<std::pair<std::string, std::string>> specs = {{"triad-fix", spec("triad-fix", install, files)}};
    // One file each in the other digest algorithms rpmbuild can record (1 MD5, 2 SHA1, 10 SHA512;
    // the default is 8, SHA256).
    for (const char* algo : {"1", "2", "10"}) {
        const std::string name = std::string("triad-algo") + algo;
        specs.emplace_back(name, "%define _binary_filedigest_algorithm " + std::string(algo) + "\n" +
                                     spec(name, "mkdir -p %{buildroot}/opt/" + name + "\nprintf 'x\\n' > %{buildroot}/opt/" + name + "/f\n",
                                          "/opt/" + name + "/f\n"));
    }
    build_and_install(t, specs, root);
    const std::string db = root + "/var/lib/rpm";
    REQUIRE(std::filesystem::exists(db + "/rpmdb.sqlite"));
    // As in an image: no -shm, and an empty -wal (rpm checkpointed it) removed too.
    REQUIRE(std::filesystem::file_size(db + "/rpmdb.sqlite-wal") == 0);
    std::filesystem::remove(db + "/rpmdb.sqlite-shm");
    std::filesystem::remove(db + "/rpmdb.sqlite-wal");
    const auto before = triad::test::write_snapshot(db);
    const std::string tool_sha256 = triad::test::run({"sha256sum", root + "/usr/bin/triad-tool"}).out.substr(0, 64);

    // Installed and untouched: nothing differs (the %ghost file was never created).
    CHECK(collect(root).empty());
    CHECK(triad::test::write_snapshot(db) == before);
    CHECK(rpm_verify(root).empty());
    // rpm itself leaves -shm and -wal files behind; triad's second reading must add nothing.
    const auto db_left = triad::test::write_snapshot(db);

    write_file(root + "/usr/bin/triad-tool", "#!/bin/sh\necho changed\n", 0755);
    std::filesystem::remove(root + "/usr/bin/triad-suid");
    std::filesystem::create_symlink("/etc/passwd", root + "/usr/bin/triad-suid");
    std::filesystem::remove(root + "/usr/lib64/libtriadfix.so.1");
    triad::test::make_dirs(root + "/usr/lib64/libtriadfix.so.1");
    std::filesystem::remove(root + "/usr/lib64/libtriadfix.so");
    std::filesystem::create_symlink("other", root + "/usr/lib64/libtriadfix.so");
    write_file(root + "/etc/triad-fix.conf", "key = 2\n");
    std::filesystem::remove(root + "/etc/triad-fix.d/optional");
    std::filesystem::remove(root + "/usr/share/triad-fix/data");
    std::filesystem::remove(root + "/usr/share/triad-fix/dir");
    write_file(root + "/usr/share/triad-fix/dir", "a file now\n");
    REQUIRE(::chmod((root + "/usr/share/triad-fix/mode").c_str(), 0600) == 0);
    for (const char* algo : {"1", "2", "10"})
        write_file(root + "/opt/triad-algo" + algo + "/f", "y\n");

    const FactSet facts = collect(root);
    CHECK(triad::test::write_snapshot(db) == db_left);
    const auto found = by_object(facts);
    std::map<std::string, std::string> status;
    for (const auto& [path, f] : found) status[path] = ifield(*f, "status");
    CHECK(status == std::map<std::string, std::string>{
                        {"/usr/bin/triad-tool", "changed"},
                        {"/usr/bin/triad-suid", "not_regular"},
                        {"/usr/lib64/libtriadfix.so.1", "not_regular"},
                        {"/usr/lib64/libtriadfix.so", "changed"},
                        {"/etc/triad-fix.conf", "changed"},
                        {"/usr/share/triad-fix/data", "missing"},
                        {"/usr/share/triad-fix/dir", "not_directory"},
                        {"/opt/triad-algo1/f", "changed"},
                        {"/opt/triad-algo2/f", "changed"},
                        {"/opt/triad-algo10/f", "changed"},
                    });
    REQUIRE(found.count("/usr/bin/triad-tool"));
    const Fact& tool = *found.at("/usr/bin/triad-tool");
    CHECK(ifield(tool, "package") == "triad-fix-1.0-1.noarch");
    CHECK(ifield(tool, "kind") == "executable");
    CHECK(ifield(tool, "conffile") == "false");
    CHECK(ifield(tool, "algorithm") == "sha256");
    CHECK(ifield(tool, "expected") == tool_sha256);
    CHECK(ifield(tool, "actual") == triad::test::run({"sha256sum", root + "/usr/bin/triad-tool"}).out.substr(0, 64));
    CHECK(ifield(tool, "database") == "rpm");
    if (found.count("/usr/lib64/libtriadfix.so")) {
        const Fact& link = *found.at("/usr/lib64/libtriadfix.so");
        CHECK(ifield(link, "kind") == "library");
        CHECK(ifield(link, "algorithm") == "link");
        CHECK(ifield(link, "expected") == "libtriadfix.so.1");
        CHECK(ifield(link, "actual") == "other");
    }
    if (found.count("/etc/triad-fix.conf")) CHECK(ifield(*found.at("/etc/triad-fix.conf"), "conffile") == "true");
    if (found.count("/usr/lib64/libtriadfix.so.1")) CHECK(ifield(*found.at("/usr/lib64/libtriadfix.so.1"), "kind") == "library");
    if (found.count("/opt/triad-algo1/f")) {
        CHECK(ifield(*found.at("/opt/triad-algo1/f"), "algorithm") == "md5");
        CHECK(ifield(*found.at("/opt/triad-algo1/f"), "actual") ==
              triad::test::run({"md5sum", root + "/opt/triad-algo1/f"}).out.substr(0, 32));
    }
    if (found.count("/opt/triad-algo2/f")) CHECK(ifield(*found.at("/opt/triad-algo2/f"), "algorithm") == "sha1");
    if (found.count("/opt/triad-algo10/f")) CHECK(ifield(*found.at("/opt/triad-algo10/f"), "algorithm") == "sha512");

    // The independent reference: rpm -Va on the same root reports the same files, and one more,
    // whose mode bits alone changed (rpm's M; triad compares file types, not permissions).
    auto theirs = rpm_verify(root);
    CHECK(theirs["/usr/share/triad-fix/mode"] == ".M.......");
    theirs.erase("/usr/share/triad-fix/mode");
    std::set<std::string> their_paths, our_paths;
    for (const auto& [path, attrs] : theirs) their_paths.insert(path);
    for (const auto& [path, f] : found) our_paths.insert(path);
    CHECK(our_paths == their_paths);
    CHECK(theirs["/usr/share/triad-fix/data"] == "missing");

    // The setuid selection: rpm recorded /usr/bin/triad-suid as setuid, so its replacement by a
    // symlink is found although nothing setuid is on disk any more.
    SelectArgs setuid;
    setuid.values["setuid"] = true;
    setuid.values["conffiles"] = false;
    const auto privileged = by_object(collect(root, setuid));
    CHECK(privileged.size() == 1);
    CHECK(privileged.count("/usr/bin/triad-suid") == 1);

    // The kinds PATCH-INTEGRITY-CODE selects, and only the conffiles.
    SelectArgs code;
    code.values["kinds"] = StringList{"executable", "library", "unit"};
    code.values["conffiles"] = false;
    std::set<std::string> code_paths;
    for (const auto& [path, f] : by_object(collect(root, code))) code_paths.insert(path);
    CHECK(code_paths == std::set<std::string>{"/usr/bin/triad-tool", "/usr/bin/triad-suid", "/usr/lib64/libtriadfix.so.1",
                                              "/usr/lib64/libtriadfix.so"});
    SelectArgs conf;
    conf.values["conffiles"] = true;
    std::set<std::string> conf_paths;
    for (const auto& [path, f] : by_object(collect(root, conf))) conf_paths.insert(path);
    CHECK(conf_paths == std::set<std::string>{"/etc/triad-fix.conf"});

    // The policies' integrity checks on this RPM root, through `triad scan --root`.
    const std::string policies = triad::test::source_dir() + "/rules/policies";
    const auto s = triad::test::fixture::scan_json({"scan", "--root", root, "--policy", policies + "/patch-levels.yml", "--policy",
                                                    policies + "/optional/package-integrity.yml", "--format", "json"});
    using triad::test::fixture::evidence_objects;
    using triad::test::fixture::verdict;
    CHECK(verdict(s, "PATCH-INTEGRITY-SETUID") == "fail");
    CHECK(evidence_objects(s, "PATCH-INTEGRITY-SETUID") == std::set<std::string>{"/usr/bin/triad-suid"});
    CHECK(verdict(s, "PATCH-INTEGRITY-CODE") == "fail");
    CHECK(evidence_objects(s, "PATCH-INTEGRITY-CODE") == code_paths);
    CHECK(verdict(s, "PATCH-INTEGRITY-CONFFILES") == "fail");
    CHECK(evidence_objects(s, "PATCH-INTEGRITY-CONFFILES") == conf_paths);
    // The dpkg and apt checks have nothing to judge on an RPM root.
    CHECK(verdict(s, "PATCH-NO-SECURITY-UPDATES") == "not_applicable");
}

TEST_CASE("package_integrity and rpm_packages on a real CentOS 7 Berkeley DB rpmdb, as rpm reads it") {
    const std::string packages = "/usr/share/gocode/src/github.com/knqyf263/go-rpmdb/pkg/testdata/centos7-plain/Packages";
    if (!have_rpm() || ::access(packages.c_str(), R_OK) != 0) {
        MESSAGE("skipped: needs rpm and the CentOS rpmdb fixtures of Debian package golang-github-knqyf263-go-rpmdb-dev");
        return;
    }
    TempDir t;
    const std::string root = t / "root";
    const std::string db = root + "/var/lib/rpm";
    triad::test::make_dirs(db);
    std::filesystem::copy_file(packages, db + "/Packages");
    const auto before = triad::test::write_snapshot(db);

    // The inventory equals rpm -qa on a copy of the same database.
    triad::test::make_dirs(t / "ref");
    std::filesystem::copy_file(packages, t / "ref/Packages");
    auto ref = triad::test::run({"rpm", "--dbpath", t / "ref", "-qa", "--qf", "%{NAME} %{EPOCH} %{VERSION} %{RELEASE} %{ARCH}\\n"});
    REQUIRE(ref.exit_code == 0);
    std::multiset<std::string> theirs;
    std::istringstream in(ref.out);
    for (std::string line; std::getline(in, line);) theirs.insert(line);
    auto sysroot = Sysroot::open(root).value();
    const IdentityTable ids = IdentityTable::load(sysroot);
    const FactSet inventory = kRpmPackagesCollector.collect(CollectContext{sysroot, ids}, SelectArgs{});
    std::multiset<std::string> ours;
    for (const Fact& f : inventory) {
        REQUIRE_MESSAGE(f.status == FactStatus::ok, f.reason);
        const std::string epoch = field_text(f, kRpmPackagesCollector.fields, "epoch");
        ours.insert(field_text(f, kRpmPackagesCollector.fields, "name") + " " + (epoch == "(absent)" ? "(none)" : epoch) + " " +
                    field_text(f, kRpmPackagesCollector.fields, "version") + " " +
                    field_text(f, kRpmPackagesCollector.fields, "release") + " " + field_text(f, kRpmPackagesCollector.fields, "arch"));
    }
    CHECK(theirs.size() == 144);
    CHECK(ours == theirs);
    REQUIRE(!inventory.empty());
    CHECK(field_text(inventory[0], kRpmPackagesCollector.fields, "database") == "/var/lib/rpm/Packages (bdb_ro)");

    // File verification from the Berkeley DB headers: in a root holding only the database
    // every file is missing, and the missing set is the one rpm -Va reports.
    const FactSet facts = collect(root);
    CHECK(triad::test::write_snapshot(db) == before);
    std::set<std::string> our_missing;
    for (const auto& [path, f] : by_object(facts)) {
        CHECK(ifield(*f, "status") == "missing");
        our_missing.insert(path);
    }
    std::set<std::string> their_missing;
    for (const auto& [path, attrs] : rpm_verify(root)) {
        if (attrs == "missing") their_missing.insert(path);
        // The directories the fixture root does have: rpm compares their permission bits only.
        else CHECK_MESSAGE(attrs == ".M.......", (path + " " + attrs));
    }
    CHECK(our_missing.size() > 8000);
    CHECK(our_missing == their_missing);
}

TEST_CASE("package_integrity: an rpmdb that cannot be read is an error naming it, not an empty verification") {
    TempDir bad;
    write_file(bad / "var/lib/rpm/rpmdb.sqlite", "this is not a database\n");
    const FactSet facts = collect(bad.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("rpmdb.sqlite") != std::string::npos);
}
