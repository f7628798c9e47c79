// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/mac/apparmor.h"

#include <doctest/doctest.h>

#include "scanner/proc/mac_processes.h"
#include "tests/scanner/access_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

}  // namespace

TEST_CASE("profile headers and their modes") {
    auto h = parse_profile_headers(
        "#include <tunables/global>\n"
        "@{exec} = /usr/bin/foo\n"
        "/usr/sbin/cupsd flags=(attach_disconnected,complain) {\n"
        "  /etc/cups/** r,\n"
        "  ^hat {\n    /x r,\n  }\n"
        "  profile child /usr/lib/cups/x {\n  }\n"
        "}\n"
        "profile \"my app\" /opt/my\\ app/bin flags = (kill) {\n"
        "  @{HOME}/.cfg r,\n"
        "}\n"
        "profile plain {\n}\n"
        "/usr/{bin,sbin}/tool {\n}\n");
    REQUIRE(h.size() == 4);
    CHECK(h[0].name == "/usr/sbin/cupsd");
    CHECK(h[0].mode == "complain");
    CHECK(h[0].line == 3);
    CHECK(h[1].name == "my app");
    CHECK(h[1].mode == "kill");
    CHECK(h[2].name == "plain");
    CHECK(h[2].mode == "enforce");
    CHECK(h[3].name == "/usr/{bin,sbin}/tool");
}

TEST_CASE("loopback sockets in proc_table's notation") {
    CHECK(is_loopback_socket("tcp 127.0.0.1:631"));
    CHECK(is_loopback_socket("tcp6 [0:0:0:0:0:0:0:1]:25"));
    CHECK(is_loopback_socket("udp6 [0:0:0:0:0:ffff:7f00:1]:53"));
    CHECK_FALSE(is_loopback_socket("tcp 0.0.0.0:22"));
    CHECK_FALSE(is_loopback_socket("tcp6 [0:0:0:0:0:0:0:0]:22"));
}

TEST_CASE("AppArmor state, profiles on disk and loaded") {
    TempDir dir, proc, sys;
    triad::test::build_access_root(dir.path(), false);
    triad::test::build_live_trees(proc.path(), sys.path());
    write_file(dir / "etc/apparmor.d/usr.bin.cups-browsed", "/usr/bin/cups-browsed flags=(complain) {\n}\n");
    write_file(dir / "etc/apparmor.d/usr.sbin.named", "profile named /usr/sbin/named {\n}\n");
    write_file(dir / "etc/apparmor.d/usr.sbin.named.dpkg-old", "/usr/sbin/old flags=(complain) {\n}\n");
    write_file(dir / "etc/apparmor.d/usr.bin.forced", "/usr/bin/forced {\n}\n");
    triad::test::sh("ln -s ../usr.sbin.named '" + dir / "etc/apparmor.d/disable/usr.sbin.named" + "'");
    triad::test::make_dirs(dir / "etc/apparmor.d/force-complain");
    triad::test::sh("ln -s ../usr.bin.forced '" + dir / "etc/apparmor.d/force-complain/usr.bin.forced" + "'");
    write_file(sys / "kernel/security/apparmor/profiles", "/usr/sbin/sshd (enforce)\nsnap.x (unconfined)\n");

    auto root = Sysroot::open(dir.path()).value();
    auto s = Sysroot::open(sys.path()).value();
    IdentityTable ids = IdentityTable::load(root);
    CollectContext ctx{root, ids, nullptr, &s};

    FactSet state = collect_apparmor(ctx, SelectArgs{});
    REQUIRE(state.size() == 1);
    auto f = apparmor_fields();
    CHECK(field_text(state[0], f, "installed") == "true");
    CHECK(field_text(state[0], f, "policy_dir") == "true");
    CHECK(field_text(state[0], f, "active") == "true");
    CHECK(field_text(state[0], f, "kernel_lsms") == "lockdown,capability,landlock,yama,apparmor,selinux");
    CHECK(field_text(state[0], f, "enabled") == "true");
    CHECK(field_text(state[0], f, "boot_param") == "true");
    CHECK(field_text(state[0], f, "profiles_loaded") == "2");
    CHECK(field_text(state[0], f, "profiles_enforce") == "1");
    CHECK(field_text(state[0], f, "profiles_other_mode") == "1");
    CHECK(field_text(state[0], f, "profiles_on_disk") == "4");
    CHECK(field_text(state[0], f, "profiles_disabled") == "1");
    CHECK(field_text(state[0], f, "profiles_complain_on_disk") == "2");

    FactSet profiles = collect_apparmor_profiles(ctx, SelectArgs{});
    REQUIRE(profiles.size() == 5);
    auto pf = apparmor_profile_fields();
    CHECK(field_text(*find_object(profiles, "/usr/sbin/sshd"), pf, "loaded") == "true");
    CHECK(field_text(*find_object(profiles, "/usr/sbin/sshd"), pf, "file") == "/etc/apparmor.d/usr.sbin.sshd");
    CHECK(field_text(*find_object(profiles, "/usr/bin/cups-browsed"), pf, "mode") == "complain");
    CHECK(field_text(*find_object(profiles, "named"), pf, "disabled") == "true");
    CHECK(field_text(*find_object(profiles, "/usr/bin/forced"), pf, "mode") == "complain");
    CHECK(field_text(*find_object(profiles, "snap.x"), pf, "on_disk") == "false");
    CHECK(find_object(profiles, "/usr/sbin/old") == nullptr);
    CHECK(field_text(*find_object(profiles, "/usr/sbin/sshd"), pf, "active") == "true");

    // Offline: nothing live is claimed, and profiles on disk alone are not judged.
    FactSet offline = collect_apparmor(CollectContext{root, ids}, SelectArgs{});
    CHECK(field_text(offline[0], f, "enabled") == "(absent)");
    CHECK(field_text(offline[0], f, "active") == "(absent)");
    CHECK(field_text(offline[0], f, "profiles_loaded") == "(absent)");
    FactSet offline_profiles = collect_apparmor_profiles(CollectContext{root, ids}, SelectArgs{});
    REQUIRE(offline_profiles.size() == 1);
    CHECK(offline_profiles[0].status == FactStatus::not_applicable);
    CHECK(offline_profiles[0].reason.find("running kernel") != std::string::npos);
    write_file(dir / "boot/grub/grub.cfg", "linux /vmlinuz root=/dev/sda1 ro apparmor=1\n");
    CHECK(field_text(collect_apparmor(ctx, SelectArgs{})[0], f, "boot_param") == "false");
}

TEST_CASE("without /etc/apparmor.d and nothing loaded, profiles are not applicable") {
    TempDir dir;
    triad::test::make_dirs(dir / "etc");
    auto root = Sysroot::open(dir.path()).value();
    IdentityTable ids = IdentityTable::load(root);
    FactSet profiles = collect_apparmor_profiles(CollectContext{root, ids}, SelectArgs{});
    REQUIRE(profiles.size() == 1);
    CHECK(profiles[0].status == FactStatus::not_applicable);
    FactSet state = collect_apparmor(CollectContext{root, ids}, SelectArgs{});
    CHECK(field_text(state[0], apparmor_fields(), "installed") == "false");
}

TEST_CASE("process confinement and unconfined listeners (host scope)") {
    TempDir dir, proc, sys;
    triad::test::build_access_root(dir.path(), false);
    triad::test::build_live_trees(proc.path(), sys.path());
    auto root = Sysroot::open(dir.path()).value();
    auto p = Sysroot::open(proc.path()).value();
    auto s = Sysroot::open(sys.path()).value();
    IdentityTable ids = IdentityTable::load(root);
    CollectContext ctx{root, ids, &p, &s};
    auto pf = apparmor_process_fields();

    FactSet facts = collect_apparmor_processes(ctx, SelectArgs{});
    REQUIRE(facts.size() == 2);
    CHECK(field_text(facts[0], pf, "profile") == "/usr/sbin/sshd");
    CHECK(field_text(facts[0], pf, "mode") == "enforce");
    CHECK(field_text(facts[0], pf, "listening") == "true");
    CHECK(field_text(facts[1], pf, "unconfined") == "true");
    CHECK(field_text(facts[1], pf, "listening") == "false");

    // Without AppArmor in the kernel every process is unconfined, sshd's stale label
    // notwithstanding: the missing protection is reported, not looked away from.
    write_file(sys / "kernel/security/lsm", "lockdown,capability,yama");
    FactSet off = collect_apparmor_processes(ctx, SelectArgs{});
    REQUIRE(off.size() == 2);
    CHECK(off[0].status == FactStatus::ok);
    CHECK(field_text(off[0], pf, "unconfined") == "true");
    CHECK(field_text(off[0], pf, "listening") == "true");
    CHECK(field_text(off[0], pf, "active") == "false");
}

// Issue 9, class 1: AppArmor counts as in effect only when the kernel says so. Each sys tree
// below is shaped like one a real kernel gives.
TEST_CASE("AppArmor is active only when the kernel lists it and securityfs has it") {
    TempDir dir, sys;
    triad::test::build_access_root(dir.path(), false);
    write_file(sys / "kernel/security/apparmor/profiles", "/usr/sbin/sshd (enforce)\n");
    auto root = Sysroot::open(dir.path()).value();
    IdentityTable ids = IdentityTable::load(root);
    auto f = apparmor_fields();
    auto pf = apparmor_profile_fields();
    auto state = [&] {
        auto s = Sysroot::open(sys.path()).value();
        CollectContext ctx{root, ids, nullptr, &s};
        return std::make_pair(collect_apparmor(ctx, SelectArgs{}), collect_apparmor_profiles(ctx, SelectArgs{}));
    };

    write_file(sys / "kernel/security/lsm", "lockdown,capability,yama,apparmor");
    auto [on, on_profiles] = state();
    CHECK(field_text(on[0], f, "active") == "true");
    CHECK(field_text(on_profiles[0], pf, "active") == "true");

    // Another LSM took the slot: profiles on disk and a stale securityfs file do not count.
    write_file(sys / "kernel/security/lsm", "lockdown,capability,selinux");
    auto [other, other_profiles] = state();
    CHECK(field_text(other[0], f, "active") == "false");
    CHECK(field_text(other[0], f, "active_reason").find("do not include apparmor") != std::string::npos);
    CHECK(field_text(other_profiles[0], pf, "active") == "false");
    CHECK(field_text(other_profiles[0], pf, "mode") == "enforce");  // what the files say, kept apart

    // Listed but AppArmor's securityfs directory is missing: nothing can be loaded.
    write_file(sys / "kernel/security/lsm", "capability,apparmor");
    triad::test::sh("rm -rf '" + sys / "kernel/security/apparmor" + "'");
    CHECK(field_text(state().first[0], f, "active") == "false");

    // No securityfs and no /sys/module/apparmor: a kernel built without AppArmor.
    triad::test::sh("rm -rf '" + sys / "kernel/security" + "'");
    auto [none, none_profiles] = state();
    CHECK(field_text(none[0], f, "active") == "false");
    CHECK(field_text(none[0], f, "kernel_lsms") == "(absent)");
    CHECK(field_text(none[0], f, "active_reason").find("not in the running kernel") != std::string::npos);
    // ... while built in but with securityfs unmounted, the reason says that instead.
    triad::test::make_dirs(sys / "module/apparmor/parameters");
    CHECK(field_text(state().first[0], f, "active_reason").find("securityfs is not mounted") != std::string::npos);

    // /etc/apparmor.d without apparmor_parser (man-db ships a profile there) is not installed.
    std::remove((dir / "usr/sbin/apparmor_parser").c_str());
    CHECK(field_text(state().first[0], f, "installed") == "false");
    CHECK(field_text(state().first[0], f, "policy_dir") == "true");
}

TEST_CASE("malformed AppArmor files are read without crashing") {
    auto h = parse_profile_headers("{\n}\n}}}\nprofile {\n\"unterminated {\n@{X\n/usr/bin/a flags=(complain {\n");
    for (const auto& p : h) CHECK_FALSE(p.name.empty());
    CHECK(parse_profile_headers("").empty());
}
