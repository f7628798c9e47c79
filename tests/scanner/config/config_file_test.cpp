// SPDX-License-Identifier: Apache-2.0
#include "scanner/config/config_file.h"

#include <doctest/doctest.h>

#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

}  // namespace

TEST_CASE("config lines in the three common syntaxes") {
    ConfigSyntax syntax;
    auto entries = parse_config(
        "# comment\n"
        "  ; another\n"
        "\n"
        "PASS_MAX_DAYS\t99999\n"
        "KEY=value with spaces  \n"
        "Name: colon\n"
        "spaced = around\n"
        "quoted=\"in quotes\"\n"
        "lonely\n",
        syntax);
    REQUIRE(entries.size() == 6);
    CHECK(entries[0].key == "PASS_MAX_DAYS");
    CHECK(entries[0].value == "99999");
    CHECK(entries[0].line == 4);
    CHECK(entries[1].value == "value with spaces");
    CHECK(entries[2].key == "Name");
    CHECK(entries[2].value == "colon");
    CHECK(entries[3].key == "spaced");
    CHECK(entries[3].value == "around");
    CHECK(entries[4].value == "in quotes");
    CHECK(entries[5].key == "lonely");
    CHECK(entries[5].value.empty());
}

TEST_CASE("a stop keyword ends the global section, as sshd's Match does") {
    ConfigSyntax syntax{ConfigSeparator::whitespace, true, "Match"};
    auto entries = parse_config("PermitRootLogin no\nmatch User bob\nPermitRootLogin yes\n", syntax);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].value == "no");
}

TEST_CASE("repeated keys: first wins for sshd, last wins for login.defs; files read in order") {
    TempDir dir;
    write_file(dir / "etc/ssh/sshd_config", "permitrootlogin no\nPermitRootLogin yes\n");
    write_file(dir / "etc/sysctl.d/10-a.conf", "kernel.kptr_restrict = 1\n");
    write_file(dir / "etc/sysctl.d/20-b.conf", "kernel.kptr_restrict = 2\n");
    auto root = Sysroot::open(dir.path()).value();

    ConfigQuery sshd;
    sshd.paths = {"/etc/ssh/sshd_config"};
    sshd.key = "PermitRootLogin";
    sshd.repeat = ConfigRepeat::first;
    sshd.syntax.case_insensitive_keys = true;
    auto facts = collect_config(root, sshd);
    REQUIRE(facts.size() == 1);
    CHECK(field_text(facts[0], kConfigValue) == "no");
    CHECK(field_text(facts[0], kConfigValues) == "no, yes");
    CHECK(field_text(facts[0], kConfigLine) == "1");

    ConfigQuery sysctl;
    sysctl.paths = {"/etc/sysctl.d/*.conf"};
    sysctl.key = "kernel.kptr_restrict";
    facts = collect_config(root, sysctl);
    CHECK(field_text(facts[0], kConfigValue) == "2");
    CHECK(field_text(facts[0], kConfigFile) == "/etc/sysctl.d/20-b.conf");
}

TEST_CASE("an unset key takes the program's default; a missing file is not an error") {
    TempDir dir;
    auto root = Sysroot::open(dir.path()).value();
    ConfigQuery q;
    q.paths = {"/etc/ssh/sshd_config"};
    q.key = "PermitRootLogin";
    q.default_value = "prohibit-password";
    auto facts = collect_config(root, q);
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::ok);
    CHECK(field_text(facts[0], kConfigFileExists) == "false");
    CHECK(field_text(facts[0], kConfigExists) == "false");
    CHECK(field_text(facts[0], kConfigDefaulted) == "true");
    CHECK(field_text(facts[0], kConfigValue) == "prohibit-password");
}

TEST_CASE("an unreadable config is an error fact naming the file") {
    TempDir dir;
    triad::test::make_dirs(dir / "etc/login.defs");  // a directory where a file should be
    auto root = Sysroot::open(dir.path()).value();
    ConfigQuery q;
    q.paths = {"/etc/login.defs"};
    q.key = "UMASK";
    auto facts = collect_config(root, q);
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("/etc/login.defs") != std::string::npos);
}

TEST_CASE("logical lines join backslash continuations as PAM and sudoers read them") {
    auto pam = logical_lines("auth required \\\n  pam_unix.so # trailing comment\r\n# whole comment\nlast \\", true);
    REQUIRE(pam.size() == 3);
    CHECK(pam[0].text == "auth required    pam_unix.so ");
    CHECK(pam[0].line == 1);
    CHECK(pam[1].text.empty());
    CHECK(pam[1].line == 3);
    CHECK(pam[2].text == "last  ");  // a backslash on the last line continues nothing
    auto sudoers = logical_lines("#includedir /etc/sudoers.d\nroot ALL=(ALL) \\\r\n ALL\n", false);
    REQUIRE(sudoers.size() == 2);
    CHECK(sudoers[0].text == "#includedir /etc/sudoers.d");
    CHECK(sudoers[1].text == "root ALL=(ALL)   ALL");
    CHECK(sudoers[1].line == 2);
}
