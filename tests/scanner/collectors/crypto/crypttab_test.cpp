// SPDX-License-Identifier: Apache-2.0
// crypttab on fixture roots: options, random-key swap, key files (mode, owner, the file
// system that holds them) and the cross-check with fstab; offline and with a live chain.
#include "scanner/collectors/crypto/crypttab.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "tests/scanner/collect_root.h"
#include "tests/scanner/collectors/crypto/block_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::make_dirs;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

const auto& F = kCrypttabCollector.fields;

FactSet collect(const std::string& dir) { return triad::test::collect_root(kCrypttabCollector, dir); }

void write_root(const TempDir& dir) {
    write_file(dir / "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nbackup:x:34:34:backup:/var/backups:/usr/sbin/nologin\n");
    write_file(dir / "etc/group", "root:x:0:\n");
    write_file(dir / "etc/crypttab",
               "# <target name> <source device> <key file> <options>\n"
               "cryptroot UUID=0b1e3c4d-aaaa-bbbb-cccc-111122223333 none luks,discard\n"
               "cryptswap /dev/disk/by-partuuid/5e6f-02 /dev/urandom swap,cipher=aes-xts-plain64,size=512\n"
               "\tcrypthome\tUUID=7777-home\t/etc/keys/home.key\tluks\n"
               "cryptdata UUID=8888-data /srv/keys/data.key luks,nofail\n"
               "cryptusb UUID=9999-usb /data.key:UUID=abcd-usbstick luks\n"
               "broken\n"
               "cryptbackup UUID=1234-bk /boot/keys/backup.key luks\n");
    write_file(dir / "etc/fstab",
               "/dev/mapper/cryptroot /        ext4 errors=remount-ro 0 1\n"
               "/dev/mapper/crypthome /home    ext4 defaults          0 2\n"
               "UUID=5555-srv         /srv     ext4 defaults          0 2\n"
               "/dev/mapper/cryptswap none     swap sw                0 0\n"
               "/dev/mapper/cryptdata /srv/data ext4 nofail           0 2\n"
               "PARTUUID=5e6f-01      /boot    ext4 defaults          0 2\n");
    write_file(dir / "etc/keys/home.key", "secret\n", 0400);
    write_file(dir / "srv/keys/data.key", "secret\n", 0644);
    write_file(dir / "boot/keys/backup.key", "secret\n", 0400);
}

}  // namespace

TEST_CASE("crypttab: each line with its options, key file and fstab use") {
    TempDir dir;
    write_root(dir);
    REQUIRE(::chown((dir / "srv/keys/data.key").c_str(), 34, 34) == 0);
    const FactSet facts = collect(dir.path());
    REQUIRE(facts.size() == 7);

    const Fact* root = find_object(facts, "cryptroot");
    REQUIRE(root);
    CHECK(field_text(*root, F, "device") == "UUID=0b1e3c4d-aaaa-bbbb-cccc-111122223333");
    CHECK(field_text(*root, F, "key_file") == "(absent)");
    CHECK(field_text(*root, F, "options") == "luks, discard");
    CHECK(field_text(*root, F, "discard") == "true");
    CHECK(field_text(*root, F, "mounted_at") == "/");
    CHECK(field_text(*root, F, "swap") == "false");
    CHECK(field_text(*root, F, "line") == "2");

    const Fact* swap = find_object(facts, "cryptswap");
    REQUIRE(swap);
    CHECK(field_text(*swap, F, "random_key") == "true");
    CHECK(field_text(*swap, F, "swap") == "true");
    CHECK(field_text(*swap, F, "plain") == "true");
    CHECK(field_text(*swap, F, "mounted_at") == "swap");
    CHECK(field_text(*swap, F, "key_file_exists") == "(absent)");  // not a file: a new key every boot

    // Key on /etc, which fstab mounts from /dev/mapper/cryptroot: on an encrypted file system.
    const Fact* home = find_object(facts, "crypthome");
    REQUIRE(home);
    CHECK(field_text(*home, F, "key_file") == "/etc/keys/home.key");
    CHECK(field_text(*home, F, "key_file_exists") == "true");
    CHECK(field_text(*home, F, "key_file_mode") == "0400");
    CHECK(field_text(*home, F, "key_file_owner") == "root");
    CHECK(field_text(*home, F, "key_file_on_encrypted") == "true");
    CHECK(field_text(*home, F, "key_file_filesystem") == "/");
    CHECK(field_text(*home, F, "discard") == "false");

    // Key on /srv, mounted from UUID=: offline, whether that is encrypted cannot be known.
    const Fact* data = find_object(facts, "cryptdata");
    REQUIRE(data);
    CHECK(field_text(*data, F, "key_file_mode") == "0644");
    CHECK(field_text(*data, F, "key_file_owner") == "backup");
    CHECK(field_text(*data, F, "key_file_on_encrypted") == "(absent)");
    CHECK(field_text(*data, F, "key_file_filesystem") == "/srv");
    CHECK(field_text(*data, F, "mounted_at") == "/srv/data");

    // KEY:DEVICE, a key on a USB stick: nothing about it is in the audited root.
    const Fact* usb = find_object(facts, "cryptusb");
    REQUIRE(usb);
    CHECK(field_text(*usb, F, "key_file") == "/data.key");
    CHECK(field_text(*usb, F, "key_file_exists") == "(absent)");

    // Key on /boot, mounted straight from a partition: certainly in clear.
    const Fact* backup = find_object(facts, "cryptbackup");
    REQUIRE(backup);
    CHECK(field_text(*backup, F, "key_file_on_encrypted") == "false");
    CHECK(field_text(*backup, F, "key_file_filesystem") == "/boot");

    const Fact* broken = find_object(facts, "broken");
    REQUIRE(broken);
    CHECK(broken->status == FactStatus::error);
    CHECK(broken->reason.find("/etc/crypttab:7") != std::string::npos);
}

TEST_CASE("crypttab: the live device chain is used only when the audited root is the running system") {
    TempDir dir;
    write_root(dir);
    // The running system: /srv on sdb1, in clear.
    triad::test::BlockFixture fx;
    fx.add({"sdb", "8:16", "", "", "", "", {}});
    fx.add({"sdb1", "8:17", "sdb", "", "", "", {}});
    fx.mountinfo("30 1 8:17 / /srv rw,relatime - ext4 /dev/sdb1 rw\n");
    auto root = Sysroot::open(dir.path()).value();
    auto proc = Sysroot::open(fx.proc()).value();
    auto sys = Sysroot::open(fx.sys()).value();
    const IdentityTable ids = IdentityTable::load(root);
    const FactSet facts = kCrypttabCollector.collect(CollectContext{root, ids, &proc, &sys}, SelectArgs{});
    const Fact* data = find_object(facts, "cryptdata");
    REQUIRE(data);
    // The fixture root is not the host, so the live chain is not used: it would describe
    // another system than the one whose crypttab is read.
    CHECK(field_text(*data, F, "key_file_on_encrypted") == "(absent)");
}

TEST_CASE("crypttab: absent is not_applicable, unreadable is an error") {
    TempDir bare;
    FactSet facts = collect(bare.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::not_applicable);

    TempDir odd;
    make_dirs(odd / "etc/crypttab");
    facts = collect(odd.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("crypttab") != std::string::npos);
}
