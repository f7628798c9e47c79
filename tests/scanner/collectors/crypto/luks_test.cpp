// SPDX-License-Identifier: Apache-2.0
// The luks and luks_keyslots collectors on real LUKS1 and LUKS2 images made here with
// `cryptsetup luksFormat` (fast PBKDF parameters), cross-checked field by field against
// `cryptsetup luksDump` of the same image; a damaged LUKS2 header that must be reported and
// never repaired; hostile headers; and a real block device (a read-only loop device).
#include "scanner/collectors/crypto/luks.h"
#include "scanner/collectors/crypto/mounts_encryption.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <map>
#include <sstream>

#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::make_dirs;
using triad::test::read_file;
using triad::test::sh;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

bool have_cryptsetup() { return sh("command -v cryptsetup >/dev/null").exit_code == 0; }

// Formats an image under ROOT/srv/images with fast PBKDF settings (luksFormat's defaults
// benchmark for seconds). `extra` goes to luksFormat.
void format_image(const TempDir& root, const std::string& name, const std::string& extra) {
    make_dirs(root / "srv/images");
    const std::string img = root / ("srv/images/" + name);
    auto r = sh("cd '" + root.path() + "' && printf pw1 > key1 && printf pw2 > key2 && truncate -s 2M '" + img +
                "' && cryptsetup luksFormat -q --key-file key1 " + extra + " '" + img + "'");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

FactSet collect(const CollectorEntry& entry, const std::string& root_dir, const StringList& images,
                const Sysroot* sys = nullptr) {
    auto root = Sysroot::open(root_dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    SelectArgs args;
    if (!images.empty()) args.values["images"] = images;
    CollectContext ctx{root, ids};
    ctx.sys = sys;
    return entry.collect(ctx, args);
}

// `cryptsetup luksDump` of a copy (luksDump repairs a damaged LUKS2 header in place), read
// into "key" -> value, with keyslot lines as "slot.N.Key" and the like.
std::map<std::string, std::string> luks_dump(const std::string& image) {
    TempDir scratch;
    const std::string copy = scratch / "copy.img";
    auto r = triad::test::run({"cp", image, copy});
    REQUIRE(r.exit_code == 0);
    r = triad::test::run({"cryptsetup", "luksDump", copy});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    std::map<std::string, std::string> out;
    std::istringstream in(r.out);
    std::string line, slot;
    while (std::getline(in, line)) {
        if (line.starts_with("Key Slot ")) {  // LUKS1: "Key Slot 0: ENABLED"
            const std::size_t colon = line.find(':');
            slot = line.substr(9, colon - 9);
            out["slot." + slot + ".state"] = line.substr(colon + 2);
            continue;
        }
        if (line.size() > 3 && line[0] == ' ' && line[1] == ' ' && line.find(": luks2") != std::string::npos) {
            slot = line.substr(2, line.find(':') - 2);  // LUKS2: "  3: luks2"
            out["slot." + slot + ".state"] = "ENABLED";
            continue;
        }
        if (line == "Tokens:" || line == "Digests:" || line == "Data segments:") slot.clear();
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string key = line.substr(0, colon);
        std::string value = line.substr(colon + 1);
        key.erase(0, key.find_first_not_of(" \t"));
        value.erase(0, value.find_first_not_of(" \t"));
        if (!slot.empty() && line[0] == '\t') key = "slot." + slot + "." + key;
        if (!out.count(key)) out[key] = value;
    }
    return out;
}

std::string strip_unit(std::string v) { return v.substr(0, v.find(' ')); }

// Every field of the luks fact and of its keyslots against luksDump.
void check_against_luksdump(const std::string& image, const Fact& luks, const FactSet& slots) {
    auto dump = luks_dump(image);
    const auto& F = kLuksCollector.fields;
    CHECK(field_text(luks, F, "version") == dump["Version"]);
    CHECK(field_text(luks, F, "uuid") == dump["UUID"]);
    int active = 0;
    for (int s = 0; s < 32; ++s)
        if (dump["slot." + std::to_string(s) + ".state"] == "ENABLED") ++active;
    CHECK(field_text(luks, F, "active_keyslots") == std::to_string(active));
    if (dump["Version"] == "1") {
        CHECK(field_text(luks, F, "cipher") == dump["Cipher name"]);
        CHECK(field_text(luks, F, "cipher_mode") == dump["Cipher mode"]);
        CHECK(field_text(luks, F, "key_bits") == dump["MK bits"]);
    } else {
        CHECK(field_text(luks, F, "cipher") + "-" + field_text(luks, F, "cipher_mode") == dump["cipher"]);
        CHECK(field_text(luks, F, "key_bits") == strip_unit(dump["slot.0.Key"].empty() ? dump["slot.3.Key"] : dump["slot.0.Key"]));
        if (dump["Label"] != "(no label)") CHECK(field_text(luks, F, "label") == dump["Label"]);
    }
    const auto& K = kLuksKeyslotsCollector.fields;
    int seen = 0;
    for (const Fact& k : slots) {
        if (field_text(k, K, "path") != field_text(luks, F, "path")) continue;
        ++seen;
        const std::string p = "slot." + field_text(k, K, "slot") + ".";
        REQUIRE(dump[p + "state"] == "ENABLED");
        if (dump["Version"] == "1") {
            CHECK(field_text(k, K, "pbkdf") == "pbkdf2");
            CHECK(field_text(k, K, "iterations") == dump[p + "Iterations"]);
            CHECK(field_text(k, K, "hash") == dump["Hash spec"]);
            continue;
        }
        CHECK(field_text(k, K, "pbkdf") == dump[p + "PBKDF"]);
        CHECK(field_text(k, K, "priority") == dump[p + "Priority"]);
        CHECK(field_text(k, K, "encryption") == dump[p + "Cipher"]);
        if (dump[p + "PBKDF"] == "pbkdf2") {
            CHECK(field_text(k, K, "iterations") == dump[p + "Iterations"]);
            CHECK(field_text(k, K, "hash") == dump[p + "Hash"]);
        } else {
            CHECK(field_text(k, K, "iterations") == dump[p + "Time cost"]);
            CHECK(field_text(k, K, "memory_kib") == dump[p + "Memory"]);
            CHECK(field_text(k, K, "parallel") == dump[p + "Threads"]);
        }
    }
    CHECK(seen == active);
}

}  // namespace

TEST_CASE("luks: LUKS1 and LUKS2 images agree with cryptsetup luksDump field by field") {
    if (!have_cryptsetup()) {
        MESSAGE("cryptsetup is not installed (scripts/bootstrap installs cryptsetup-bin): skipped");
        return;
    }
    TempDir root;
    const std::string small_luks2 = "--type luks2 --luks2-metadata-size=16k --luks2-keyslots-size=1m ";
    format_image(root, "l2-xts512-pbkdf2.img",
                 small_luks2 + "--pbkdf pbkdf2 --pbkdf-force-iterations 1000 --cipher aes-xts-plain64 --key-size 512");
    format_image(root, "l2-xts256-argon2id.img",
                 small_luks2 + "--pbkdf argon2id --pbkdf-memory 32 --pbkdf-force-iterations 4 --pbkdf-parallel 1 "
                               "--cipher aes-xts-plain64 --key-size 256 --label data");
    // Two keyslots with different PBKDFs: the weakest is pbkdf2, the argon2 floor is slot 3's.
    format_image(root, "l2-cbc-mixed.img",
                 small_luks2 + "--pbkdf pbkdf2 --pbkdf-force-iterations 1500 --cipher aes-cbc-essiv:sha256 --key-size 256");
    auto r = sh("cd '" + root.path() + "' && cryptsetup luksAddKey -q --key-file key1 --key-slot 3 --pbkdf argon2i "
                "--pbkdf-memory 64 --pbkdf-force-iterations 5 --pbkdf-parallel 2 srv/images/l2-cbc-mixed.img key2");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    format_image(root, "l1-cbc256.img",
                 "--type luks1 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --cipher aes-cbc-essiv:sha256 --key-size 256 --hash sha256");
    format_image(root, "l1-xts512.img",
                 "--type luks1 --pbkdf-force-iterations 1000 --cipher aes-xts-plain64 --key-size 512 --hash sha512");
    r = sh("cd '" + root.path() + "' && cryptsetup luksAddKey -q --key-file key1 --key-slot 5 --pbkdf-force-iterations 2000 "
           "srv/images/l1-xts512.img key2");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);

    const FactSet luks = collect(kLuksCollector, root.path(), {"/srv/images/*.img"});
    const FactSet slots = collect(kLuksKeyslotsCollector, root.path(), {"/srv/images/*.img"});
    REQUIRE(luks.size() == 5);
    for (const Fact& f : luks) {
        INFO(f.object << ": " << f.reason);
        REQUIRE(f.status == FactStatus::ok);
        check_against_luksdump(root / f.object.substr(1), f, slots);
        CHECK(field_text(f, kLuksCollector.fields, "header_copies_valid") == "true");
        CHECK(field_text(f, kLuksCollector.fields, "kind") == "image");
        CHECK(field_text(f, kLuksCollector.fields, "open") == "(absent)");  // no sys root: unknown
    }
    const auto& F = kLuksCollector.fields;
    const Fact* mixed = find_object(luks, "/srv/images/l2-cbc-mixed.img");
    REQUIRE(mixed);
    CHECK(field_text(*mixed, F, "weakest_pbkdf") == "pbkdf2");
    CHECK(field_text(*mixed, F, "min_pbkdf2_iterations") == "1500");
    CHECK(field_text(*mixed, F, "min_argon2_memory_kib") == "64");
    CHECK(field_text(*mixed, F, "active_keyslots") == "2");
    const Fact* argon = find_object(luks, "/srv/images/l2-xts256-argon2id.img");
    REQUIRE(argon);
    CHECK(field_text(*argon, F, "weakest_pbkdf") == "argon2id");
    CHECK(field_text(*argon, F, "min_pbkdf2_iterations") == "(absent)");
    CHECK(field_text(*argon, F, "key_bits") == "256");
    const Fact* l1 = find_object(luks, "/srv/images/l1-xts512.img");
    REQUIRE(l1);
    CHECK(field_text(*l1, F, "min_pbkdf2_iterations") == "1000");
    CHECK(field_text(*l1, F, "key_bits") == "512");
    CHECK(find_object(slots, "/srv/images/l1-xts512.img#5"));
    CHECK(find_object(slots, "/srv/images/l2-cbc-mixed.img#3"));
}

TEST_CASE("luks: a damaged LUKS2 header copy is reported and never repaired") {
    if (!have_cryptsetup()) {
        MESSAGE("cryptsetup is not installed: skipped");
        return;
    }
    TempDir root;
    format_image(root, "damaged.img",
                 "--type luks2 --luks2-metadata-size=16k --luks2-keyslots-size=1m --pbkdf pbkdf2 --pbkdf-force-iterations 1000");
    const std::string img = root / "srv/images/damaged.img";
    // Four bytes into the primary copy's JSON area: its checksum no longer matches.
    auto r = sh("printf XXXX | dd of='" + img + "' bs=1 seek=5000 conv=notrunc status=none");
    REQUIRE(r.exit_code == 0);
    const std::string before = read_file(img);

    const FactSet facts = collect(kLuksCollector, root.path(), {"/srv/images/damaged.img"});
    REQUIRE(facts.size() == 1);
    INFO(facts[0].reason);
    REQUIRE(facts[0].status == FactStatus::ok);
    CHECK(field_text(facts[0], kLuksCollector.fields, "header_copies_valid") == "false");
    CHECK(field_text(facts[0], kLuksCollector.fields, "header_problem").find("Primary LUKS2 header requires recovery") !=
          std::string::npos);
    CHECK(field_text(facts[0], kLuksCollector.fields, "version") == "2");  // read from the good copy
    (void)collect(kLuksKeyslotsCollector, root.path(), {"/srv/images/damaged.img"});
    CHECK(read_file(img) == before);  // not one byte written

    // The control: the tool with its default settings does rewrite this image, so the
    // comparison above is one that a repair would fail.
    TempDir scratch;
    const std::string copy = scratch / "copy.img";
    REQUIRE(triad::test::run({"cp", img, copy}).exit_code == 0);
    REQUIRE(triad::test::run({"cryptsetup", "luksDump", copy}).exit_code == 0);
    CHECK(read_file(copy) != before);
}

TEST_CASE("luks: hostile and broken headers are errors naming the file, and nothing is written") {
    if (!have_cryptsetup()) {
        MESSAGE("cryptsetup is not installed: skipped");
        return;
    }
    TempDir root;
    format_image(root, "good2.img",
                 "--type luks2 --luks2-metadata-size=16k --luks2-keyslots-size=1m --pbkdf pbkdf2 --pbkdf-force-iterations 1000");
    format_image(root, "good1.img", "--type luks1 --pbkdf-force-iterations 1000");
    const std::string dir = root / "srv/images/";
    const std::string script =
        "cd '" + dir + "' && "
        // The LUKS magic and version 2, then random bytes.
        "{ printf 'LUKS\\272\\276\\000\\002'; head -c 65536 /dev/urandom; } > magic-garbage.img && "
        // Cut short: a LUKS2 header without its second copy, a LUKS1 header without keyslots.
        "head -c 20000 good2.img > truncated2.img && head -c 4000 good1.img > truncated1.img && "
        // hdr_size (offset 8, big endian) of both copies set to 2^40: an absurd JSON area.
        "cp good2.img absurd-json.img && "
        "printf '\\000\\000\\001\\000\\000\\000\\000\\000' | dd of=absurd-json.img bs=1 seek=8 conv=notrunc status=none && "
        "printf '\\000\\000\\001\\000\\000\\000\\000\\000' | dd of=absurd-json.img bs=1 seek=16392 conv=notrunc status=none && "
        ": > empty.img && rm good2.img good1.img";
    auto r = sh(script);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    std::map<std::string, std::string> before;
    for (const char* n : {"magic-garbage.img", "truncated2.img", "truncated1.img", "absurd-json.img", "empty.img"})
        before[n] = read_file(dir + n);

    const FactSet facts = collect(kLuksCollector, root.path(), {"/srv/images/*.img"});
    CHECK(facts.size() == 5);
    for (const Fact& f : facts) {
        INFO(f.object << ": " << f.reason);
        CHECK(f.status == FactStatus::error);
        CHECK(f.reason.find(f.object) != std::string::npos);  // the message names the file
    }
    for (const auto& [name, bytes] : before) CHECK_MESSAGE(read_file(dir + name) == bytes, name);
    const FactSet slots = collect(kLuksKeyslotsCollector, root.path(), {"/srv/images/*.img"});
    CHECK(slots.size() == 5);
}

TEST_CASE("luks: what is not a LUKS image, and block devices without a sys root") {
    TempDir root;
    write_file(root / "srv/images/plain.img", std::string(8192, 'x'));
    make_dirs(root / "srv/images/dir.img");
    FactSet facts = collect(kLuksCollector, root.path(), {"/srv/images/*.img", "/srv/none/*.img"});
    REQUIRE(facts.size() == 3);
    const Fact* absent = find_object(facts, "/srv/none/*.img");
    REQUIRE(absent);
    CHECK(absent->status == FactStatus::absent);
    for (const char* bad : {"/srv/images/plain.img", "/srv/images/dir.img"}) {
        const Fact* f = find_object(facts, bad);
        REQUIRE_MESSAGE(f, bad);
        CHECK(f->status == FactStatus::error);
    }
    // No images named and no sys root (an offline --root): block devices cannot be listed.
    facts = collect(kLuksCollector, root.path(), {});
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::not_applicable);
}

TEST_CASE("luks: `open` and `mapped_as` come from the dm-crypt mappings of the sys root") {
    if (!have_cryptsetup()) {
        MESSAGE("cryptsetup is not installed: skipped");
        return;
    }
    TempDir root;
    format_image(root, "data.img",
                 "--type luks2 --luks2-metadata-size=16k --luks2-keyslots-size=1m --pbkdf pbkdf2 --pbkdf-force-iterations 1000");
    format_image(root, "spare.img", "--type luks1 --pbkdf-force-iterations 1000");
    auto uuid = sh("cryptsetup luksUUID '" + root / "srv/images/data.img" + "'");
    REQUIRE(uuid.exit_code == 0);
    std::string hex;
    for (char c : uuid.out)
        if (std::isxdigit(static_cast<unsigned char>(c))) hex += c;
    // A sys tree as the kernel shows an open LUKS2 mapping (no device-mapper on test machines).
    TempDir sys;
    make_dirs(sys / "devices/virtual/block/dm-0/dm");
    make_dirs(sys / "class/block");
    write_file(sys / "devices/virtual/block/dm-0/dm/name", "cryptdata\n");
    write_file(sys / "devices/virtual/block/dm-0/dm/uuid", "CRYPT-LUKS2-" + hex + "-cryptdata\n");
    REQUIRE(::symlink("../../devices/virtual/block/dm-0", (sys / "class/block/dm-0").c_str()) == 0);
    auto sysroot = Sysroot::open(sys.path()).value();
    const FactSet facts = collect(kLuksCollector, root.path(), {"/srv/images/*.img"}, &sysroot);
    REQUIRE(facts.size() == 2);
    const Fact* data = find_object(facts, "/srv/images/data.img");
    const Fact* spare = find_object(facts, "/srv/images/spare.img");
    REQUIRE((data && spare));
    CHECK(field_text(*data, kLuksCollector.fields, "open") == "true");
    CHECK(field_text(*data, kLuksCollector.fields, "mapped_as") == "cryptdata");
    CHECK(field_text(*spare, kLuksCollector.fields, "open") == "false");
    CHECK(field_text(*spare, kLuksCollector.fields, "mapped_as") == "(absent)");
}

TEST_CASE("luks: a LUKS block device of the running system is found and read (read-only loop device)") {
    if (!have_cryptsetup() || ::geteuid() != 0) {
        MESSAGE("needs root and cryptsetup to attach a loop device: skipped");
        return;
    }
    TempDir root;
    format_image(root, "loop.img",
                 "--type luks2 --luks2-metadata-size=16k --luks2-keyslots-size=1m --pbkdf argon2id --pbkdf-memory 32 "
                 "--pbkdf-force-iterations 4 --pbkdf-parallel 1");
    const std::string img = root / "srv/images/loop.img";
    auto attach = sh("losetup -f --show -r '" + img + "'");
    if (attach.exit_code != 0) {
        MESSAGE("no loop device available (" << attach.err << "): skipped");
        return;
    }
    std::string dev = attach.out.substr(0, attach.out.find('\n'));
    struct Detach {
        std::string dev;
        ~Detach() { sh("losetup -d '" + dev + "'"); }
    } detach{dev};
    const std::string before = read_file(img);
    auto sys = Sysroot::open("/sys").value();
    auto proc = Sysroot::open("/proc").value();
    auto host = Sysroot::open("/").value();
    const IdentityTable ids = IdentityTable::load(host);
    CollectContext ctx{host, ids, &proc, &sys};
    const FactSet facts = kLuksCollector.collect(ctx, SelectArgs{});
    // A device mounted as a file system holds that file system, not LUKS: it is not opened
    // (this test VM forbids opening its root disk at all).
    std::size_t bad = 0;
    for (const MountinfoEntry& m : parse_mountinfo(read_file("/proc/self/mountinfo"), &bad))
        if (m.mountpoint == "/" && m.source.starts_with("/dev/")) CHECK(find_object(facts, m.source) == nullptr);
    const Fact* f = find_object(facts, dev);
    REQUIRE_MESSAGE(f, "no fact for " << dev);
    INFO(f->reason);
    REQUIRE(f->status == FactStatus::ok);
    CHECK(field_text(*f, kLuksCollector.fields, "kind") == "block_device");
    CHECK(field_text(*f, kLuksCollector.fields, "weakest_pbkdf") == "argon2id");
    CHECK(field_text(*f, kLuksCollector.fields, "min_argon2_memory_kib") == "32");
    // The independent probe of the same device agrees on the UUID and the version.
    auto blkid = sh("blkid -p -o export '" + dev + "'");
    REQUIRE(blkid.exit_code == 0);
    CHECK(blkid.out.find("UUID=" + field_text(*f, kLuksCollector.fields, "uuid")) != std::string::npos);
    CHECK(blkid.out.find("VERSION=2") != std::string::npos);
    CHECK(read_file(img) == before);
}
