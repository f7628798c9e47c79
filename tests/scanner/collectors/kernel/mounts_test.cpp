// SPDX-License-Identifier: Apache-2.0
// The `mounts` collector: mountinfo and fstab syntax (escaped blanks, stacked mounts,
// user/defaults), which mount holds a path, tmp.mount against fstab in systemd's order,
// and on this machine every mount point against `findmnt`.
#include "scanner/collectors/kernel/mounts.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "scanner/identity/identity.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using namespace triad::scanner::mounts_internal;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet collect(const std::string& root_dir, const std::vector<std::string>& paths, const std::string& source,
                const Sysroot* proc = nullptr) {
    auto root = Sysroot::open(root_dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    SelectArgs args;
    if (!paths.empty()) args.values.emplace("path", StringList(paths));
    args.values.emplace("source", source);
    return kMountsCollector.collect(CollectContext{root, ids, proc, nullptr}, args);
}

std::string field(const FactSet& f, const std::string& object, const char* name) {
    const Fact* fact = find_object(f, object);
    REQUIRE_MESSAGE(fact, object);
    return field_text(*fact, kMountsCollector.fields, name);
}

const char* kFstab =
    "# /etc/fstab: static file system information.\n"
    "UUID=1111 /               ext4    errors=remount-ro 0       1\n"
    "UUID=2222 /home           ext4    defaults,nodev,nosuid 0       2\n"
    "UUID=3333 /var/log        ext4    nodev,nosuid,noexec,dev 0 2\n"
    "/dev/sr0  /media/cdrom0   udf,iso9660 user,noauto     0       0\n"
    "UUID=4444 none            swap    sw              0       0\n"
    "tmpfs     /tmp            tmpfs   nodev,nosuid    0       0\n"
    "/dev/sdb1 /srv/My\\040Data ext4   defaults        0       2\n";

}  // namespace

TEST_CASE("option semantics: the last of a flag and its opposite wins; user implies all three") {
    CHECK(option_in_effect({"nodev", "nosuid"}, "nodev"));
    CHECK_FALSE(option_in_effect({"nodev", "dev"}, "nodev"));
    CHECK_FALSE(option_in_effect({"nodev", "defaults"}, "nodev"));
    CHECK(option_in_effect({"user", "noauto"}, "noexec"));
    CHECK_FALSE(option_in_effect({"user", "exec"}, "noexec"));
}

TEST_CASE("mounts configured: fstab, and the mount that holds a path") {
    TempDir root;
    write_file(root / "etc/fstab", kFstab);
    FactSet f = collect(root.path(), {"/home", "/var/log", "/var/tmp", "/tmp", "/media/cdrom0", "/srv/My Data"}, "configured");
    REQUIRE(f.size() == 6);
    CHECK(field(f, "/home", "separate") == "true");
    CHECK(field(f, "/home", "nodev") == "true");
    CHECK(field(f, "/home", "noexec") == "false");
    CHECK(field(f, "/home", "line") == "3");
    CHECK(field(f, "/var/log", "nodev") == "false");  // "dev" comes after "nodev"
    CHECK(field(f, "/var/log", "noexec") == "true");
    // Not a mount of its own: the options of / apply.
    CHECK(field(f, "/var/tmp", "separate") == "false");
    CHECK(field(f, "/var/tmp", "mount_point") == "/");
    CHECK(field(f, "/var/tmp", "nosuid") == "false");
    CHECK(field(f, "/tmp", "fstype") == "tmpfs");
    CHECK(field(f, "/tmp", "noexec") == "false");
    CHECK(field(f, "/media/cdrom0", "noexec") == "true");  // user
    CHECK(field(f, "/srv/My Data", "separate") == "true");  // \040 is a blank

    // Without a path: one object per mount, swap left out.
    f = collect(root.path(), {}, "configured");
    CHECK(f.size() == 6);

    // With systemd, /dev/shm without an fstab line gets systemd's own nosuid,nodev (no noexec).
    CHECK(field(collect(root.path(), {"/dev/shm"}, "configured"), "/dev/shm", "mount_point") == "/");
    write_file(root / "lib/systemd/systemd", "", 0755);
    f = collect(root.path(), {"/dev/shm"}, "configured");
    CHECK(field(f, "/dev/shm", "separate") == "true");
    CHECK(field(f, "/dev/shm", "nodev") == "true");
    CHECK(field(f, "/dev/shm", "noexec") == "false");
    CHECK(field(f, "/dev/shm", "file") == "systemd (built-in /dev/shm mount)");
}

TEST_CASE("mounts configured: tmp.mount in systemd's order") {
    TempDir root;
    write_file(root / "etc/fstab", kFstab);
    // A vendor tmp.mount that nothing enables does not mount /tmp: fstab's line stands.
    write_file(root / "usr/lib/systemd/system/tmp.mount",
               "[Unit]\nDescription=Temporary Directory /tmp\n[Mount]\nWhat=tmpfs\nWhere=/tmp\nType=tmpfs\n"
               "Options=mode=1777,strictatime,nosuid,nodev,size=50%\n[Install]\nWantedBy=local-fs.target\n");
    FactSet f = collect(root.path(), {"/tmp"}, "configured");
    CHECK(field(f, "/tmp", "file") == "/etc/fstab");

    // The admin's copy in /etc/systemd/system overrides fstab, and a drop-in adds noexec.
    write_file(root / "etc/systemd/system/tmp.mount",
               "[Mount]\nWhat=tmpfs\nWhere=/tmp\nType=tmpfs\nOptions=mode=1777,nosuid,nodev\n");
    write_file(root / "etc/systemd/system/tmp.mount.d/noexec.conf", "[Mount]\nOptions=mode=1777,nosuid,nodev,noexec\n");
    f = collect(root.path(), {"/tmp"}, "configured");
    CHECK(field(f, "/tmp", "file") == "/etc/systemd/system/tmp.mount.d/noexec.conf");
    CHECK(field(f, "/tmp", "noexec") == "true");
    CHECK(field(f, "/tmp", "separate") == "true");

    // Masked: no tmp.mount at all, fstab again.
    std::remove((root / "etc/systemd/system/tmp.mount").c_str());
    REQUIRE(::symlink("/dev/null", (root / "etc/systemd/system/tmp.mount").c_str()) == 0);
    f = collect(root.path(), {"/tmp"}, "configured");
    CHECK(field(f, "/tmp", "file") == "/etc/fstab");

    // No fstab line, the vendor unit enabled by a .wants link: the unit mounts /tmp.
    TempDir vendor;
    write_file(vendor / "etc/fstab", "UUID=1111 / ext4 defaults 0 1\n");
    write_file(vendor / "lib/systemd/system/tmp.mount", "[Mount]\nWhat=tmpfs\nType=tmpfs\nOptions=nosuid,nodev\n");
    triad::test::make_dirs(vendor / "etc/systemd/system/local-fs.target.wants");
    REQUIRE(::symlink("/lib/systemd/system/tmp.mount", (vendor / "etc/systemd/system/local-fs.target.wants/tmp.mount").c_str()) == 0);
    f = collect(vendor.path(), {"/tmp"}, "configured");
    CHECK(field(f, "/tmp", "file") == "/lib/systemd/system/tmp.mount");
    CHECK(field(f, "/tmp", "nodev") == "true");
}

TEST_CASE("mounts: no fstab; an unreadable fstab; live without a proc tree") {
    TempDir bare;
    FactSet f = collect(bare.path(), {"/tmp"}, "configured");
    REQUIRE(f.size() == 1);
    CHECK(f[0].status == FactStatus::ok);
    CHECK(field(f, "/tmp", "separate") == "false");
    CHECK(field(f, "/tmp", "nodev") == "(absent)");

    TempDir odd;
    triad::test::make_dirs(odd / "etc/fstab");
    f = collect(odd.path(), {"/tmp"}, "configured");
    CHECK(f[0].status == FactStatus::error);
    CHECK(f[0].reason.find("/etc/fstab") != std::string::npos);

    f = collect(bare.path(), {"/tmp"}, "live");
    CHECK(f[0].status == FactStatus::not_applicable);
}

TEST_CASE("mounts live: mountinfo with stacked mounts and super-block options") {
    TempDir root, proc;
    write_file(proc / "self/mountinfo",
               "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
               "30 21 0:25 / /dev/shm rw,nosuid,nodev shared:2 - tmpfs tmpfs rw\n"
               "31 30 0:26 / /dev/shm rw,nosuid,nodev,noexec shared:3 - tmpfs tmpfs rw,size=65536k\n"
               "40 21 0:27 / /run/media/alice/USB\\040STICK rw,nosuid,nodev,relatime - vfat /dev/sdb1 rw,uid=1000\n");
    auto proc_root = Sysroot::open(proc.path()).value();
    FactSet f = collect(root.path(), {"/dev/shm", "/var/tmp", "/run/media/alice/USB STICK"}, "live", &proc_root);
    CHECK(field(f, "/dev/shm", "noexec") == "true");  // the mount on top of the stack
    CHECK(field(f, "/dev/shm", "options") == "rw, nosuid, nodev, noexec, rw, size=65536k");
    CHECK(field(f, "/var/tmp", "mount_point") == "/");
    CHECK(field(f, "/var/tmp", "separate") == "false");
    CHECK(field(f, "/run/media/alice/USB STICK", "noexec") == "false");
    f = collect(root.path(), {}, "live", &proc_root);
    CHECK(f.size() == 3);  // /dev/shm once
}

TEST_CASE("mounts live on this machine agrees with findmnt") {
    auto host_proc = Sysroot::open("/proc").value();
    FactSet all = collect("/", {}, "live", &host_proc);
    REQUIRE_FALSE(all.empty());
    std::size_t compared = 0;
    for (const Fact& f : all) {
        const std::string target = f.object;
        if (target.find_first_of(" \t'\"\\$") != std::string::npos) continue;  // keep the shell command simple
        // findmnt's OPTIONS are the per-mount and the super-block options merged; the three
        // flags are per-mount options, which both list.
        auto r = triad::test::sh("findmnt -n -k -o OPTIONS --mountpoint '" + target + "' | tail -n 1");
        REQUIRE(r.exit_code == 0);
        CAPTURE(target);
        CAPTURE(r.out);
        for (const char* flag : {"nodev", "nosuid", "noexec"}) {
            const bool listed = ("," + r.out.substr(0, r.out.find('\n')) + ",").find(std::string(",") + flag + ",") != std::string::npos;
            CHECK(field_text(f, kMountsCollector.fields, flag) == (listed ? "true" : "false"));
        }
        ++compared;
    }
    CHECK(compared > 3);
    // A path that is not a mount point: findmnt --target names the mount that holds it.
    auto r = triad::test::sh("findmnt -n -k -o TARGET --target /etc/ssh | tail -n 1");
    FactSet one = collect("/", {"/etc/ssh"}, "live", &host_proc);
    CHECK(field(one, "/etc/ssh", "mount_point") + "\n" == r.out);
}
