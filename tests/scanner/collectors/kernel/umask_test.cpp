// SPDX-License-Identifier: Apache-2.0
// The `umask` collector: octal and symbolic masks (checked against what bash's own umask
// builtin prints), login.defs, shell files and profile.d.
#include "scanner/collectors/kernel/umask.h"

#include <doctest/doctest.h>

#include "scanner/identity/identity.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet collect(const std::string& root_dir, const char* kind = nullptr) {
    auto root = Sysroot::open(root_dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    SelectArgs args;
    if (kind) args.values.emplace("kind", std::string(kind));
    return kUmaskCollector.collect(CollectContext{root, ids}, args);
}

std::string field(const FactSet& f, const std::string& object, const char* name) {
    const Fact* fact = find_object(f, object);
    REQUIRE_MESSAGE(fact, object);
    return field_text(*fact, kUmaskCollector.fields, name);
}

}  // namespace

TEST_CASE("umask values agree with bash's umask builtin") {
    for (const char* mask : {"027", "0077", "22", "u=rwx,g=rx,o=", "u=rwx,g=,o=", "a=rx", "u=rw,g=r,o=r"}) {
        CAPTURE(mask);
        auto r = triad::test::sh(std::string("umask '") + mask + "' && umask");
        REQUIRE(r.exit_code == 0);
        auto m = parse_umask(mask);
        REQUIRE(m.has_value());
        CHECK(format_mode(*m) + "\n" == r.out);
    }
    CHECK_FALSE(parse_umask("0999").has_value());
    CHECK_FALSE(parse_umask("u+rwx").has_value());  // relative changes depend on the mask before
}

TEST_CASE("umask: shell commands, the last one winning") {
    auto s = last_shell_umask("# umask 000\nif [ \"$(id -u)\" -eq 0 ]; then umask 022; else umask 077; fi\n");
    REQUIRE(s.has_value());
    CHECK(s->mask == 077);
    CHECK(s->line == 2);
    CHECK_FALSE(last_shell_umask("echo umask 000\numask -S\n").has_value());
}

TEST_CASE("umask: login.defs, /etc/profile, bash.bashrc and profile.d") {
    TempDir root;
    write_file(root / "etc/login.defs", "MAIL_DIR /var/mail\nUMASK\t\t022\nUMASK 027\n");
    write_file(root / "etc/profile", "PATH=/usr/bin:/bin\nexport PATH\n");
    write_file(root / "etc/profile.d/50-weak.sh", "umask 002\n");
    write_file(root / "etc/profile.d/bash_completion.sh", "true\n");
    FactSet f = collect(root.path());
    REQUIRE(f.size() == 4);  // login.defs, profile, bash.bashrc (missing), the snippet that sets one
    CHECK(field(f, "/etc/login.defs", "umask") == "0027");
    CHECK(field(f, "/etc/login.defs", "dir_mode") == "0750");
    CHECK(field(f, "/etc/login.defs", "file_mode") == "0640");
    CHECK(field(f, "/etc/login.defs", "line") == "3");
    CHECK(field(f, "/etc/profile", "set") == "false");
    CHECK(field(f, "/etc/bash.bashrc", "set") == "false");
    CHECK(field(f, "/etc/profile.d/50-weak.sh", "dir_mode") == "0775");

    // kind: one side alone, so that an unreadable shell file does not touch login.defs' check.
    CHECK(collect(root.path(), "login_defs").size() == 1);
    CHECK(collect(root.path(), "shell").size() == 3);

    TempDir odd;
    triad::test::make_dirs(odd / "etc/profile");
    f = collect(odd.path());
    CHECK(find_object(f, "/etc/profile")->status == FactStatus::error);
    CHECK(field(f, "/etc/login.defs", "set") == "false");
    f = collect(odd.path(), "login_defs");
    REQUIRE(f.size() == 1);
    CHECK(f[0].status == FactStatus::ok);
}
