// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/accounts/accounts.h"

#include <doctest/doctest.h>

#include "scanner/collectors/accounts/accounts_internal.h"
#include "tests/scanner/access_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::make_hash;
using triad::test::write_file;

namespace {

FactSet accounts_of(const std::string& dir) {
    auto root = Sysroot::open(dir).value();
    IdentityTable ids = IdentityTable::load(root);
    CollectContext ctx{root, ids};
    return collect_accounts(ctx, SelectArgs{});
}

}  // namespace

TEST_CASE("password fields are classified by algorithm without keeping the hash") {
    SUBCASE("hashes made by mkpasswd") {
        CHECK(classify_password(make_hash("yescrypt", "pw")).algorithm == "yescrypt");
        CHECK(classify_password(make_hash("gost-yescrypt", "pw")).algorithm == "gost-yescrypt");
        CHECK(classify_password(make_hash("scrypt", "pw")).algorithm == "scrypt");
        CHECK(classify_password(make_hash("md5crypt", "pw")).algorithm == "md5");
        CHECK(classify_password(make_hash("descrypt", "pw")).algorithm == "des");
        CHECK(classify_password(make_hash("bsdicrypt", "pw")).algorithm == "bsdicrypt");
        CHECK(classify_password(make_hash("sha256crypt", "pw")).algorithm == "sha256");
        PasswordInfo sha = classify_password(make_hash("sha512crypt", "pw"));
        CHECK(sha.algorithm == "sha512");
        CHECK(sha.cost == 5000);  // crypt(5) default rounds when none are written
        CHECK(classify_password(make_hash("sha512crypt", "pw", 20000)).cost == 20000);
        PasswordInfo bcrypt = classify_password(make_hash("bcrypt", "pw", 5));
        CHECK(bcrypt.algorithm == "bcrypt");
        CHECK(bcrypt.cost == 5);
        CHECK(classify_password(make_hash("bcrypt", "pw", 11)).cost == 11);
        CHECK(classify_password(make_hash("yescrypt", "pw")).state == "set");
    }
    SUBCASE("hashes made by openssl passwd") {
        auto r = triad::test::run({"openssl", "passwd", "-1", "pw"});
        REQUIRE(r.exit_code == 0);
        CHECK(classify_password(r.out.substr(0, r.out.find('\n'))).algorithm == "md5");
        r = triad::test::run({"openssl", "passwd", "-6", "pw"});
        REQUIRE(r.exit_code == 0);
        CHECK(classify_password(r.out.substr(0, r.out.find('\n'))).algorithm == "sha512");
    }
    SUBCASE("states without a usable hash") {
        CHECK(classify_password("").state == "empty");
        CHECK(classify_password("*").state == "disabled");
        CHECK(classify_password("!").state == "disabled");
        CHECK(classify_password("!!").state == "disabled");
        CHECK(classify_password("!*").state == "disabled");
        CHECK(classify_password("x").state == "disabled");
        CHECK(classify_password("*LK*").state == "disabled");
        PasswordInfo locked = classify_password("!" + make_hash("yescrypt", "pw"));
        CHECK(locked.state == "locked");
        CHECK(locked.algorithm == "yescrypt");
    }
}

TEST_CASE("colon databases: comments, NIS entries and short lines") {
    auto lines = parse_colon_db("# comment\nroot:x:0:0::/root:/bin/bash\n+nis\n\nbad\r\n:x:1:1\n");
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].fields.size() == 7);
    CHECK(lines[0].line == 2);
    CHECK(lines[1].fields.size() == 1);
    CHECK(split_commas("a, b,,c,") == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("accounts joined with shadow, groups, login.defs and /etc/shells") {
    TempDir dir;
    triad::test::build_access_root(dir.path(), /*selinux_labels=*/false);
    FactSet facts = accounts_of(dir.path());
    REQUIRE(facts.size() == 6);

    const Fact* root = find_object(facts, "root");
    REQUIRE(root);
    CHECK(field_text(*root, kAcctUid) == "0");
    CHECK(field_text(*root, kAcctPassword) == "set");
    CHECK(field_text(*root, kAcctHashAlgorithm) == "yescrypt");
    CHECK(field_text(*root, kAcctHashCost) == "(absent)");
    CHECK(field_text(*root, kAcctMaxDays) == "365");
    CHECK(field_text(*root, kAcctInactiveDays) == "45");
    CHECK(field_text(*root, kAcctExpireDate) == "(absent)");
    CHECK(field_text(*root, kAcctLoginShell) == "true");
    CHECK(field_text(*root, kAcctSystem) == "true");
    CHECK(field_text(*root, kAcctGroups) == "root");
    CHECK(field_text(*root, kAcctLastChangeInFuture) == "false");

    const Fact* alice = find_object(facts, "alice");
    REQUIRE(alice);
    CHECK(field_text(*alice, kAcctHashAlgorithm) == "sha512");
    CHECK(field_text(*alice, kAcctHashCost) == "10000");
    CHECK(field_text(*alice, kAcctSystem) == "false");
    CHECK(field_text(*alice, kAcctGroups) == "alice, sshusers");

    const Fact* daemon = find_object(facts, "daemon");
    REQUIRE(daemon);
    CHECK(field_text(*daemon, kAcctPassword) == "disabled");
    CHECK(field_text(*daemon, kAcctLoginShell) == "false");
    CHECK(field_text(*daemon, kAcctHashAlgorithm) == "(absent)");

    const Fact* sync = find_object(facts, "sync");
    REQUIRE(sync);
    CHECK(field_text(*sync, kAcctLoginShell) == "false");  // /bin/sync only runs sync
    const Fact* nobody = find_object(facts, "nobody");
    REQUIRE(nobody);
    CHECK(field_text(*nobody, kAcctSystem) == "true");  // 65534 counts as a system account
    CHECK(field_text(*nobody, kAcctDuplicateUid) == "false");
}

TEST_CASE("duplicates, hashes in passwd, unknown groups and dates in the future") {
    TempDir dir;
    triad::test::build_access_root(dir.path(), false);
    write_file(dir / "etc/passwd",
               "root:x:0:0:root:/root:/bin/bash\n"
               "toor:x:0:0::/root:/bin/sh\n"
               "alice:x:1000:1000::/home/alice:/bin/zsh\n"
               "alice:x:1001:1000::/home/alice2:\n"
               "legacy:" + make_hash("descrypt", "pw") + ":1002:4242::/home/legacy:/bin/bash\n"
               "svc:x:999:999::/srv:/bin/bash\n"
               "broken:x:abc:1::/:/bin/sh\n");
    write_file(dir / "etc/shadow",
               "root:" + make_hash("md5crypt", "pw") + ":99999:0:99999:7:::\n"
               "alice::19700:0:99999:7:::\nsvc:!" + make_hash("yescrypt", "pw") + ":19700::::::\n",
               0640);
    FactSet facts = accounts_of(dir.path());
    REQUIRE(facts.size() == 7);

    const Fact* root = find_object(facts, "root");
    REQUIRE(root);
    CHECK(field_text(*root, kAcctDuplicateUid) == "true");
    CHECK(field_text(*root, kAcctHashAlgorithm) == "md5");
    CHECK(field_text(*root, kAcctLastChangeInFuture) == "true");
    CHECK(field_text(*find_object(facts, "toor"), kAcctInShadow) == "false");
    CHECK(field_text(*find_object(facts, "toor"), kAcctPassword) == "disabled");

    int alices = 0;
    for (const Fact& f : facts)
        if (f.object == "alice") {
            ++alices;
            CHECK(field_text(f, kAcctDuplicateName) == "true");
            CHECK(field_text(f, kAcctPassword) == "empty");
        }
    CHECK(alices == 2);

    const Fact* legacy = find_object(facts, "legacy");
    REQUIRE(legacy);
    CHECK(field_text(*legacy, kAcctShadowed) == "false");
    CHECK(field_text(*legacy, kAcctHashAlgorithm) == "des");
    CHECK(field_text(*legacy, kAcctGroupExists) == "false");
    CHECK(field_text(*legacy, kAcctGroup) == "(absent)");

    const Fact* svc = find_object(facts, "svc");
    REQUIRE(svc);
    CHECK(field_text(*svc, kAcctPassword) == "locked");
    CHECK(field_text(*svc, kAcctSystem) == "true");
    CHECK(field_text(*svc, kAcctLoginShell) == "true");
    CHECK(field_text(*find_object(facts, "alice"), kAcctLoginShell) == "false");  // /bin/zsh is not in /etc/shells

    const Fact* broken = find_object(facts, "broken");
    REQUIRE(broken);
    CHECK(broken->status == FactStatus::error);
    CHECK(broken->reason.find("/etc/passwd:7") != std::string::npos);
}

TEST_CASE("groups joined with gshadow and primary members") {
    TempDir dir;
    triad::test::build_access_root(dir.path(), false);
    write_file(dir / "etc/group", "root:x:0:\nwheel:x:0:\nshadow:x:42:eve\ndocker:x:998:alice,bob\nalice:x:1000:\n");
    write_file(dir / "etc/gshadow", "root:*::\nshadow:" + make_hash("sha512crypt", "pw") + "::eve\n", 0640);
    write_file(dir / "etc/passwd", "root:x:0:0::/root:/bin/bash\neve:x:1001:42::/home/eve:/bin/bash\n");
    auto root = Sysroot::open(dir.path()).value();
    IdentityTable ids = IdentityTable::load(root);
    FactSet facts = collect_groups(CollectContext{root, ids}, SelectArgs{});
    REQUIRE(facts.size() == 5);
    CHECK(field_text(*find_object(facts, "root"), kGrpDuplicateGid) == "true");
    CHECK(field_text(*find_object(facts, "wheel"), kGrpInGshadow) == "false");
    const Fact* shadow = find_object(facts, "shadow");
    REQUIRE(shadow);
    CHECK(field_text(*shadow, kGrpMembers) == "eve");
    CHECK(field_text(*shadow, kGrpPrimaryMembers) == "eve");
    CHECK(field_text(*shadow, kGrpPassword) == "set");
    CHECK(field_text(*shadow, kGrpHashAlgorithm) == "sha512");
    CHECK(field_text(*find_object(facts, "docker"), kGrpMembers) == "alice, bob");
    CHECK(field_text(*find_object(facts, "root"), kGrpPassword) == "disabled");
}

TEST_CASE("a missing or unreadable passwd is an error, not an empty account list") {
    TempDir dir;
    triad::test::make_dirs(dir / "etc");
    FactSet facts = accounts_of(dir.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    triad::test::sh("mkfifo '" + dir / "etc/passwd" + "'");
    facts = accounts_of(dir.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
}
