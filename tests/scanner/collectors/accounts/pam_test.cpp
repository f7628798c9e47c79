// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/accounts/pam.h"
#include "scanner/collectors/accounts/pam_option.h"

#include <doctest/doctest.h>

#include <set>

#include <sys/stat.h>
#include <unistd.h>

#include "tests/scanner/access_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet pam_of(const std::string& dir, SelectArgs args = {}) {
    auto root = Sysroot::open(dir).value();
    IdentityTable ids = IdentityTable::load(root);
    return collect_pam(CollectContext{root, ids}, args);
}

}  // namespace

TEST_CASE("@include expands in place and positions count per type") {
    TempDir dir;
    triad::test::build_access_root(dir.path(), false);
    auto root = Sysroot::open(dir.path()).value();
    std::string error;
    std::vector<PamLine> su = read_pam_service(root, "su", error);
    CHECK(error.empty());
    REQUIRE(su.size() == 9);
    CHECK(su[0].module_path == "pam_rootok.so");
    CHECK(su[1].module_path == "pam_wheel.so");
    CHECK(su[1].args == std::vector<std::string>{"use_uid", "group=sugroup"});
    CHECK(su[2].file == "/etc/pam.d/common-auth");
    CHECK(su[2].line == 1);
    CHECK(su[3].control == "[success=1 default=ignore]");
    CHECK(su[3].position == 4);
    CHECK(su[8].type == "account");
    CHECK(su[8].position == 1);
}

TEST_CASE("include and substack take one type; brackets, dashes, continuations and comments") {
    TempDir dir;
    write_file(dir / "etc/pam.d/common-auth", "auth required pam_unix.so nullok\nsession required pam_limits.so\n");
    write_file(dir / "etc/pam.d/login",
               "# login\n"
               "auth include common-auth   # only the auth lines\n"
               "auth substack /etc/pam.d/common-auth\n"
               "-session optional pam_systemd.so\n"
               "account [success=ok new_authtok_reqd=ok ignore=ignore default=bad] pam_unix.so\n"
               "password requisite pam_pwquality.so \\\n  retry=3 minlen=14\n"
               "session optional pam_motd.so [motd=/run/motd.dynamic noupdate]\n");
    SelectArgs args;
    args.values["service"] = StringList{"login"};
    args.values["option"] = std::string("minlen");
    FactSet facts = pam_of(dir.path(), args);
    REQUIRE(facts.size() == 6);
    CHECK(field_text(facts[0], pam_fields(), "module") == "pam_unix.so");
    CHECK(field_text(facts[0], pam_fields(), "file") == "/etc/pam.d/common-auth");
    CHECK(field_text(facts[1], pam_fields(), "position") == "2");
    CHECK(field_text(facts[2], pam_fields(), "optional_module") == "true");
    CHECK(field_text(facts[2], pam_fields(), "type") == "session");
    CHECK(field_text(facts[3], pam_fields(), "control") == "[success=ok new_authtok_reqd=ok ignore=ignore default=bad]");
    CHECK(field_text(facts[4], pam_fields(), "args") == "retry=3, minlen=14");
    CHECK(field_text(facts[4], pam_fields(), "option_set") == "true");
    CHECK(field_text(facts[4], pam_fields(), "option_value") == "14");
    CHECK(field_text(facts[4], pam_fields(), "line") == "6");
    CHECK(field_text(facts[0], pam_fields(), "option_set") == "false");
    CHECK(field_text(facts[0], pam_fields(), "option_value") == "(absent)");
    CHECK(field_text(facts[5], pam_fields(), "args") == "motd=/run/motd.dynamic noupdate");
}

TEST_CASE("a missing include or a loop is an error; a missing service is not applicable") {
    TempDir dir;
    write_file(dir / "etc/pam.d/a", "@include b\n");
    write_file(dir / "etc/pam.d/b", "@include a\n");
    write_file(dir / "etc/pam.d/c", "@include nowhere\n");
    SelectArgs args;
    args.values["service"] = StringList{"a", "c", "sshd"};
    FactSet facts = pam_of(dir.path(), args);
    REQUIRE(facts.size() == 3);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("loop") != std::string::npos);
    CHECK(facts[1].status == FactStatus::error);
    CHECK(facts[2].status == FactStatus::not_applicable);

    TempDir empty;
    FactSet none = pam_of(empty.path());
    REQUIRE(none.size() == 1);
    CHECK(none[0].status == FactStatus::not_applicable);
}

TEST_CASE("every service under /etc/pam.d is read by default") {
    TempDir dir;
    triad::test::build_access_root(dir.path(), false);
    FactSet facts = pam_of(dir.path());
    std::set<std::string> services;
    for (const Fact& f : facts) {
        REQUIRE(f.status == FactStatus::ok);
        services.insert(field_text(f, pam_fields(), "service"));
    }
    CHECK(services == std::set<std::string>{"common-account", "common-auth", "common-password", "login", "passwd", "sshd", "su"});
}

TEST_CASE("@include fan-out in a hostile tree is cut off") {
    TempDir dir;
    std::string many;
    for (int i = 0; i < 20; ++i) many += "@include level\n";
    write_file(dir / "etc/pam.d/svc", many);
    write_file(dir / "etc/pam.d/level", many.substr(0, many.size() / 2) + "auth required pam_deny.so\n");
    // "level" includes itself: a loop, found before any budget runs out.
    SelectArgs args;
    args.values["service"] = StringList{"svc"};
    FactSet facts = pam_of(dir.path(), args);
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);

    // No loop, but 20 x 20 x 20 includes: the read budget stops it.
    write_file(dir / "etc/pam.d/level", [] {
        std::string s;
        for (int i = 0; i < 20; ++i) s += "@include leaf\n";
        return s;
    }());
    std::string leaf;
    for (int i = 0; i < 20; ++i) leaf += "@include end\n";
    write_file(dir / "etc/pam.d/leaf", leaf);
    write_file(dir / "etc/pam.d/end", "auth required pam_deny.so\n");
    facts = pam_of(dir.path(), args);
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("the include budget of 256 files") != std::string::npos);
}

// Issue 9, class 1: a PAM module protects only when it is installed, and its options and
// settings file only where a stack runs it.
TEST_CASE("module_found: a line naming a module that is not installed") {
    TempDir dir;
    triad::test::build_access_root(dir.path(), false);
    std::remove((dir / "usr/lib/x86_64-linux-gnu/security/pam_faillock.so").c_str());
    write_file(dir / "lib/security/pam_custom.so", "");
    write_file(dir / "etc/pam.d/custom", "auth required pam_custom.so\nauth required /opt/pam/pam_abs.so\n");
    FactSet facts = pam_of(dir.path());
    auto f = pam_fields();
    for (const Fact& fact : facts) {
        CAPTURE(fact.object);
        const std::string module = field_text(fact, f, "module");
        const bool expected = module != "pam_faillock.so" && module != "pam_abs.so";
        CHECK(field_text(fact, f, "module_found") == (expected ? "true" : "false"));
    }
    CHECK(field_text(*find_object(facts, "custom: auth required pam_custom.so (/etc/pam.d/custom:1)"), f, "module_file") ==
          "/lib/security/pam_custom.so");
    write_file(dir / "opt/pam/pam_abs.so", "");
    CHECK(field_text(*find_object(pam_of(dir.path()), "custom: auth required /opt/pam/pam_abs.so (/etc/pam.d/custom:2)"), f,
                     "module_found") == "true");
}

namespace {

FactSet option_of(const std::string& dir, const std::string& module, const std::string& option, const std::string& type,
                  StringList config, const char* default_value) {
    auto root = Sysroot::open(dir).value();
    IdentityTable ids = IdentityTable::load(root);
    SelectArgs args;
    args.values["module"] = module;
    args.values["option"] = option;
    args.values["type"] = type;
    if (!config.empty()) args.values["config"] = config;
    if (default_value) args.values["default"] = std::string(default_value);
    return collect_pam_option(CollectContext{root, ids}, args);
}

}  // namespace

TEST_CASE("pam_option: argument over settings file over default, where a stack runs the module") {
    TempDir dir;
    triad::test::build_access_root(dir.path(), false);
    auto f = pam_option_fields();
    const StringList pwq = {"/etc/security/pwquality.conf.d/*.conf", "/etc/security/pwquality.conf"};

    // The settings file: one object per stack line, with every service that runs it.
    FactSet minlen = option_of(dir.path(), "pam_pwquality.so", "minlen", "password", pwq, "8");
    REQUIRE(minlen.size() == 1);
    CHECK(minlen[0].object == "pam_pwquality.so minlen (/etc/pam.d/common-password:1)");
    CHECK(field_text(minlen[0], f, "in_stack") == "true");
    CHECK(field_text(minlen[0], f, "module_found") == "true");
    CHECK(field_text(minlen[0], f, "value") == "14");
    CHECK(field_text(minlen[0], f, "source") == "/etc/security/pwquality.conf:2");
    CHECK(field_text(minlen[0], f, "services") == "common-password, login, passwd, sshd");
    CHECK(field_text(minlen[0], f, "defaulted") == "false");

    // A bare flag is set with an empty value; unset without a default, it has no value.
    FactSet root_too = option_of(dir.path(), "pam_pwquality.so", "enforce_for_root", "password", pwq, nullptr);
    CHECK(field_text(root_too[0], f, "set") == "true");
    CHECK(field_text(root_too[0], f, "value") == "");
    FactSet absent = option_of(dir.path(), "pam_pwquality.so", "badwords", "password", pwq, nullptr);
    CHECK(field_text(absent[0], f, "set") == "false");
    CHECK(field_text(absent[0], f, "value") == "(absent)");
    CHECK(field_text(absent[0], f, "source") == "not set in /etc/security/pwquality.conf");

    // The default, saying where it was looked for.
    FactSet ocredit = option_of(dir.path(), "pam_pwquality.so", "ocredit", "password", pwq, "0");
    CHECK(field_text(ocredit[0], f, "value") == "0");
    CHECK(field_text(ocredit[0], f, "defaulted") == "true");
    CHECK(field_text(ocredit[0], f, "source") == "default (not set in /etc/security/pwquality.conf)");

    // The line's argument overrides the file; conf= names another settings file.
    write_file(dir / "etc/pam.d/common-password", "password requisite pam_pwquality.so minlen=20\n");
    CHECK(field_text(option_of(dir.path(), "pam_pwquality.so", "minlen", "password", pwq, "8")[0], f, "source") ==
          "argument at /etc/pam.d/common-password:1");
    write_file(dir / "etc/pam.d/common-auth", "auth required pam_faillock.so preauth conf=/etc/security/fl.conf\n");
    write_file(dir / "etc/security/fl.conf", "# other\ndeny = 9\n");
    FactSet deny = option_of(dir.path(), "pam_faillock.so", "deny", "auth", {"/etc/security/faillock.conf"}, "3");
    REQUIRE(deny.size() == 1);
    CHECK(field_text(deny[0], f, "value") == "9");
    CHECK(field_text(deny[0], f, "source") == "/etc/security/fl.conf:2");

    // A line of another type does not run the module for this option's purpose.
    CHECK(option_of(dir.path(), "pam_faillock.so", "deny", "account", {"/etc/security/faillock.conf"}, "3")[0].object ==
          "pam_faillock.so");
}

TEST_CASE("pam_option: settings of a module no stack runs apply to nothing") {
    TempDir dir;
    triad::test::build_access_root(dir.path(), false);
    write_file(dir / "etc/pam.d/common-auth", "auth required pam_unix.so\n");
    // A file nothing includes is still a service PAM could be asked for; one not under
    // /etc/pam.d at all is not.
    write_file(dir / "etc/pam-old/common-auth", "auth required pam_faillock.so preauth\n");
    auto f = pam_option_fields();
    FactSet deny = option_of(dir.path(), "pam_faillock.so", "deny", "auth", {"/etc/security/faillock.conf"}, "3");
    REQUIRE(deny.size() == 1);
    CHECK(deny[0].object == "pam_faillock.so");
    CHECK(field_text(deny[0], f, "in_stack") == "false");
    CHECK(field_text(deny[0], f, "value") == "5");  // what the file says, kept for the evidence
    CHECK(field_text(deny[0], f, "services") == "");

    // A stack that cannot be read might run the module: an error, never "in no stack".
    if (::geteuid() != 0) {
        ::chmod((dir / "etc/pam.d/login").c_str(), 0);
        FactSet unreadable = option_of(dir.path(), "pam_faillock.so", "deny", "auth", {}, "3");
        REQUIRE(unreadable.size() == 1);
        CHECK(unreadable[0].status == FactStatus::error);
    } else {
        write_file(dir / "etc/pam.d/login", "@include login\n");  // a loop: the same error path
        FactSet looped = option_of(dir.path(), "pam_faillock.so", "deny", "auth", {"/etc/security/faillock.conf"}, "3");
        REQUIRE(looped.size() == 1);
        CHECK(looped[0].status == FactStatus::error);
        CHECK(looped[0].reason.find("include loop") != std::string::npos);
    }

    // Without /etc/pam.d nothing runs PAM at all: not applicable, with the reason.
    TempDir bare;
    triad::test::make_dirs(bare / "etc");
    FactSet none = option_of(bare.path(), "pam_faillock.so", "deny", "auth", {}, "3");
    REQUIRE(none.size() == 1);
    CHECK(none[0].status == FactStatus::not_applicable);
    CHECK(none[0].reason.find("/etc/pam.d does not exist") != std::string::npos);
}
