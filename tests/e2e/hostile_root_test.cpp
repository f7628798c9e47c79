// SPDX-License-Identifier: Apache-2.0
// Audited roots that fight back: symlinks aimed out of the root (relative and absolute),
// FIFOs where files belong, an unreadable directory, and files that vanish mid-walk. The
// scan must finish, say what it saw, and never read anything outside the root.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/e2e/fixture_root.h"
#include "tests/test_support.h"

using triad::test::read_file;
using triad::test::TempDir;
using triad::test::write_file;
using namespace triad::test::fixture;

namespace {

constexpr time_t kOldAtime = 978307200;  // 2001-01-01: older than any mtime made here

// Sets a file's access time far into the past, keeping its modification time.
void age_atime(const std::string& path) {
    struct timespec times[2] = {{kOldAtime, 0}, {0, UTIME_OMIT}};
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

time_t atime_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_atim.tv_sec;
}

// Whether reading a file moves its atime here (relatime does, when atime < mtime); if the
// file system is mounted noatime the atime half of the proof has nothing to see.
bool reads_update_atime(const std::string& dir) {
    const std::string probe = dir + "/atime-probe";
    write_file(probe, "probe");
    age_atime(probe);
    (void)read_file(probe);
    return atime_of(probe) != kOldAtime;
}

void replace_with_symlink(const std::string& path, const std::string& target) {
    std::filesystem::remove(path);
    REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
}

void replace_with_fifo(const std::string& path, mode_t mode) {
    std::filesystem::remove(path);
    REQUIRE(::mkfifo(path.c_str(), mode) == 0);
    REQUIRE(::chmod(path.c_str(), mode) == 0);
}

std::string observed(const Poco::JSON::Object::Ptr& result, const std::string& object, const std::string& field) {
    auto evidence = result->getArray("evidence");
    for (std::size_t i = 0; i < evidence->size(); ++i) {
        auto e = evidence->getObject(i);
        if (e->getValue<std::string>("object") == object) {
            auto seen = e->getObject("observed");
            return seen->has(field) ? seen->getValue<std::string>(field) : "(no such field)";
        }
    }
    return "(no such evidence)";
}

std::string verdict(const Scan& scan, const std::string& id) {
    auto it = scan.by_id.find(id);
    return it == scan.by_id.end() ? "(missing)" : it->second->getValue<std::string>("verdict");
}

}  // namespace

TEST_CASE("hostile root: symlinks aimed outside the root are reported as links and never followed out") {
    if (!can_build_fixtures()) return;
    TempDir t;
    const std::string root = t / "root";
    const std::string outside = t / "outside";
    REQUIRE(build_fixture(root, "pass"));
    const std::string fixture_passwd = read_file(root + "/etc/passwd");
    const std::string fixture_group = read_file(root + "/etc/group");

    // Outside the root, what an escaping resolution would find: account names that would
    // show up in evidence, a secret that must never appear, and a FIFO that would hang
    // whoever opens it for reading.
    write_file(outside + "/passwd", fixture_passwd + "leaked:x:4242:4242::/:/bin/sh\n");
    write_file(outside + "/group", fixture_group + "leakedgrp:x:4242:\n");
    write_file(outside + "/shadow", "root:OUTSIDE-SECRET-1:19700::::::\n", 0600);
    write_file(outside + "/gshadow", "root:OUTSIDE-SECRET-2::\n", 0600);
    REQUIRE(::mkfifo((outside + "/fifo").c_str(), 0600) == 0);

    // Inside the root, where the same link targets land when resolved against the root:
    // ".." stops at the root, and an absolute target starts from it.
    write_file(root + "/outside/passwd", fixture_passwd + "inside:x:4242:4242::/:/bin/sh\n");
    write_file(root + outside + "/group", fixture_group + "insidegrp:x:4242:\n");

    replace_with_symlink(root + "/etc/passwd", "../../outside/passwd");  // relative, escapes by one level
    replace_with_symlink(root + "/etc/group", outside + "/group");        // absolute host path
    replace_with_symlink(root + "/etc/shadow", "../../outside/shadow");
    replace_with_symlink(root + "/etc/gshadow", outside + "/gshadow");
    replace_with_symlink(root + "/etc/shadow-", "../../outside/fifo");
    // A sudoers file owned by uid/gid 4242: its evidence shows which passwd and group
    // named them.
    write_file(root + "/etc/sudoers.d/dropin", "# drop-in", 0440);
    REQUIRE(::chown((root + "/etc/sudoers.d/dropin").c_str(), 4242, 4242) == 0);

    const bool atime_proof = reads_update_atime(t.path());
    if (!atime_proof) MESSAGE("this file system does not update atime on read; relying on the content proof");
    for (const char* f : {"passwd", "group", "shadow", "gshadow"}) age_atime(outside + "/" + f);

    Scan scan = run_scan(root, {}, {}, 60);
    CHECK(scan.exit_code == 1);  // not 137: the FIFO did not hang the scan
    REQUIRE(scan.json);

    // Every link is reported as itself.
    for (const auto& [id, object] : {std::pair{"DAC-PASSWD", "/etc/passwd"}, std::pair{"DAC-GROUP", "/etc/group"},
                                     std::pair{"DAC-SHADOW", "/etc/shadow"}, std::pair{"DAC-GSHADOW", "/etc/gshadow"},
                                     std::pair{"DAC-SHADOW-BACKUP", "/etc/shadow-"}}) {
        CAPTURE(id);
        CHECK(verdict(scan, id) == "fail");
        REQUIRE(scan.by_id.count(id));
        CHECK(observed(scan.by_id.at(id), object, "type") == "symlink");
        CHECK(observed(scan.by_id.at(id), object, "mode") == "0777");
    }
    // Names came from the files the links reach inside the root, not from outside.
    REQUIRE(scan.by_id.count("DAC-SUDOERS-D"));
    CHECK(verdict(scan, "DAC-SUDOERS-D") == "fail");
    CHECK(observed(scan.by_id.at("DAC-SUDOERS-D"), "/etc/sudoers.d/dropin", "owner") == "inside");
    CHECK(observed(scan.by_id.at("DAC-SUDOERS-D"), "/etc/sudoers.d/dropin", "group") == "insidegrp");
    CHECK(verdict(scan, "DAC-UNOWNED") == "pass");
    for (const char* leak : {"leaked", "OUTSIDE-SECRET"}) {
        CAPTURE(leak);
        CHECK(scan.out.find(leak) == std::string::npos);
        CHECK(scan.err.find(leak) == std::string::npos);
    }
    // And nothing outside was even opened for reading.
    if (atime_proof)
        for (const char* f : {"passwd", "group", "shadow", "gshadow"}) {
            CAPTURE(f);
            CHECK(atime_of(outside + "/" + f) == kOldAtime);
        }
}

TEST_CASE("hostile root: FIFOs where files belong block neither the walk nor the named-file checks") {
    if (!can_build_fixtures()) return;
    TempDir t;
    const std::string root = t / "root";
    REQUIRE(build_fixture(root, "pass"));
    replace_with_fifo(root + "/etc/group", 0644);    // identity loading must not open it
    replace_with_fifo(root + "/etc/passwd-", 0644);  // a named file check
    REQUIRE(::mkfifo((root + "/etc/cron.d/pipe").c_str(), 0622) == 0);  // a glob match
    REQUIRE(::chmod((root + "/etc/cron.d/pipe").c_str(), 0622) == 0);
    REQUIRE(::mkfifo((root + "/var/log/pipe").c_str(), 0666) == 0);  // the walk
    REQUIRE(::chmod((root + "/var/log/pipe").c_str(), 0666) == 0);

    Scan scan = run_scan(root, {}, {}, 60);
    CHECK(scan.exit_code == 1);  // findings; a hang would be 137
    REQUIRE(scan.json);
    REQUIRE(scan.by_id.count("DAC-PASSWD-BACKUP"));
    CHECK(verdict(scan, "DAC-PASSWD-BACKUP") == "fail");
    CHECK(observed(scan.by_id.at("DAC-PASSWD-BACKUP"), "/etc/passwd-", "type") == "fifo");
    CHECK(verdict(scan, "DAC-GROUP") == "fail");
    CHECK(observed(scan.by_id.at("DAC-GROUP"), "/etc/group", "type") == "fifo");
    CHECK(verdict(scan, "DAC-CRON-JOBS") == "fail");
    CHECK(observed(scan.by_id.at("DAC-CRON-JOBS"), "/etc/cron.d/pipe", "type") == "fifo");
    // A world-writable FIFO in /var/log is neither a world-writable file nor a directory.
    CHECK(verdict(scan, "DAC-WORLD-WRITABLE-FILES") == "pass");
    CHECK(verdict(scan, "DAC-LOG-DIRS") == "pass");
    // Without /etc/group no gid has a name: checks that ask for group names cannot be
    // decided, and say so, instead of calling every file ungrouped.
    for (const char* id : {"DAC-UNGROUPED", "DAC-LOG-FILES", "DAC-SHADOW"}) {
        CAPTURE(id);
        CHECK(verdict(scan, id) == "error");
        REQUIRE(scan.by_id.count(id));
        const std::string reason = scan.by_id.at(id)->getValue<std::string>("reason");
        CHECK(reason.find("cannot resolve group names") != std::string::npos);
        CHECK(reason.find("/etc/group") != std::string::npos);
        CHECK(reason.find("not a regular file") != std::string::npos);
    }
    CHECK(verdict(scan, "DAC-UNOWNED") == "pass");  // user names still resolve
    CHECK(verdict(scan, "DAC-SUDOERS") == "pass");  // checks on numeric ids still decide
}

TEST_CASE("hostile root: a mode-000 directory and files vanishing mid-walk do not upset the scan") {
    if (!can_build_fixtures()) return;
    TempDir t;
    const std::string root = t / "root";
    REQUIRE(build_fixture(root, "pass"));
    // A set-uid program hidden in a directory nobody may open: root (CAP_DAC_OVERRIDE)
    // still walks it, so the program is found.
    write_file(root + "/opt/locked/hidden", "ELF", 0755);
    REQUIRE(::chmod((root + "/opt/locked/hidden").c_str(), 04755) == 0);
    REQUIRE(::chmod((root + "/opt/locked").c_str(), 0) == 0);

    // Meanwhile files and directories appear and disappear under /opt/churn. They are
    // root's, mode 0644/0755, so whether the walk sees them changes no verdict.
    const std::string churn = root + "/opt/churn";
    std::filesystem::create_directories(churn);
    std::atomic<bool> stop{false};
    std::thread churner([&] {
        for (unsigned round = 0; !stop.load(); ++round) {
            for (int i = 0; i < 50; ++i) {
                std::string dir = churn + "/d" + std::to_string(i);
                ::mkdir(dir.c_str(), 0755);
                std::ofstream(dir + "/f").put('x');
                std::ofstream(churn + "/f" + std::to_string(i)).put('x');
            }
            for (int i = 0; i < 50; ++i) {
                std::string dir = churn + "/d" + std::to_string(i);
                ::unlink((dir + "/f").c_str());
                ::rmdir(dir.c_str());
                ::unlink((churn + "/f" + std::to_string(i)).c_str());
            }
        }
    });
    std::vector<Scan> scans;
    for (int i = 0; i < 3; ++i) scans.push_back(run_scan(root, {"--jobs", "2"}, {}, 60));
    stop = true;
    churner.join();

    for (const Scan& scan : scans) {
        CHECK(scan.exit_code == 1);
        REQUIRE(scan.json);
        CHECK(scan.by_id.size() == 46);
        for (const auto& [id, result] : scan.by_id) {
            CAPTURE(id);
            CHECK(result->getValue<std::string>("verdict") == (id == "DAC-SUID-ALLOWLIST" ? "fail" : "pass"));
        }
        CHECK(observed(scan.by_id.at("DAC-SUID-ALLOWLIST"), "/opt/locked/hidden", "mode") == "4755");
    }
}
