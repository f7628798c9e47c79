// SPDX-License-Identifier: Apache-2.0
// Sysroot::read_file against an image that fights back (issue 15): a file swapped for a FIFO
// or a device while it is being read is never opened, and a procfs or sysfs mounted inside
// the audited root is never read through it.
#include "scanner/core/sysroot.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "scanner/collectors/accounts/sshd_config.h"
#include "scanner/core/fact.h"
#include "scanner/identity/identity.h"
#include "tests/scanner/hostile_fixture.h"
#include "tests/test_support.h"

using triad::scanner::Sysroot;
using triad::test::OpenCounter;
using triad::test::TempDir;
using triad::test::in_private_mount_namespace;
using triad::test::write_file;

namespace {

struct RaceOutcome {
    int read = 0;     // the regular file's content came back
    int refused = 0;  // the path named the special file when it was looked up
};

// Reads /etc/passwd while a thread exchanges it with `special` (same directory) as fast as
// it can, until both outcomes were seen `each` times (or a large cap of reads: on a loaded
// machine the swapper may get little time).
RaceOutcome read_while_swapping(const Sysroot& root, const std::string& dir, const std::string& special, int each) {
    std::atomic<bool> stop{false};
    std::atomic<long> swaps{0};
    const std::string a = dir + "/passwd", b = dir + "/" + special;
    std::thread swapper([&] {
        while (!stop.load()) {
            ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE);
            swaps.fetch_add(1);
        }
    });
    while (swaps.load() == 0) std::this_thread::yield();
    RaceOutcome out;
    for (int i = 0; i < 200000 && (out.read < each || out.refused < each); ++i) {
        auto r = root.read_file("/etc/passwd");
        if (r) {
            CHECK(*r == "root:x:0:0::/root:/bin/sh\n");  // never a byte of anything else
            ++out.read;
        } else {
            ++out.refused;
        }
    }
    stop = true;
    swapper.join();
    // Leave the names as they were (an odd number of exchanges swaps them).
    struct stat st {};
    REQUIRE(::lstat(a.c_str(), &st) == 0);
    if (!S_ISREG(st.st_mode)) REQUIRE(::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0);
    return out;
}

}  // namespace

TEST_CASE("a file swapped for a FIFO or a device in a loop is never opened, only refused") {
    TempDir t;
    const std::string etc = t / "root/etc";
    write_file(etc + "/passwd", "root:x:0:0::/root:/bin/sh\n");
    REQUIRE(::mkfifo((etc + "/fifo").c_str(), 0644) == 0);
    // A node of the memory device that /dev/null is: opening it would call its driver.
    const bool have_device = ::mknod((etc + "/null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0;
    for (bool component_walk : {false, true}) {
        CAPTURE(component_walk);
        auto root = Sysroot::open(t / "root", Sysroot::Options{component_walk}).value();
        for (const std::string special : {"fifo", "null"}) {
            if (special == "null" && !have_device) {
                MESSAGE("no device node case: mknod is not permitted here (needs CAP_MKNOD)");
                continue;
            }
            CAPTURE(special);
            struct stat st {};
            REQUIRE(::lstat((etc + "/" + special).c_str(), &st) == 0);
            REQUIRE_FALSE(S_ISREG(st.st_mode));  // the watch is on the special file itself
            OpenCounter counter(etc + "/" + special);
            RaceOutcome o = read_while_swapping(root, etc, special, 500);
            MESSAGE(special << ": " << o.read << " reads, " << o.refused << " refusals");
            // Both sides of the race were hit, or the test proved nothing...
            CHECK(o.read > 0);
            CHECK(o.refused > 0);
            // ...and the special file was looked at, never opened.
            CHECK(counter.opens() == 0);
        }
    }
}

TEST_CASE("a procfs or sysfs mounted inside the audited root is refused, naming the file") {
    TempDir t;
    const std::string root_dir = t / "root";
    write_file(root_dir + "/etc/hostname", "image\n");
    triad::test::make_dirs(root_dir + "/proc");
    triad::test::make_dirs(root_dir + "/sys");
    // sshd_config includes a file of the kernel's: sshd on the image would read the image's
    // own /proc; triad must not read the scanning machine's (its own environment).
    write_file(root_dir + "/etc/ssh/sshd_config", "PermitRootLogin no\nInclude /proc/self/environ\n");
    const std::string report = t / "child-report";
    // The child writes what it saw; the parent checks (doctest stays in the parent).
    const int status = in_private_mount_namespace([&] {
        if (::mount("proc", (root_dir + "/proc").c_str(), "proc", 0, nullptr) != 0) return 77;
        if (::mount("sysfs", (root_dir + "/sys").c_str(), "sysfs", 0, nullptr) != 0) return 77;
        std::string out;
        auto root = Sysroot::open(root_dir).value();
        auto environ = root.read_file("/proc/self/environ");
        out += "environ=" + (environ ? "READ" : environ.error().describe()) + "\n";
        auto osrelease = root.read_file("/sys/kernel/notes", 1 << 20);
        out += "sysfs=" + (osrelease ? "READ" : osrelease.error().describe()) + "\n";
        auto hostname = root.read_file("/etc/hostname");
        out += "hostname=" + (hostname ? *hostname : std::string("ERROR\n"));
        // The tree named by --proc is a procfs itself: read as such.
        auto proc = Sysroot::open(root_dir + "/proc").value();
        out += "proc-tree=" + std::string(proc.read_file("/self/stat") ? "READ" : "REFUSED") + "\n";
        triad::scanner::IdentityTable ids = triad::scanner::IdentityTable::load(root);
        triad::scanner::FactSet facts = triad::scanner::collect_sshd(triad::scanner::CollectContext{root, ids}, {});
        for (const auto& f : facts)
            out += "sshd " + f.object + " " +
                   (f.status == triad::scanner::FactStatus::error ? "error: " + f.reason : "ok") + "\n";
        FILE* fp = ::fopen(report.c_str(), "w");
        if (!fp) return 1;
        ::fputs(out.c_str(), fp);
        ::fclose(fp);
        return 0;
    });
    if (status == 77) {
        MESSAGE("skipped: cannot make a private mount namespace with procfs and sysfs here");
        return;
    }
    REQUIRE(status == 0);
    const std::string seen = triad::test::read_file(report);
    CAPTURE(seen);
    CHECK(seen.find("environ=" + root_dir + "/proc/self/environ: on procfs mounted inside the audited root") !=
          std::string::npos);
    CHECK(seen.find("sysfs=" + root_dir + "/sys/kernel/notes: on sysfs mounted inside the audited root") !=
          std::string::npos);
    CHECK(seen.find("hostname=image") != std::string::npos);
    CHECK(seen.find("proc-tree=READ") != std::string::npos);
    // The sshd fact is an error naming the file, never settings read from the environment.
    CHECK(seen.find("sshd /etc/ssh/sshd_config error: " + root_dir + "/proc/self/environ: on procfs") !=
          std::string::npos);
    CHECK(seen.find("sshd /etc/ssh/sshd_config ok") == std::string::npos);
    // Nothing stays mounted after the child's namespace is gone.
    struct stat proc_st {}, root_st {};
    REQUIRE(::stat((root_dir + "/proc").c_str(), &proc_st) == 0);
    REQUIRE(::stat(root_dir.c_str(), &root_st) == 0);
    CHECK(proc_st.st_dev == root_st.st_dev);
}
