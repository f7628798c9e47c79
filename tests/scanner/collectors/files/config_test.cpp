// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/files/config.h"

#include <doctest/doctest.h>

#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::TempDir;
using triad::test::write_file;

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
