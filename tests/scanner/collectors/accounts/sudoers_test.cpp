// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/accounts/sudoers.h"

#include <doctest/doctest.h>

#include "scanner/collectors/accounts/sudoers_internal.h"
#include "tests/scanner/access_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

// visudo is the authority on what sudo accepts: every fixture file must pass it.
void require_valid(const std::string& file) {
    if (!triad::test::have_tool("visudo")) {
        MESSAGE("visudo not installed: " << file << " not validated");
        return;
    }
    auto r = triad::test::run({"visudo", "-c", "-f", file});
    REQUIRE_MESSAGE(r.exit_code == 0, file << ": " << r.out << r.err);
}

Sudoers read(const std::string& dir) { return read_sudoers(Sysroot::open(dir).value(), "/etc/sudoers"); }

const SudoDefault* find_default(const Sudoers& s, const std::string& name) {
    for (const SudoDefault& d : s.defaults)
        if (d.name == name) return &d;
    return nullptr;
}

}  // namespace

TEST_CASE("the hardened sudoers and its includedir") {
    TempDir dir;
    triad::test::build_access_root(dir.path(), false);
    require_valid(dir / "etc/sudoers");
    require_valid(dir / "etc/sudoers.d/admins");
    write_file(dir / "etc/sudoers.d/old.dpkg-old", "alice ALL=(ALL) NOPASSWD: ALL\n", 0440);
    write_file(dir / "etc/sudoers.d/backup~", "alice ALL=(ALL) NOPASSWD: ALL\n", 0440);

    Sudoers s = read(dir.path());
    CHECK(s.error.empty());
    CHECK(s.files == std::vector<std::string>{"/etc/sudoers", "/etc/sudoers.d/README", "/etc/sudoers.d/admins"});
    REQUIRE(find_default(s, "use_pty"));
    CHECK_FALSE(find_default(s, "use_pty")->negated);
    REQUIRE(find_default(s, "logfile"));
    CHECK(find_default(s, "logfile")->value == "/var/log/sudo.log");
    CHECK(find_default(s, "timestamp_timeout")->value == "15");
    REQUIRE(s.rules.size() == 3);
    CHECK(s.rules[1].users == std::vector<std::string>{"%sudo"});
    CHECK(s.rules[1].runas == std::vector<std::string>{"ALL:ALL"});
    CHECK(s.rules[2].commands == std::vector<std::string>{"/usr/bin/systemctl restart nginx"});
    CHECK(s.rules[2].nopasswd_commands.empty());
}

TEST_CASE("sudoers syntax: tags, runas, scoped Defaults, continuations, comments, aliases") {
    TempDir dir;
    write_file(dir / "etc/sudoers",
               "# a comment\n"
               "Defaults\tenv_reset, !lecture ,  passwd_tries=3\n"
               "Defaults:bob\t!authenticate\n"
               "Defaults>root\t!set_logname\n"
               "Defaults!/usr/bin/less noexec\n"
               "Defaults\tsecure_path=\"/usr/sbin:/usr/bin\", mailto = \"root@example.org\"\n"
               "User_Alias\tADMINS = alice, carol\n"
               "Cmnd_Alias\tSHUTDOWN = /sbin/halt, /sbin/reboot\n"
               "ADMINS ALL = (root) NOPASSWD: /usr/bin/apt update, PASSWD: /usr/bin/apt upgrade, SHUTDOWN\n"
               "bob, dave  web1 , web2 = (www-data : www-data) NOEXEC: SETENV: /usr/bin/vim, \\\n"
               "    /usr/bin/cat   # trailing comment\n"
               "eve ALL = NOPASSWD:ALL\n"
               "#1001 ALL = (ALL) /usr/bin/id\n"
               "frank ALL = /bin/ls : db1 = NOPASSWD: /usr/bin/psql\n"
               "#include sudoers.local\n",
               0440);
    write_file(dir / "etc/sudoers.local", "Defaults logfile=/var/log/sudo-local.log\nDefaults !use_pty\n", 0440);
    require_valid(dir / "etc/sudoers.local");
    require_valid(dir / "etc/sudoers");

    Sudoers s = read(dir.path());
    CHECK(s.error.empty());
    CHECK(s.files.size() == 2);
    REQUIRE(s.defaults.size() == 10);
    CHECK(s.defaults[1].name == "lecture");
    CHECK(s.defaults[1].negated);
    CHECK(s.defaults[2].value == "3");
    CHECK(s.defaults[3].scope == "user");
    CHECK(s.defaults[3].binding == "bob");
    CHECK(s.defaults[3].negated);
    CHECK(s.defaults[4].scope == "runas");
    CHECK(s.defaults[5].scope == "command");
    CHECK(s.defaults[5].binding == "/usr/bin/less");
    CHECK(s.defaults[6].value == "/usr/sbin:/usr/bin");
    CHECK(s.defaults[7].name == "mailto");
    CHECK(s.defaults[7].value == "root@example.org");
    CHECK(s.defaults[9].file == "/etc/sudoers.local");

    REQUIRE(s.rules.size() == 5);
    const SudoRule& admins = s.rules[0];
    CHECK(admins.users == std::vector<std::string>{"ADMINS"});
    CHECK(admins.commands == std::vector<std::string>{"/usr/bin/apt update", "/usr/bin/apt upgrade", "SHUTDOWN"});
    CHECK(admins.nopasswd_commands == std::vector<std::string>{"/usr/bin/apt update"});
    const SudoRule& bob = s.rules[1];
    CHECK(bob.users == std::vector<std::string>{"bob", "dave"});
    CHECK(bob.hosts == std::vector<std::string>{"web1", "web2"});
    CHECK(bob.runas == std::vector<std::string>{"www-data : www-data"});
    CHECK(bob.commands == std::vector<std::string>{"/usr/bin/vim", "/usr/bin/cat"});
    CHECK(bob.tags == std::vector<std::string>{"NOEXEC", "SETENV"});
    CHECK(bob.line == 10);
    CHECK(s.rules[2].nopasswd_commands == std::vector<std::string>{"ALL"});
    CHECK(s.rules[3].users == std::vector<std::string>{"#1001"});
    const SudoRule& frank = s.rules[4];
    CHECK(frank.hosts == std::vector<std::string>{"ALL", "db1"});
    CHECK(frank.commands == std::vector<std::string>{"/bin/ls", "/usr/bin/psql"});
    CHECK(frank.nopasswd_commands == std::vector<std::string>{"/usr/bin/psql"});

    // The collectors: effective Defaults and per-rule authentication.
    auto root = Sysroot::open(dir.path()).value();
    IdentityTable ids = IdentityTable::load(root);
    FactSet rules = collect_sudo_rules(CollectContext{root, ids}, SelectArgs{});
    REQUIRE(rules.size() == 5);
    CHECK(field_text(rules[0], sudo_rule_fields(), "nopasswd") == "true");
    CHECK(field_text(rules[1], sudo_rule_fields(), "authenticate") == "false");  // Defaults:bob !authenticate
    CHECK(field_text(rules[3], sudo_rule_fields(), "authenticate") == "true");
    CHECK(field_text(rules[2], sudo_rule_fields(), "all_commands") == "true");
    FactSet defaults = collect_sudo_defaults(CollectContext{root, ids}, SelectArgs{});
    REQUIRE(defaults.size() == 10);
    CHECK(defaults[9].object == "/etc/sudoers.local:2: Defaults !use_pty");
    CHECK(field_text(defaults[3], sudo_default_fields(), "scope") == "user");
}

TEST_CASE("relative includes, a later Defaults overriding an earlier one, loops") {
    TempDir dir;
    write_file(dir / "etc/sudoers", "Defaults use_pty\n@includedir sudoers.d\n", 0440);
    write_file(dir / "etc/sudoers.d/10-undo", "Defaults !use_pty\n", 0440);
    require_valid(dir / "etc/sudoers");
    auto root = Sysroot::open(dir.path()).value();
    IdentityTable ids = IdentityTable::load(root);
    FactSet defaults = collect_sudo_defaults(CollectContext{root, ids}, SelectArgs{});
    REQUIRE(defaults.size() == 2);
    CHECK(field_text(defaults[0], sudo_default_fields(), "effective") == "false");
    CHECK(field_text(defaults[1], sudo_default_fields(), "effective") == "true");
    CHECK(field_text(defaults[1], sudo_default_fields(), "negated") == "true");

    write_file(dir / "etc/sudoers.d/20-loop", "@include /etc/sudoers\n", 0440);
    FactSet looped = collect_sudo_defaults(CollectContext{root, ids}, SelectArgs{});
    REQUIRE(looped.size() == 1);
    CHECK(looped[0].status == FactStatus::error);
    CHECK(looped[0].reason.find("loop") != std::string::npos);
}

TEST_CASE("without /etc/sudoers sudo is not configured") {
    TempDir dir;
    triad::test::make_dirs(dir / "etc");
    auto root = Sysroot::open(dir.path()).value();
    IdentityTable ids = IdentityTable::load(root);
    FactSet rules = collect_sudo_rules(CollectContext{root, ids}, SelectArgs{});
    REQUIRE(rules.size() == 1);
    CHECK(rules[0].status == FactStatus::not_applicable);
}

TEST_CASE("malformed sudoers lines are read without crashing") {
    Sudoers s;
    parse_sudoers_text("Defaults\nDefaults:\n=\n(\nalice ALL = (\nbob = NOPASSWD:\n@include\n#includedir\n"
                       "Defaults x=\"unterminated\ncarol ALL=(root) NOPASSWD:: /bin/x : : =\ndave ALL = \\",
                       "/etc/sudoers", s, [](const std::string&, bool) {});
    CHECK(s.rules.size() >= 3);
    for (const SudoRule& r : s.rules) CHECK(r.file == "/etc/sudoers");
}
