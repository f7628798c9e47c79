// SPDX-License-Identifier: Apache-2.0
// Issue 15: the readers that hand a file to a library instead of calling Sysroot::read_file
// (the ELF reader: libelf; the LUKS reader: libcryptsetup; the dpkg status readers:
// libapt-pkg) make read_file's decisions too: a procfs mounted inside the audited root is not
// read (here mounted for real in a private mount namespace, gone with it), and the dpkg
// status file is read within a budget of bytes and of package stanzas, each an error naming
// the budget and the file.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "scanner/collectors/crypto/luks.h"
#include "scanner/collectors/packages/package_integrity.h"
#include "scanner/core/fact.h"
#include "scanner/core/sysroot.h"
#include "scanner/core/sysroot_open.h"
#include "scanner/elf/elf_hardening.h"
#include "scanner/identity/identity.h"
#include "scanner/packages/apt_inventory.h"
#include "tests/scanner/hostile_fixture.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::OpenCounter;
using triad::test::TempDir;
using triad::test::in_private_mount_namespace;
using triad::test::write_file;

namespace {

// The first fact's "error: reason" or "ok" (one line per fact).
std::string describe(const FactSet& facts) {
    std::string out;
    for (const Fact& f : facts)
        out += f.object + " " + (f.status == FactStatus::error ? "error: " + f.reason : std::string("ok")) + "\n";
    return out;
}

FactSet collect(const CollectorEntry& entry, const Sysroot& root, const SelectArgs& args = {}) {
    const IdentityTable ids = IdentityTable::load(root);
    return entry.collect(CollectContext{root, ids}, args);
}

}  // namespace

TEST_CASE("a device node named by a LUKS image glob, or where dpkg installed a file, is looked at and never opened") {
    TempDir t;
    const std::string root_dir = t / "root";
    triad::test::make_dirs(root_dir + "/srv/images");
    triad::test::make_dirs(root_dir + "/usr/bin");
    // The character device 1:3 (what /dev/null is) under two names an image controls.
    const std::string image = root_dir + "/srv/images/disk.img", binary = root_dir + "/usr/bin/demo";
    if (::mknod(image.c_str(), S_IFCHR | 0644, ::makedev(1, 3)) != 0 ||
        ::mknod(binary.c_str(), S_IFCHR | 0755, ::makedev(1, 3)) != 0) {
        MESSAGE("skipped: mknod is not permitted here (needs CAP_MKNOD)");
        return;
    }
    write_file(root_dir + "/var/lib/dpkg/status", "Package: demo\nStatus: install ok installed\nArchitecture: all\n\n");
    write_file(root_dir + "/var/lib/dpkg/info/demo.md5sums", "d41d8cd98f00b204e9800998ecf8427e  usr/bin/demo\n");
    OpenCounter image_opens(image), binary_opens(binary);
    auto root = Sysroot::open(root_dir).value();

    SelectArgs images;
    images.values["images"] = StringList{"/srv/images/*.img"};
    const std::string luks = describe(collect(kLuksCollector, root, images));
    CHECK(luks == "/srv/images/disk.img error: " + image + ": not a regular file or block device\n");
    CHECK(image_opens.opens() == 0);  // before: opened O_RDONLY, then refused

    const FactSet integrity = collect(kPackageIntegrityCollector, root);
    REQUIRE(integrity.size() == 1);
    CHECK(integrity[0].object == "/usr/bin/demo");
    CHECK(integrity[0].status != FactStatus::error);
    CHECK(binary_opens.opens() == 0);  // before: opened to be hashed, then found not regular
}

TEST_CASE("the ELF, LUKS and dpkg readers refuse files of a procfs mounted inside the audited root") {
    TempDir t;
    const std::string root_dir = t / "root";
    triad::test::make_dirs(root_dir + "/proc");
    // The image's own status file, over which the child bind-mounts a file of its procfs:
    // the mount point is the image's path, the file read there is the kernel's.
    write_file(root_dir + "/var/lib/dpkg/status", "Package: demo\nStatus: install ok installed\nArchitecture: all\n\n");
    const std::string report = t / "child-report";
    const int status = in_private_mount_namespace([&] {
        if (::mount("proc", (root_dir + "/proc").c_str(), "proc", 0, nullptr) != 0) return 77;
        if (::mount((root_dir + "/proc/self/environ").c_str(), (root_dir + "/var/lib/dpkg/status").c_str(), nullptr,
                    MS_BIND, nullptr) != 0)
            return 77;
        std::string out;
        auto root = Sysroot::open(root_dir).value();
        // Before this issue: libelf read triad's own environment and called it "not an ELF file".
        auto elf = read_elf(root, "/proc/self/environ");
        out += "elf=" + (elf ? std::string("READ") : elf.error().describe()) + "\n";
        SelectArgs images;
        images.values["images"] = StringList{"/proc/self/environ"};
        out += "luks " + describe(collect(kLuksCollector, root, images));
        out += "integrity " + describe(collect(kPackageIntegrityCollector, root));
        auto apt = read_apt_inventory(root, nullptr);
        out += "apt=" + (apt ? std::string("READ") : apt.error().describe()) + "\n";
        auto opened = open_regular_file(root, "/proc/self/environ");
        out += "open=" + (opened ? std::string("OPENED") : opened.error().describe()) + "\n";
        FILE* fp = ::fopen(report.c_str(), "w");
        if (!fp) return 1;
        ::fputs(out.c_str(), fp);
        ::fclose(fp);
        return 0;
    });
    if (status == 77) {
        MESSAGE("skipped: cannot make a private mount namespace with a procfs here");
        return;
    }
    REQUIRE(status == 0);
    const std::string seen = triad::test::read_file(report);
    CAPTURE(seen);
    const std::string refused = ": on procfs mounted inside the audited root: live kernel state, not the image's; not read";
    const std::string environ = root_dir + "/proc/self/environ";
    const std::string dpkg_status = root_dir + "/var/lib/dpkg/status";
    CHECK(seen.find("elf=" + environ + refused) != std::string::npos);
    CHECK(seen.find("luks /proc/self/environ error: " + environ + refused) != std::string::npos);
    CHECK(seen.find("integrity /var/lib/dpkg/status error: " + dpkg_status + refused) != std::string::npos);
    CHECK(seen.find("apt=" + dpkg_status + refused) != std::string::npos);
    CHECK(seen.find("open=" + environ + refused) != std::string::npos);
    // Nothing stays mounted once the child's namespace is gone: the image's file is back.
    CHECK(triad::test::read_file(root_dir + "/var/lib/dpkg/status").starts_with("Package: demo\n"));
}

TEST_CASE("a dpkg status file over its byte or stanza budget is an error naming the budget and the file") {
    TempDir t;
    const std::string root_dir = t / "root";
    const std::string status_path = root_dir + "/var/lib/dpkg/status";
    SUBCASE("bytes: a 65 MiB status file (sparse: nothing is written, nothing read)") {
        write_file(status_path, "Package: demo\n");
        REQUIRE(::truncate(status_path.c_str(), 65 * 1024 * 1024) == 0);
        auto root = Sysroot::open(root_dir).value();
        const FactSet facts = collect(kPackageIntegrityCollector, root);
        REQUIRE(facts.size() == 1);
        CHECK(facts[0].status == FactStatus::error);
        CHECK(facts[0].reason == status_path + ": larger than 64 MiB (the dpkg status budget: more than every package "
                                               "of the archive installed); not read");
        auto apt = read_apt_inventory(root, nullptr);
        REQUIRE_FALSE(apt);
        CHECK(apt.error().describe() == status_path +
                                            ": larger than 64 MiB (the budget of the files libapt-pkg reads, as the "
                                            "dpkg status budget); not read");
    }
    SUBCASE("stanzas: 100,001 packages of a few bytes each (2.6 MB), and 100,000 still read") {
        std::string text;
        for (int i = 0; i < 100'000; ++i) text += "Package: p" + std::to_string(i) + "\nStatus: deinstall ok config-files\n\n";
        write_file(status_path, text);
        auto root = Sysroot::open(root_dir).value();
        // Within the budget: no package is installed, so there is nothing to verify, and no error.
        const FactSet within = collect(kPackageIntegrityCollector, root);
        CHECK(describe(within).find("error") == std::string::npos);
        write_file(status_path, text + "Package: one-more\nStatus: deinstall ok config-files\n\n");
        const FactSet over = collect(kPackageIntegrityCollector, root);
        REQUIRE(over.size() == 1);
        CHECK(over[0].status == FactStatus::error);
        CHECK(over[0].reason == status_path + ": more than 100000 package stanzas (the dpkg status budget); not read");
    }
}
