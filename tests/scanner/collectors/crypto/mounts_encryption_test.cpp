// SPDX-License-Identifier: Apache-2.0
// mounts_encryption on fixture sys and proc trees shaped like a laptop (LUKS2 root, plain
// dm-crypt swap with a random key), a server (LVM on LUKS on RAID1), a machine with
// unencrypted swap and a container; and on this machine's own /proc and /sys.
#include "scanner/collectors/crypto/mounts_encryption.h"

#include <doctest/doctest.h>

#include "tests/scanner/collectors/crypto/block_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::BlockFixture;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;

namespace {

const auto& F = kMountsEncryptionCollector.fields;

FactSet collect(const BlockFixture& fx) {
    TempDir root_dir;
    auto root = Sysroot::open(root_dir.path()).value();
    auto proc = Sysroot::open(fx.proc()).value();
    auto sys = Sysroot::open(fx.sys()).value();
    const IdentityTable ids = IdentityTable::load(root);
    CollectContext ctx{root, ids, &proc, &sys};
    return kMountsEncryptionCollector.collect(ctx, SelectArgs{});
}

const std::string kLuksHex = "b98e4712be3c4558994a489abcd89475";

}  // namespace

TEST_CASE("mounts_encryption: a laptop with a LUKS2 root and swap with a random key") {
    BlockFixture fx;
    fx.add({"nvme0n1", "259:0", "", "", "", "", {}});
    fx.add({"nvme0n1p1", "259:1", "nvme0n1", "", "", "", {}});
    fx.add({"nvme0n1p2", "259:2", "nvme0n1", "", "", "", {}});
    fx.add({"nvme0n1p3", "259:3", "nvme0n1", "", "", "", {}});
    fx.add({"nvme0n1p4", "259:4", "nvme0n1", "", "", "", {}});
    fx.add({"dm-0", "253:0", "", "luks-b98e4712", "CRYPT-LUKS2-" + kLuksHex + "-luks-b98e4712", "", {"nvme0n1p3"}});
    fx.add({"dm-1", "253:1", "", "cryptswap", "CRYPT-PLAIN-cryptswap", "", {"nvme0n1p4"}});
    fx.mountinfo(
        "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
        "26 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/luks-b98e4712 rw,errors=remount-ro\n"
        "27 26 259:2 / /boot rw,relatime shared:29 - ext4 /dev/nvme0n1p2 rw\n"
        "28 27 259:1 / /boot/efi rw,relatime shared:31 - vfat /dev/nvme0n1p1 rw,fmask=0077\n"
        "29 26 0:25 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=1628476k,mode=755\n");
    fx.swaps("/dev/dm-1                               partition\t8388604\t\t0\t\t-2\n");
    const FactSet facts = collect(fx);
    REQUIRE(facts.size() == 4);  // /, /boot, /boot/efi, swap; proc and tmpfs are no block devices
    const Fact* root = find_object(facts, "/");
    REQUIRE(root);
    CHECK(field_text(*root, F, "encrypted") == "true");
    CHECK(field_text(*root, F, "crypt_device") == "luks-b98e4712");
    CHECK(field_text(*root, F, "crypt_type") == "LUKS2");
    CHECK(field_text(*root, F, "chain") == "dm-0 (crypt LUKS2 luks-b98e4712), nvme0n1p3");
    CHECK(field_text(*root, F, "source") == "/dev/mapper/luks-b98e4712");
    CHECK(field_text(*root, F, "kind") == "mount");
    const Fact* boot = find_object(facts, "/boot");
    REQUIRE(boot);
    CHECK(field_text(*boot, F, "encrypted") == "false");
    CHECK(field_text(*boot, F, "crypt_device") == "(absent)");
    const Fact* swap = find_object(facts, "swap:/dev/dm-1");
    REQUIRE(swap);
    CHECK(field_text(*swap, F, "encrypted") == "true");
    CHECK(field_text(*swap, F, "crypt_type") == "PLAIN");
    CHECK(field_text(*swap, F, "kind") == "swap");
    CHECK(field_text(*swap, F, "mountpoint") == "(absent)");
}

TEST_CASE("mounts_encryption: a server with LVM on LUKS on RAID1, and a volume group only half on LUKS") {
    BlockFixture fx;
    fx.add({"sda", "8:0", "", "", "", "", {}});
    fx.add({"sda1", "8:1", "sda", "", "", "", {}});
    fx.add({"sdb", "8:16", "", "", "", "", {}});
    fx.add({"sdb1", "8:17", "sdb", "", "", "", {}});
    fx.add({"sdc", "8:32", "", "", "", "", {}});
    fx.add({"sdc1", "8:33", "sdc", "", "", "", {}});
    fx.add({"md0", "9:0", "", "", "", "raid1", {"sda1", "sdb1"}});
    fx.add({"dm-0", "253:0", "", "md0_crypt", "CRYPT-LUKS2-" + kLuksHex + "-md0_crypt", "", {"md0"}});
    fx.add({"dm-1", "253:1", "", "vg0-root", "LVM-aaaaaaaabbbbbbbbccccccccddddddddeeeeeeeeffffffff00000000", "", {"dm-0"}});
    fx.add({"dm-2", "253:2", "", "vg0-swap", "LVM-aaaaaaaabbbbbbbbccccccccddddddddeeeeeeeeffffffff11111111", "", {"dm-0"}});
    fx.add({"dm-3", "253:3", "", "vg0-var", "LVM-aaaaaaaabbbbbbbbccccccccddddddddeeeeeeeeffffffff22222222", "", {"dm-0"}});
    // vg1 spans the LUKS device and a plain partition: part of /srv is written in clear.
    fx.add({"dm-4", "253:4", "", "vg1-srv", "LVM-99999999bbbbbbbbccccccccddddddddeeeeeeeeffffffff33333333", "", {"dm-0", "sdc1"}});
    fx.mountinfo(
        "26 1 253:1 / / rw,relatime shared:1 - ext4 /dev/mapper/vg0-root rw\n"
        "27 26 253:3 / /var rw,relatime shared:2 - xfs /dev/mapper/vg0-var rw\n"
        "28 26 253:4 / /srv\\040data rw,relatime shared:3 - ext4 /dev/mapper/vg1-srv rw\n");
    fx.swaps("/dev/dm-2                               partition\t8388604\t\t0\t\t-2\n");
    const FactSet facts = collect(fx);
    REQUIRE(facts.size() == 4);
    const Fact* root = find_object(facts, "/");
    REQUIRE(root);
    CHECK(field_text(*root, F, "encrypted") == "true");
    CHECK(field_text(*root, F, "crypt_device") == "md0_crypt");
    CHECK(field_text(*root, F, "chain") == "dm-1 (lvm vg0-root), dm-0 (crypt LUKS2 md0_crypt), md0 (raid1), sda1, sdb1");
    const Fact* var = find_object(facts, "/var");
    REQUIRE(var);
    CHECK(field_text(*var, F, "encrypted") == "true");
    CHECK(field_text(*var, F, "fstype") == "xfs");
    const Fact* srv = find_object(facts, "/srv data");  // the \040 of mountinfo decoded
    REQUIRE(srv);
    CHECK(field_text(*srv, F, "encrypted") == "false");
    CHECK(field_text(*srv, F, "crypt_device") == "md0_crypt");  // a crypt layer exists, but not on every path
    const Fact* swap = find_object(facts, "swap:/dev/dm-2");
    REQUIRE(swap);
    CHECK(field_text(*swap, F, "encrypted") == "true");
    CHECK(field_text(*swap, F, "crypt_type") == "LUKS2");
}

TEST_CASE("mounts_encryption: unencrypted swap, a partition and a file") {
    BlockFixture fx;
    fx.add({"vda", "254:0", "", "", "", "", {}});
    fx.add({"vda1", "254:1", "vda", "", "", "", {}});
    fx.add({"vda2", "254:2", "vda", "", "", "", {}});
    fx.mountinfo("26 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n");
    fx.swaps("/dev/vda2                               partition\t1048572\t\t0\t\t-2\n"
             "/swap\\040file                           file\t\t1048572\t\t0\t\t-3\n");
    const FactSet facts = collect(fx);
    REQUIRE(facts.size() == 3);
    const Fact* part = find_object(facts, "swap:/dev/vda2");
    const Fact* file = find_object(facts, "swap:/swap file");
    REQUIRE((part && file));
    CHECK(field_text(*part, F, "encrypted") == "false");
    CHECK(field_text(*part, F, "chain") == "vda2");
    CHECK(field_text(*file, F, "encrypted") == "false");
    CHECK(field_text(*file, F, "device") == "vda1");  // the file system holding the swap file
}

TEST_CASE("mounts_encryption: a container and an offline root are not_applicable with the reason") {
    BlockFixture fx;
    fx.add({"vda", "254:0", "", "", "", "", {}});
    fx.mountinfo("500 450 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X\n"
                 "501 500 0:52 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n");
    fx.swaps("");
    FactSet facts = collect(fx);
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::not_applicable);
    CHECK(facts[0].reason.find("container") != std::string::npos);

    TempDir root_dir;
    auto root = Sysroot::open(root_dir.path()).value();
    const IdentityTable ids = IdentityTable::load(root);
    facts = kMountsEncryptionCollector.collect(CollectContext{root, ids}, SelectArgs{});
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::not_applicable);
}

TEST_CASE("mounts_encryption: a slaves/ loop in a hostile sys tree is bounded and an error") {
    BlockFixture fx;
    fx.add({"sda", "8:0", "", "", "", "", {}});
    fx.add({"dm-0", "253:0", "", "a", "LVM-x", "", {"sda"}});
    fx.add({"dm-1", "253:1", "", "b", "LVM-y", "", {"dm-0"}});
    // dm-0 now also claims dm-1 underneath it: a cycle the kernel never makes.
    REQUIRE(::symlink("../../dm-1", (fx.sys() + "/devices/virtual/block/dm-0/slaves/dm-1").c_str()) == 0);
    fx.mountinfo("26 1 253:1 / / rw,relatime shared:1 - ext4 /dev/mapper/b rw\n");
    fx.swaps("");
    const FactSet facts = collect(fx);
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("deeper or wider") != std::string::npos);
}

TEST_CASE("mounts_encryption: mountinfo lines with optional fields, escapes and garbage") {
    std::size_t bad = 0;
    auto entries = parse_mountinfo(
        "36 35 98:0 /mnt1 /mnt/a\\040b rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n"
        "garbage line\n"
        "37 35 x:y / /m rw - ext4 /dev/x rw\n",
        &bad);
    REQUIRE(entries.size() == 1);
    CHECK(bad == 2);
    CHECK(entries[0].major == 98);
    CHECK(entries[0].mountpoint == "/mnt/a b");
    CHECK(entries[0].fstype == "ext3");
    CHECK(entries[0].source == "/dev/root");
}

TEST_CASE("mounts_encryption: this machine's own mounts get an answer (no device-mapper here)") {
    auto root = Sysroot::open("/").value();
    auto proc = Sysroot::open("/proc").value();
    auto sys = Sysroot::open("/sys").value();
    const IdentityTable ids = IdentityTable::load(root);
    const FactSet facts = kMountsEncryptionCollector.collect(CollectContext{root, ids, &proc, &sys}, SelectArgs{});
    REQUIRE(!facts.empty());
    for (const Fact& f : facts) {
        INFO(f.object << ": " << f.reason);
        CHECK(f.status != FactStatus::error);
        // Without device-mapper nothing can be under dm-crypt: every answer is "not encrypted"
        // with the device chain as evidence, or not_applicable with a reason.
        if (f.status == FactStatus::ok && triad::test::sh("test -e /sys/class/misc/device-mapper").exit_code != 0) {
            CHECK(field_text(f, F, "encrypted") == "false");
            CHECK(field_text(f, F, "chain") != "(absent)");
        }
        if (f.status == FactStatus::not_applicable) CHECK(!f.reason.empty());
    }
}
