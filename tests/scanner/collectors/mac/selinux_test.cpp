// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/mac/selinux.h"

#include <doctest/doctest.h>

#include "tests/scanner/access_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

// Whether this file system keeps security.selinux labels without SELinux running.
bool labels_supported(const TempDir& dir) {
    write_file(dir / "probe", "x");
    bool ok = triad::test::run({"setfattr", "-n", "security.selinux", "-v", "system_u:object_r:etc_t:s0", dir / "probe"})
                  .exit_code == 0;
    std::remove((dir / "probe").c_str());
    return ok;
}

}  // namespace

TEST_CASE("configured and live SELinux modes") {
    TempDir dir, proc, sys;
    triad::test::build_access_root(dir.path(), false);
    auto root = Sysroot::open(dir.path()).value();
    IdentityTable ids = IdentityTable::load(root);

    SUBCASE("offline: only the configuration is known") {
        FactSet f = collect_selinux(CollectContext{root, ids}, SelectArgs{});
        REQUIRE(f.size() == 1);
        CHECK(field_text(f[0], selinux_fields(), "configured_mode") == "enforcing");
        CHECK(field_text(f[0], selinux_fields(), "policy_type") == "default");
        CHECK(field_text(f[0], selinux_fields(), "policy_installed") == "true");
        CHECK(field_text(f[0], selinux_fields(), "live_mode") == "(absent)");
        CHECK(field_text(f[0], selinux_fields(), "mode_matches") == "(absent)");
    }
    SUBCASE("live permissive against configured enforcing") {
        write_file(sys / "fs/selinux/enforce", "0");
        auto s = Sysroot::open(sys.path()).value();
        FactSet f = collect_selinux(CollectContext{root, ids, nullptr, &s}, SelectArgs{});
        REQUIRE(f.size() == 1);
        CHECK(field_text(f[0], selinux_fields(), "enabled") == "true");
        CHECK(field_text(f[0], selinux_fields(), "live_mode") == "permissive");
        CHECK(field_text(f[0], selinux_fields(), "mode_matches") == "false");
        CHECK(field_text(f[0], selinux_fields(), "active") == "true");
    }
    SUBCASE("configured to enforce, but the kernel runs no SELinux: not active") {
        triad::test::make_dirs(sys / "fs");
        write_file(sys / "kernel/security/lsm", "lockdown,capability,apparmor");
        auto s = Sysroot::open(sys.path()).value();
        FactSet f = collect_selinux(CollectContext{root, ids, nullptr, &s}, SelectArgs{});
        REQUIRE(f.size() == 1);
        CHECK(field_text(f[0], selinux_fields(), "configured_mode") == "enforcing");
        CHECK(field_text(f[0], selinux_fields(), "active") == "false");
        CHECK(field_text(f[0], selinux_fields(), "active_reason").find("lockdown,capability,apparmor") != std::string::npos);
    }
    SUBCASE("no configuration and no selinuxfs: not applicable") {
        std::remove((dir / "etc/selinux/config").c_str());
        auto s = Sysroot::open(sys.path()).value();
        FactSet f = collect_selinux(CollectContext{root, ids, nullptr, &s}, SelectArgs{});
        REQUIRE(f.size() == 1);
        CHECK(f[0].status == FactStatus::not_applicable);
    }
}

TEST_CASE("file labels against file_contexts, as restorecon -n would judge them") {
    TempDir dir;
    if (!labels_supported(dir)) {
        MESSAGE("skipping: this file system does not keep security.selinux xattrs");
        return;
    }
    triad::test::build_access_root(dir.path(), true);
    // One mislabelled file, one unlabelled, one with a customizable type, one under <<none>>.
    triad::test::run({"setfattr", "-n", "security.selinux", "-v", "system_u:object_r:etc_t:s0", dir / "etc/shadow"});
    write_file(dir / "etc/fresh.conf", "x");
    write_file(dir / "etc/custom.html", "x");
    triad::test::run({"setfattr", "-n", "security.selinux", "-v", "system_u:object_r:httpd_user_content_t:s0",
                      dir / "etc/custom.html"});
    write_file(dir / "tmp/scratch", "x");
    // file_contexts.local is read after the base file: its entry wins for that path.
    write_file(dir / "etc/selinux/default/contexts/files/file_contexts.local",
               "/etc/fresh\\.conf\t--\tsystem_u:object_r:fresh_conf_t:s0\n");
    // .subs: /opt/usr is labelled as /usr is.
    write_file(dir / "etc/selinux/default/contexts/files/file_contexts.subs", "/opt/usr /usr\n");
    write_file(dir / "opt/usr/sbin/sshd", "x");
    triad::test::run({"setfattr", "-n", "security.selinux", "-v", "system_u:object_r:sshd_exec_t:s0", dir / "opt/usr/sbin/sshd"});

    auto root = Sysroot::open(dir.path()).value();
    IdentityTable ids = IdentityTable::load(root);
    SelectArgs args;
    args.values["path"] = StringList{"/etc/passwd", "/etc/shadow", "/etc/fresh.conf", "/etc/custom.html", "/tmp/scratch",
                                     "/usr/*/s*", "/opt/usr/sbin/sshd", "/etc/missing"};
    FactSet facts = collect_selinux_files(CollectContext{root, ids}, args);
    auto fields = selinux_file_fields();

    const Fact* passwd = find_object(facts, "/etc/passwd");
    REQUIRE(passwd);
    CHECK(field_text(*passwd, fields, "type") == "passwd_file_t");
    CHECK(field_text(*passwd, fields, "expected") == "system_u:object_r:passwd_file_t:s0");
    CHECK(field_text(*passwd, fields, "relabel") == "false");

    const Fact* shadow = find_object(facts, "/etc/shadow");
    REQUIRE(shadow);
    CHECK(field_text(*shadow, fields, "type") == "etc_t");
    CHECK(field_text(*shadow, fields, "expected_type") == "shadow_t");
    CHECK(field_text(*shadow, fields, "relabel") == "true");

    const Fact* fresh = find_object(facts, "/etc/fresh.conf");
    REQUIRE(fresh);
    CHECK(field_text(*fresh, fields, "labeled") == "false");
    CHECK(field_text(*fresh, fields, "expected_type") == "fresh_conf_t");
    CHECK(field_text(*fresh, fields, "relabel") == "true");

    const Fact* custom = find_object(facts, "/etc/custom.html");
    REQUIRE(custom);
    CHECK(field_text(*custom, fields, "customizable") == "true");
    CHECK(field_text(*custom, fields, "relabel") == "false");

    const Fact* scratch = find_object(facts, "/tmp/scratch");
    REQUIRE(scratch);
    CHECK(field_text(*scratch, fields, "expected") == "(absent)");
    CHECK(field_text(*scratch, fields, "relabel") == "false");

    const Fact* sshd = find_object(facts, "/usr/sbin/sshd");
    REQUIRE(sshd);
    CHECK(field_text(*sshd, fields, "relabel") == "false");
    const Fact* aliased = find_object(facts, "/opt/usr/sbin/sshd");
    REQUIRE(aliased);
    CHECK(field_text(*aliased, fields, "expected_type") == "sshd_exec_t");
    CHECK(field_text(*aliased, fields, "relabel") == "false");

    const Fact* missing = find_object(facts, "/etc/missing");
    REQUIRE(missing);
    CHECK(field_text(*missing, fields, "exists") == "false");

    // Cross-check with libselinux's own tool when it is installed (policycoreutils).
    if (triad::test::have_tool("matchpathcon")) {
        auto r = triad::test::run({"matchpathcon", "-f", dir / "etc/selinux/default/contexts/files/file_contexts", "/etc/shadow"});
        CHECK(r.out.find("shadow_t") != std::string::npos);
    }
}

TEST_CASE("a policy without file_contexts, or a broken one") {
    TempDir dir;
    triad::test::build_access_root(dir.path(), false);
    auto root = Sysroot::open(dir.path()).value();
    IdentityTable ids = IdentityTable::load(root);
    SelectArgs args;
    args.values["path"] = StringList{"/etc/passwd"};
    args.values["policy_type"] = std::string("mls");
    FactSet none = collect_selinux_files(CollectContext{root, ids}, args);
    REQUIRE(none.size() == 1);
    CHECK(none[0].status == FactStatus::not_applicable);

    write_file(dir / "etc/selinux/mls/contexts/files/file_contexts", "/etc(/.*\tsystem_u:object_r:etc_t:s0\n");
    FactSet broken = collect_selinux_files(CollectContext{root, ids}, args);
    REQUIRE(broken.size() == 1);
    CHECK(broken[0].status == FactStatus::error);
}

TEST_CASE("process domains and unconfined listeners (host scope)") {
    TempDir dir, proc, sys;
    triad::test::build_access_root(dir.path(), false);
    triad::test::build_live_trees(proc.path(), sys.path());
    auto root = Sysroot::open(dir.path()).value();
    auto p = Sysroot::open(proc.path()).value();
    auto s = Sysroot::open(sys.path()).value();
    IdentityTable ids = IdentityTable::load(root);
    FactSet facts = collect_selinux_processes(CollectContext{root, ids, &p, &s}, SelectArgs{});
    REQUIRE(facts.size() == 2);
    auto fields = selinux_process_fields();
    CHECK(field_text(facts[0], fields, "type") == "sshd_t");
    CHECK(field_text(facts[0], fields, "listening") == "true");
    CHECK(field_text(facts[0], fields, "sockets") == "tcp 0.0.0.0:22");
    CHECK(field_text(facts[0], fields, "unconfined") == "false");
    CHECK(field_text(facts[1], fields, "unconfined") == "true");
    CHECK(field_text(facts[1], fields, "listening") == "false");  // loopback only

    // Configured but not running: every process is unconfined (a finding), not not_applicable.
    std::remove((sys / "fs/selinux/enforce").c_str());
    FactSet off = collect_selinux_processes(CollectContext{root, ids, &p, &s}, SelectArgs{});
    REQUIRE(off.size() == 2);
    CHECK(field_text(off[0], fields, "unconfined") == "true");
    CHECK(field_text(off[0], fields, "active") == "false");
    // Neither configured nor running: this system does not use SELinux.
    std::remove((dir / "etc/selinux/config").c_str());
    FactSet unused = collect_selinux_processes(CollectContext{root, ids, &p, &s}, SelectArgs{});
    REQUIRE(unused.size() == 1);
    CHECK(unused[0].status == FactStatus::not_applicable);
    CHECK(unused[0].reason.find("neither configured") != std::string::npos);
}
