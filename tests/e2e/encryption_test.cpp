// SPDX-License-Identifier: Apache-2.0
// rules/policies/encryption.yml end to end through `triad scan`: a hardened fixture (root,
// proc and sys trees shaped like a laptop with LUKS2 root, LVM on LUKS for /var and /home,
// swap with a random key; real LUKS2 images; TLS and SSH settings) passes every check; for
// each check one change makes it fail; the damaged-header image is not written by the scan;
// live checks are not_applicable offline and in a container.
//
// The shipped LUKS checks read the block devices of the running system, which test machines
// cannot fake (no device-mapper, no LUKS block device in a fixture): the test runs a copy of
// the policy whose luks and luks_keyslots selects name the fixture's images instead. Every
// other line of the policy is used as shipped.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>

#include "rules/load/policy_loader.h"
#include "scanner/core/registry.h"
#include "tests/e2e/policy_checks.h"
#include "tests/scanner/collectors/crypto/block_fixture.h"
#include "tests/test_support.h"

using triad::test::TempDir;
using triad::test::write_file;

namespace {

namespace fixture = triad::test::fixture;

std::string shipped_policy() { return triad::test::source_dir() + "/rules/policies/encryption.yml"; }

std::vector<std::string> policy_ids() { return fixture::policy_check_ids({shipped_policy()}); }

// The verdict a check should get: `verdict`, or error when its collector is not built.
std::string expected(const std::string& id, const std::string& verdict) {
    static const fixture::ExpectedVerdicts expected_verdicts({shipped_policy()});
    return expected_verdicts.of(id, verdict);
}

bool have_cryptsetup() { return triad::test::sh("command -v cryptsetup >/dev/null").exit_code == 0; }

const std::string kRootHex = "0b1e3c4daaaabbbbcccc111122223333";
const std::string kPvHex = "7f0e3c4daaaabbbbcccc444455556666";

struct Tree {
    std::string root, proc, sys, policy;
};

void format(const std::string& root, const std::string& name, const std::string& options) {
    triad::test::make_dirs(root + "/srv/images");
    auto r = triad::test::sh("cd '" + root + "/srv/images' && printf pw > .key && truncate -s 2M " + name +
                             " && cryptsetup luksFormat -q --type luks2 --luks2-metadata-size=16k --luks2-keyslots-size=1m "
                             "--key-file .key " + options + " " + name + "; rc=$?; rm -f .key; exit $rc");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

const char* kFastPbkdf2 = "--pbkdf pbkdf2 --pbkdf-force-iterations 1000";

// A server certificate (CA:FALSE) in ROOT/etc/ssl/certs, made with the openssl tool.
void make_certificate(const std::string& root, const std::string& name, const std::string& key, int days) {
    write_file(root + "/tmp/req.cnf", "[req]\ndistinguished_name = dn\n[dn]\n");
    auto r = triad::test::sh("mkdir -p '" + root + "/etc/ssl/certs' && openssl req -config '" + root +
                             "/tmp/req.cnf' -x509 -nodes -keyout /dev/null -newkey " + key + " -subj /CN=" + name +
                             " -days " + std::to_string(days) + " -addext basicConstraints=CA:FALSE -out '" + root +
                             "/etc/ssl/certs/" + name + "' 2>&1; rc=$?; rm -f '" + root + "/tmp/req.cnf'; exit $rc");
    REQUIRE_MESSAGE(r.exit_code == 0, r.out);
}

void build_root(const std::string& root) {
    write_file(root + "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n");
    write_file(root + "/etc/group", "root:x:0:\nssl-cert:x:111:\n");
    write_file(root + "/etc/crypttab",
               "cryptroot UUID=0b1e3c4d-aaaa-bbbb-cccc-111122223333 none luks\n"
               "cryptpv   UUID=7f0e3c4d-aaaa-bbbb-cccc-444455556666 /etc/keys/pv.key luks\n"
               "cryptswap PARTUUID=5e6f-04 /dev/urandom swap,cipher=aes-xts-plain64,size=512\n",
               0600);
    write_file(root + "/etc/fstab",
               "/dev/mapper/cryptroot /     ext4 errors=remount-ro 0 1\n"
               "/dev/mapper/vg-var    /var  ext4 defaults 0 2\n"
               "/dev/mapper/vg-home   /home ext4 defaults 0 2\n"
               "PARTUUID=5e6f-02      /boot ext4 defaults 0 2\n"
               "/dev/mapper/cryptswap none  swap sw 0 0\n");
    write_file(root + "/etc/keys/pv.key", "not a real key\n", 0400);
    write_file(root + "/etc/ssl/openssl.cnf",
               "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n[ssl_sect]\n"
               "system_default = system_default_sect\n.include /etc/ssl/openssl.d\n");
    write_file(root + "/etc/ssl/openssl.d/tls.cnf",
               "[system_default_sect]\nMinProtocol = TLSv1.2\nCipherString = DEFAULT:@SECLEVEL=2\n");
    write_file(root + "/etc/ssl/private/server.key", "-----BEGIN PRIVATE KEY-----\n", 0640);
    REQUIRE(::chown((root + "/etc/ssl/private/server.key").c_str(), 0, 111) == 0);
    REQUIRE(::chown((root + "/etc/ssl/private").c_str(), 0, 111) == 0);
    REQUIRE(::chmod((root + "/etc/ssl/private").c_str(), 0710) == 0);
    write_file(root + "/etc/ssh/sshd_config",
               "Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr\n"
               "MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com\n");
    make_certificate(root, "server.pem", "rsa:2048", 400);
    // The LUKS device of the hardened machine, with the costs the policy asks for.
    format(root, "root.img",
           "--cipher aes-xts-plain64 --key-size 512 --pbkdf argon2id --pbkdf-memory 131072 "
           "--pbkdf-force-iterations 4 --pbkdf-parallel 1");
}

// A laptop: / on LUKS2 (cryptroot); /var and /home on LVM on a second LUKS2 device; swap on
// plain dm-crypt with a random key; /boot in clear; a spare partition and a plain mapping
// the mutations mount.
void build_live(triad::test::BlockFixture& fx) {
    fx.add({"nvme0n1", "259:0", "", "", "", "", {}});
    for (int p = 1; p <= 6; ++p) fx.add({"nvme0n1p" + std::to_string(p), "259:" + std::to_string(p), "nvme0n1", "", "", "", {}});
    fx.add({"dm-0", "253:0", "", "cryptroot", "CRYPT-LUKS2-" + kRootHex + "-cryptroot", "", {"nvme0n1p3"}});
    fx.add({"dm-1", "253:1", "", "cryptpv", "CRYPT-LUKS2-" + kPvHex + "-cryptpv", "", {"nvme0n1p5"}});
    fx.add({"dm-2", "253:2", "", "vg-var", "LVM-aaaaaaaabbbbbbbbccccccccddddddddeeeeeeeeffffffff00000001", "", {"dm-1"}});
    fx.add({"dm-3", "253:3", "", "vg-home", "LVM-aaaaaaaabbbbbbbbccccccccddddddddeeeeeeeeffffffff00000002", "", {"dm-1"}});
    fx.add({"dm-4", "253:4", "", "cryptswap", "CRYPT-PLAIN-cryptswap", "", {"nvme0n1p4"}});
    fx.add({"dm-5", "253:5", "", "olddata", "CRYPT-PLAIN-olddata", "", {"nvme0n1p6"}});
    fx.mountinfo(
        "22 26 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
        "26 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/cryptroot rw\n"
        "27 26 259:2 / /boot rw,relatime shared:2 - ext4 /dev/nvme0n1p2 rw\n"
        "28 26 253:2 / /var rw,relatime shared:3 - ext4 /dev/mapper/vg-var rw\n"
        "29 26 253:3 / /home rw,relatime shared:4 - ext4 /dev/mapper/vg-home rw\n");
    fx.swaps("/dev/dm-4                               partition\t8388604\t\t0\t\t-2\n");
}

void replace_in(const std::string& file, const std::string& from, const std::string& to) {
    std::string text = triad::test::read_file(file);
    const std::size_t at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from << " not in " << file);
    text.replace(at, from.size(), to);
    struct stat st {};
    ::stat(file.c_str(), &st);
    write_file(file, text, st.st_mode & 07777);
}

void append(const std::string& file, const std::string& text) {
    struct stat st {};
    ::stat(file.c_str(), &st);
    write_file(file, triad::test::read_file(file) + text, st.st_mode & 07777);
}

using Mutation = std::function<void(const Tree&)>;

const std::map<std::string, Mutation>& mutations() {
    static const std::map<std::string, Mutation> m = {
        {"ENC-ROOT-ENCRYPTED", [](const Tree& t) {
             replace_in(t.proc + "/self/mountinfo", "253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/cryptroot",
                        "259:1 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p1");
         }},
        {"ENC-HOME-ENCRYPTED", [](const Tree& t) {
             replace_in(t.proc + "/self/mountinfo", "253:3 / /home rw,relatime shared:4 - ext4 /dev/mapper/vg-home",
                        "259:6 / /home rw,relatime shared:4 - ext4 /dev/nvme0n1p6");
         }},
        {"ENC-VAR-ENCRYPTED", [](const Tree& t) {
             replace_in(t.proc + "/self/mountinfo", "253:2 / /var rw,relatime shared:3 - ext4 /dev/mapper/vg-var",
                        "259:6 / /var rw,relatime shared:3 - ext4 /dev/nvme0n1p6");
         }},
        {"ENC-SWAP-ENCRYPTED", [](const Tree& t) { append(t.proc + "/swaps", "/dev/nvme0n1p6 partition\t1048572\t0\t-3\n"); }},
        {"ENC-NO-PLAIN-DMCRYPT-MOUNTS", [](const Tree& t) {
             append(t.proc + "/self/mountinfo", "30 26 253:5 / /srv rw,relatime shared:5 - ext4 /dev/mapper/olddata rw\n");
         }},
        {"ENC-LUKS2-FORMAT", [](const Tree& t) {
             auto r = triad::test::sh("cd '" + t.root + "/srv/images' && printf pw > k && truncate -s 2M old.img && "
                                      "cryptsetup luksFormat -q --type luks1 --pbkdf-force-iterations 1000 --key-file k old.img && rm k");
             REQUIRE(r.exit_code == 0);
         }},
        {"ENC-LUKS-ARGON2ID", [](const Tree& t) { format(t.root, "pbkdf2.img", kFastPbkdf2); }},
        {"ENC-LUKS-PBKDF2-ITERATIONS", [](const Tree& t) { format(t.root, "pbkdf2.img", kFastPbkdf2); }},
        {"ENC-LUKS-ARGON2-COST", [](const Tree& t) {
             format(t.root, "cheap-argon.img", "--pbkdf argon2id --pbkdf-memory 32 --pbkdf-force-iterations 4 --pbkdf-parallel 1");
         }},
        {"ENC-LUKS-CIPHER", [](const Tree& t) {
             format(t.root, "xts256.img", std::string("--cipher aes-xts-plain64 --key-size 256 ") + kFastPbkdf2);
         }},
        {"ENC-LUKS-NO-WEAK-MODE", [](const Tree& t) {
             format(t.root, "cbc.img", std::string("--cipher aes-cbc-plain64 --key-size 256 ") + kFastPbkdf2);
         }},
        {"ENC-LUKS-HEADER-COPIES", [](const Tree& t) {
             auto r = triad::test::sh("cd '" + t.root + "/srv/images' && cp root.img damaged.img && "
                                      "printf XXXX | dd of=damaged.img bs=1 seek=5000 conv=notrunc status=none");
             REQUIRE(r.exit_code == 0);
         }},
        {"ENC-CRYPTTAB-MODE", [](const Tree& t) { REQUIRE(::chmod((t.root + "/etc/crypttab").c_str(), 0666) == 0); }},
        {"ENC-KEYFILE-ROOT-ONLY", [](const Tree& t) { REQUIRE(::chmod((t.root + "/etc/keys/pv.key").c_str(), 0644) == 0); }},
        {"ENC-KEYFILE-ON-ENCRYPTED", [](const Tree& t) {
             write_file(t.root + "/boot/pv.key", "key\n", 0400);
             replace_in(t.root + "/etc/crypttab", "/etc/keys/pv.key", "/boot/pv.key");
         }},
        {"ENC-KEYFILE-EXISTS", [](const Tree& t) { replace_in(t.root + "/etc/crypttab", "/etc/keys/pv.key", "/etc/keys/gone.key"); }},
        {"ENC-CRYPTTAB-SWAP-RANDOM-KEY", [](const Tree& t) { replace_in(t.root + "/etc/crypttab", "/dev/urandom", "/etc/keys/pv.key"); }},
        {"ENC-CRYPTTAB-NO-PLAIN", [](const Tree& t) { append(t.root + "/etc/crypttab", "olddata PARTUUID=5e6f-06 /etc/keys/pv.key plain\n"); }},
        {"ENC-CRYPTTAB-DISCARD", [](const Tree& t) { replace_in(t.root + "/etc/crypttab", "none luks", "none luks,discard"); }},
        {"ENC-TLS-MIN-PROTOCOL", [](const Tree& t) { replace_in(t.root + "/etc/ssl/openssl.d/tls.cnf", "TLSv1.2", "TLSv1"); }},
        {"ENC-TLS-SECLEVEL", [](const Tree& t) { replace_in(t.root + "/etc/ssl/openssl.d/tls.cnf", "SECLEVEL=2", "SECLEVEL=1"); }},
        {"ENC-TLS-CIPHERSTRING-NO-WEAK", [](const Tree& t) {
             replace_in(t.root + "/etc/ssl/openssl.d/tls.cnf", "DEFAULT:@SECLEVEL=2", "DEFAULT:RC4:@SECLEVEL=2");
         }},
        {"ENC-TLS-CERT-EXPIRY", [](const Tree& t) { make_certificate(t.root, "soon.pem", "rsa:2048", 10); }},
        {"ENC-TLS-CERT-RSA-2048", [](const Tree& t) { make_certificate(t.root, "weak.pem", "rsa:1024", 400); }},
        {"ENC-TLS-PRIVATE-KEYS", [](const Tree& t) { REQUIRE(::chmod((t.root + "/etc/ssl/private/server.key").c_str(), 0644) == 0); }},
        {"ENC-SSH-CIPHERS-MODERN", [](const Tree& t) { replace_in(t.root + "/etc/ssh/sshd_config", "aes256-ctr", "aes256-ctr,aes256-cbc"); }},
        {"ENC-SSH-MACS-ETM", [](const Tree& t) { replace_in(t.root + "/etc/ssh/sshd_config", "hmac-sha2-256-etm@openssh.com", "hmac-sha2-256"); }},
        {"ENC-SSH-KEX-POST-QUANTUM", [](const Tree& t) { append(t.root + "/etc/ssh/sshd_config", "KexAlgorithms curve25519-sha256\n"); }},
        {"ENC-SSH-HOSTKEY-NO-SHA1", [](const Tree& t) { append(t.root + "/etc/ssh/sshd_config", "HostKeyAlgorithms +ssh-rsa\n"); }},
    };
    return m;
}

// The shipped policy with the LUKS selects pointed at the fixture's images.
void write_test_policy(const std::string& path) {
    std::string text = triad::test::read_file(shipped_policy());
    text = std::regex_replace(text, std::regex("collector: (luks_keyslots|luks)\\b"), "collector: $1, images: [/srv/images/*.img]");
    write_file(path, text);
}

std::map<std::string, std::string> scan(const Tree& t, const std::vector<std::string>& extra, std::string* json = nullptr) {
    std::vector<std::string> args{"scan", "--policy", t.policy, "--root", t.root, "--format", "json"};
    if (!t.proc.empty()) args.insert(args.end(), {"--proc", t.proc, "--sys", t.sys});
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = triad::test::run_triad(args);
    REQUIRE_MESSAGE((r.exit_code == 0 || r.exit_code == 1), r.err);
    if (json) *json = r.out;
    auto doc = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
    std::map<std::string, std::string> out;
    auto results = doc->getArray("results");
    for (std::size_t i = 0; i < results->size(); ++i) {
        auto o = results->getObject(static_cast<unsigned>(i));
        out[o->getValue<std::string>("id")] = o->getValue<std::string>("verdict");
    }
    return out;
}

void copy_tree(const std::string& from, const std::string& to) {
    auto r = triad::test::sh("cp -a '" + from + "/.' '" + to + "/'");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

}  // namespace

TEST_CASE("encryption policy: at least 20 checks, each with C/I/A and one fixture that fails it") {
    auto ids = policy_ids();
    CHECK(ids.size() >= 20);
    for (const auto& id : ids) CHECK_MESSAGE(mutations().count(id), id << " has no failing fixture");
    for (const auto& [id, _] : mutations())
        CHECK_MESSAGE(std::find(ids.begin(), ids.end(), id) != ids.end(), id << " is not in the policy");
    auto r = triad::test::run_triad({"policy", "check", shipped_policy()});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
}

TEST_CASE("encryption policy: the hardened machine passes every check, and each change fails its own") {
    if (!have_cryptsetup()) {
        MESSAGE("cryptsetup is not installed (scripts/bootstrap installs cryptsetup-bin): skipped");
        return;
    }
    TempDir root, policy_dir;
    triad::test::BlockFixture live;
    build_root(root.path());
    build_live(live);
    const std::string policy = policy_dir / "encryption.yml";
    write_test_policy(policy);
    const Tree hardened{root.path(), live.proc(), live.sys(), policy};
    auto verdicts = scan(hardened, {});
    // Its only keyslot is argon2id: the PBKDF2 floor has nothing to judge.
    const std::map<std::string, std::string> not_pass = {{"ENC-LUKS-PBKDF2-ITERATIONS", "not_applicable"}};
    for (const std::string& id : policy_ids()) {
        const std::string want = expected(id, not_pass.count(id) ? not_pass.at(id) : "pass");
        CHECK_MESSAGE(verdicts[id] == want, id << " is " << verdicts[id] << " on the hardened machine");
    }

    for (const auto& [id, mutate] : mutations()) {
        if (expected(id, "fail") != "fail") continue;  // its collector is not built: an error either way
        CAPTURE(id);
        TempDir r, p, s;
        copy_tree(root.path(), r.path());
        copy_tree(live.proc(), p.path());
        copy_tree(live.sys(), s.path());
        const Tree t{r.path(), p.path(), s.path(), policy};
        mutate(t);
        const std::string damaged = r.path() + "/srv/images/damaged.img";
        const bool has_damaged = ::access(damaged.c_str(), F_OK) == 0;
        const std::string before = has_damaged ? triad::test::read_file(damaged) : "";
        auto v = scan(t, {"--only", id});
        CHECK_MESSAGE(v[id] == "fail", id << " is " << v[id] << " after its change");
        if (has_damaged) CHECK_MESSAGE(triad::test::read_file(damaged) == before, "the scan wrote to the damaged image");
    }
}

TEST_CASE("encryption policy: live checks are not_applicable offline and in a container, with the reason") {
    TempDir root, policy_dir;
    write_file(root / "etc/passwd", "root:x:0:0::/root:/bin/bash\n");
    write_file(root / "etc/group", "root:x:0:\n");
    const std::string policy = policy_dir / "encryption.yml";
    write_file(policy, triad::test::read_file(shipped_policy()));  // as shipped: block devices
    auto offline = scan(Tree{root.path(), "", "", policy}, {});
    for (const char* id : {"ENC-ROOT-ENCRYPTED", "ENC-SWAP-ENCRYPTED", "ENC-LUKS2-FORMAT", "ENC-LUKS-ARGON2ID",
                           "ENC-CRYPTTAB-SWAP-RANDOM-KEY", "ENC-TLS-MIN-PROTOCOL", "ENC-SSH-MACS-ETM"})
        CHECK_MESSAGE(offline[id] == expected(id, "not_applicable"), id << " is " << offline[id]);

    triad::test::BlockFixture container;
    container.add({"vda", "254:0", "", "", "", "", {}});
    container.mountinfo("500 450 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X\n");
    container.swaps("");
    std::string json;
    auto v = scan(Tree{root.path(), container.proc(), container.sys(), policy}, {"--only", "ENC-ROOT-ENCRYPTED"}, &json);
    CHECK(v["ENC-ROOT-ENCRYPTED"] == "not_applicable");
    CHECK(json.find("container") != std::string::npos);
}
