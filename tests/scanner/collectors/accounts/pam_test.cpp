// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/accounts/pam.h"

#include <doctest/doctest.h>

#include <set>

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
    CHECK(services == std::set<std::string>{"common-account", "common-auth", "common-password", "sshd", "su"});
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
    CHECK(facts[0].reason.find("more than") != std::string::npos);
}
