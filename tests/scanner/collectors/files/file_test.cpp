// SPDX-License-Identifier: Apache-2.0
// The `file` collector against real files with real modes, owners, ACLs, capabilities and
// attributes, cross-checked with getcap where a reference tool exists.
#include "scanner/collectors/files/file.h"
#include "scanner/core/path_glob.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "tests/scanner/fact_text.h"
#include "tests/scanner/syscall_refusal.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::sh;
using triad::test::write_file;

namespace {

// A root whose accounts differ from the host's: uid 4242 is "alice" only in there.
struct Root {
    TempDir dir;
    Root() {
        write_file(dir / "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:4242:4343::/home/alice:/bin/sh\n");
        write_file(dir / "etc/group", "root:x:0:\nshadow:x:42:\nstaff:x:4343:\n");
    }
};

}  // namespace

TEST_CASE("file collector reports type, mode and owner names from the audited root") {
    Root r;
    write_file(r.dir / "etc/shadow", "root:*:1::::::\n", 0640);
    REQUIRE(::chown((r.dir / "etc/shadow").c_str(), 0, 42) == 0);
    write_file(r.dir / "srv/data", "x", 04755);
    REQUIRE(::chown((r.dir / "srv/data").c_str(), 4242, 4343) == 0);
    ::chmod((r.dir / "srv/data").c_str(), 04755);  // chown clears setuid
    write_file(r.dir / "srv/orphan", "x", 0666);
    REQUIRE(::chown((r.dir / "srv/orphan").c_str(), 9999, 9998) == 0);
    REQUIRE(::symlink("/etc/shadow", (r.dir / "srv/link").c_str()) == 0);

    auto root = Sysroot::open(r.dir.path()).value();
    auto ids = IdentityTable::load(root);
    FactSet facts = collect_file(root, ids, {"/etc/shadow", "/srv/data", "/srv/orphan", "/srv/link", "/srv/none"});
    REQUIRE(facts.size() == 5);

    CHECK(field_text(facts[0], kFileType) == "file");
    CHECK(field_text(facts[0], kFileMode) == "0640");
    CHECK(field_text(facts[0], kFileOwner) == "root");
    CHECK(field_text(facts[0], kFileGroup) == "shadow");
    CHECK(field_text(facts[0], kFileWorldReadable) == "false");

    CHECK(field_text(facts[1], kFileOwner) == "alice");
    CHECK(field_text(facts[1], kFileGroup) == "staff");
    CHECK(field_text(facts[1], kFileSetuid) == "true");
    CHECK(field_text(facts[1], kFileMode) == "4755");

    CHECK(field_text(facts[2], kFileOwner) == "(absent)");
    CHECK(field_text(facts[2], kFileUnowned) == "true");
    CHECK(field_text(facts[2], kFileUngrouped) == "true");
    CHECK(field_text(facts[2], kFileWorldWritable) == "true");
    CHECK(field_text(facts[2], kFileUid) == "9999");

    CHECK(field_text(facts[3], kFileType) == "symlink");
    CHECK(field_text(facts[3], kFileLinkTarget) == "/etc/shadow");
    CHECK(field_text(facts[3], kFileWorldWritable) == "false");  // symlinks are always 0777

    CHECK(field_text(facts[4], kFileExists) == "false");
}

TEST_CASE("file capabilities read the same as getcap prints them") {
    Root r;
    write_file(r.dir / "bin/ping", "\x7f" "ELF", 0755);
    write_file(r.dir / "bin/plain", "x", 0755);
    auto set = sh("setcap cap_net_raw,cap_net_admin+ep '" + (r.dir / "bin/ping") + "'");
    REQUIRE_MESSAGE(set.exit_code == 0, set.err);
    auto getcap = sh("getcap '" + (r.dir / "bin/ping") + "'");
    REQUIRE(getcap.exit_code == 0);
    // getcap prints "PATH CAPS"
    std::string expected = getcap.out.substr(getcap.out.find(' ') + 1);
    expected.erase(expected.find_last_not_of(" \n") + 1);

    auto root = Sysroot::open(r.dir.path()).value();
    auto ids = IdentityTable::load(root);
    FactSet facts = collect_file(root, ids, {"/bin/ping", "/bin/plain"});
    CHECK(field_text(facts[0], kFileCapabilities) == expected);
    CHECK(field_text(facts[1], kFileCapabilities) == "(absent)");
}

TEST_CASE("ACLs and immutable / append-only attributes are seen") {
    Root r;
    write_file(r.dir / "etc/acl", "x", 0640);
    write_file(r.dir / "etc/frozen", "x", 0644);
    write_file(r.dir / "var/log/append", "x", 0640);
    auto setup = sh("setfacl -m u:4242:r '" + (r.dir / "etc/acl") + "' && chattr +i '" + (r.dir / "etc/frozen") +
                    "' && chattr +a '" + (r.dir / "var/log/append") + "'");
    REQUIRE_MESSAGE(setup.exit_code == 0, setup.err);

    auto root = Sysroot::open(r.dir.path()).value();
    auto ids = IdentityTable::load(root);
    FactSet facts = collect_file(root, ids, {"/etc/acl", "/etc/frozen", "/var/log/append", "/etc/passwd"});
    CHECK(field_text(facts[0], kFileAcl) == "true");
    CHECK(field_text(facts[1], kFileImmutable) == "true");
    CHECK(field_text(facts[2], kFileAppendOnly) == "true");
    CHECK(field_text(facts[3], kFileAcl) == "false");
    CHECK(field_text(facts[3], kFileImmutable) == "false");
}

TEST_CASE("path globs expand inside the root with shell rules") {
    Root r;
    for (const char* k : {"ssh_host_rsa_key", "ssh_host_ed25519_key", "ssh_host_rsa_key.pub", ".ssh_host_hidden_key"})
        write_file(r.dir / (std::string("etc/ssh/") + k), "k", 0600);
    auto root = Sysroot::open(r.dir.path()).value();
    auto paths = expand_path_glob(root, "/etc/ssh/ssh_host_*_key").value();
    CHECK(paths == std::vector<std::string>{"/etc/ssh/ssh_host_ed25519_key", "/etc/ssh/ssh_host_rsa_key"});
    CHECK(expand_path_glob(root, "/etc/*/ssh_host_rsa_key.pub").value() ==
          std::vector<std::string>{"/etc/ssh/ssh_host_rsa_key.pub"});
    CHECK(expand_path_glob(root, "/nothing/*").value().empty());
}

TEST_CASE("capability xattrs that are malformed do not crash the decoder") {
    unsigned char short_value[6] = {0, 0, 0, 2, 1, 0};
    CHECK(decode_file_capabilities(short_value, sizeof short_value) == "(malformed capability xattr)");
    unsigned char bad_revision[20] = {0, 0, 0, 9};
    CHECK(decode_file_capabilities(bad_revision, sizeof bad_revision) == "(unknown capability xattr revision)");
}

TEST_CASE("a long ACL is an ACL; one the kernel will not read makes the file an error fact") {
    Root r;
    write_file(r.dir / "etc/long-acl", "x", 0640);
    std::string spec;
    for (int uid = 2000; uid < 2060; ++uid) spec += (spec.empty() ? "u:" : ",u:") + std::to_string(uid) + ":r";
    auto setup = sh("setfacl -m '" + spec + "' '" + (r.dir / "etc/long-acl") + "'");
    REQUIRE_MESSAGE(setup.exit_code == 0, setup.err);

    auto root = Sysroot::open(r.dir.path()).value();
    auto ids = IdentityTable::load(root);
    FactSet facts = collect_file(root, ids, {"/etc/long-acl"});
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::ok);
    CHECK(field_text(facts[0], kFileAcl) == "true");

    // A check on this file cannot be decided when its ACL cannot be read: the fact says so
    // instead of claiming the file has none.
    std::string problems = triad::test::in_child_refusing(
        {SYS_getxattr, SYS_lgetxattr, SYS_fgetxattr, triad::test::kSysGetxattrat}, EACCES, [&] {
            FactSet refused = collect_file(root, ids, {"/etc/long-acl"});
            if (refused.size() != 1) return std::string("expected one fact");
            if (refused[0].status != FactStatus::error) return "not an error fact: acl " + field_text(refused[0], kFileAcl);
            if (refused[0].reason != "cannot read system.posix_acl_access: permission denied")
                return "reason: " + refused[0].reason;
            return std::string();
        });
    CHECK(problems == "");
}
