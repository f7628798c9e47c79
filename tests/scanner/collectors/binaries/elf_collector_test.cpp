// SPDX-License-Identifier: Apache-2.0
// The `elf` and `processes` collectors on a fixture root with a fixture proc tree: which
// files are examined, exposure (set-id bits, file capabilities set with setcap, binaries of
// listening processes), unsafe RPATH/RUNPATH entries, and process hardening with seccomp.
#include "scanner/collectors/binaries/elf_collector.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "scanner/identity/identity.h"
#include "scanner/collectors/runtime/process_hardening.h"
#include "tests/scanner/elf/elf_builder.h"
#include "tests/scanner/proc_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/scanner/syscall_refusal.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::build_elf;
using triad::test::ElfSpec;
using triad::test::FixtureProcess;
using triad::test::ProcFixture;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

std::string hardened() {
    ElfSpec s;
    s.interp = "/lib64/ld-linux-x86-64.so.2";
    s.relro = true;
    s.tags = {{DT_FLAGS_1, DF_1_PIE | DF_1_NOW}};
    s.imports = {"__stack_chk_fail", "__memcpy_chk"};
    return build_elf(s);
}

std::string weak(std::vector<std::string> rpath = {}, std::vector<std::string> runpath = {}) {
    ElfSpec s;
    s.type = ET_EXEC;
    s.interp = "/lib64/ld-linux-x86-64.so.2";
    s.exec_stack = true;
    s.imports = {"memcpy"};
    s.rpath = std::move(rpath);
    s.runpath = std::move(runpath);
    return build_elf(s);
}

std::string library() {
    ElfSpec s;
    s.tags = {{DT_SONAME, 0}};
    s.imports = {"__stack_chk_fail"};
    return build_elf(s);
}

std::map<std::string, Fact> by_path(FactSet facts) {
    std::map<std::string, Fact> out;
    for (Fact& f : facts) out.emplace(f.object, std::move(f));
    return out;
}

}  // namespace

TEST_CASE("elf collector: candidates, names, recursion, and what is left out") {
    TempDir dir;
    write_file(dir / "usr/bin/good", hardened(), 0755);
    write_file(dir / "usr/bin/weak", weak(), 0755);
    write_file(dir / "usr/bin/script", "#!/bin/sh\n", 0755);
    REQUIRE(::symlink("good", (dir / "usr/bin/alias").c_str()) == 0);
    write_file(dir / "usr/lib/libok.so.1", library());
    write_file(dir / "usr/lib/sub/libdeep.so", library());
    write_file(dir / "usr/lib/README", "text");
    write_file(dir / "usr/lib/notalib.a", library());
    auto root = Sysroot::open(dir.path()).value();
    auto ids = IdentityTable::load(root);

    ElfQuery q;
    q.paths = {"/usr/bin", "/missing"};
    auto bin = by_path(collect_elf(root, ids, nullptr, q));
    REQUIRE(bin.size() == 2);  // script: not ELF; alias: a symlink; /missing: absent
    CHECK(field_text(bin.at("/usr/bin/good"), kElfKind) == "pie");
    CHECK(field_text(bin.at("/usr/bin/good"), kElfRelro) == "full");
    CHECK(field_text(bin.at("/usr/bin/good"), kElfCanary) == "true");
    CHECK(field_text(bin.at("/usr/bin/weak"), kElfKind) == "exec");
    CHECK(field_text(bin.at("/usr/bin/weak"), kElfNx) == "false");
    CHECK(field_text(bin.at("/usr/bin/weak"), kElfExposed) == "false");
    CHECK(field_text(bin.at("/usr/bin/weak"), kElfListening) == "false");
    CHECK(field_text(bin.at("/usr/bin/weak"), kElfInterpreter) == "/lib64/ld-linux-x86-64.so.2");

    q.paths = {"/usr/lib"};
    q.names = {"*.so", "*.so.*"};
    auto libs = by_path(collect_elf(root, ids, nullptr, q));
    CHECK(libs.size() == 2);
    CHECK(libs.count("/usr/lib/sub/libdeep.so") == 1);
    CHECK(field_text(libs.at("/usr/lib/libok.so.1"), kElfKind) == "dso");

    q.recursive = false;
    CHECK(by_path(collect_elf(root, ids, nullptr, q)).count("/usr/lib/sub/libdeep.so") == 0);
    q.recursive = true;
    q.exclude = {"/usr/lib/sub/**"};
    CHECK(collect_elf(root, ids, nullptr, q).size() == 1);

    q = ElfQuery{};
    q.paths = {"/usr/lib/notalib.a"};  // a file named directly is examined whatever its name
    CHECK(collect_elf(root, ids, nullptr, q).size() == 1);
}

TEST_CASE("elf collector: exposure from set-id bits, file capabilities and listening processes") {
    TempDir dir;
    write_file(dir / "usr/bin/suid", weak(), 04755);
    write_file(dir / "usr/bin/sgid", weak(), 02755);
    write_file(dir / "usr/bin/capped", weak(), 0755);
    write_file(dir / "usr/sbin/daemon", weak(), 0755);
    write_file(dir / "usr/sbin/local-only", weak(), 0755);
    write_file(dir / "usr/bin/plain", weak(), 0755);
    const bool have_caps = triad::test::sh("setcap cap_net_raw+ep '" + dir / "usr/bin/capped" + "'").exit_code == 0;

    ProcFixture proc;
    proc.add({10, "daemon", "/usr/sbin/daemon", 0, 0, 0, {501}});
    proc.add({11, "local-only", "/usr/sbin/local-only", 0, 0, 0, {502}});
    proc.net_table("", "tcp", {ProcFixture::socket_line(0, "00000000:1F90", "00000000:0000", "0A", 501),
                               ProcFixture::socket_line(1, "0100007F:1F91", "00000000:0000", "0A", 502)});

    auto root = Sysroot::open(dir.path()).value();
    auto proc_root = Sysroot::open(proc.path()).value();
    auto ids = IdentityTable::load(root);
    ElfQuery q;
    q.paths = {"/usr/bin", "/usr/sbin"};
    auto facts = by_path(collect_elf(root, ids, &proc_root, q));
    REQUIRE(facts.size() == 6);
    CHECK(field_text(facts.at("/usr/bin/suid"), kElfSetuid) == "true");
    CHECK(field_text(facts.at("/usr/bin/suid"), kElfExposed) == "true");
    CHECK(field_text(facts.at("/usr/bin/sgid"), kElfSetgid) == "true");
    CHECK(field_text(facts.at("/usr/bin/sgid"), kElfExposed) == "true");
    CHECK(field_text(facts.at("/usr/sbin/daemon"), kElfListening) == "true");
    CHECK(field_text(facts.at("/usr/sbin/daemon"), kElfListeningOn) == "tcp 0.0.0.0:8080");
    CHECK(field_text(facts.at("/usr/sbin/daemon"), kElfExposed) == "true");
    // Listening on loopback only is not exposure to the network.
    CHECK(field_text(facts.at("/usr/sbin/local-only"), kElfListening) == "false");
    CHECK(field_text(facts.at("/usr/sbin/local-only"), kElfExposed) == "false");
    CHECK(field_text(facts.at("/usr/bin/plain"), kElfExposed) == "false");
    CHECK(field_text(facts.at("/usr/bin/plain"), kElfCapabilities) == "(absent)");
    if (have_caps) {
        CHECK(field_text(facts.at("/usr/bin/capped"), kElfCapabilities) == "cap_net_raw=ep");
        CHECK(field_text(facts.at("/usr/bin/capped"), kElfExposed) == "true");
    } else {
        MESSAGE("setcap failed here (no xattr support?): capability exposure not exercised");
    }

    // Without a proc tree nothing listens (an offline image runs nothing).
    auto offline = by_path(collect_elf(root, ids, nullptr, q));
    CHECK(field_text(offline.at("/usr/sbin/daemon"), kElfListening) == "false");
}

TEST_CASE("elf collector: RPATH and RUNPATH entries others could fill") {
    TempDir dir;
    triad::test::make_dirs(dir / "opt/app/lib");
    triad::test::make_dirs(dir / "opt/open", 01777);
    triad::test::make_dirs(dir / "home/user", 0755);
    REQUIRE(::chown((dir / "home/user").c_str(), 1000, 1000) == 0);
    write_file(dir / "opt/app/bin/safe", weak({"/opt/app/lib"}, {}), 0755);
    write_file(dir / "opt/app/bin/origin", weak({}, {"$ORIGIN/../lib", "${ORIGIN}/../lib"}), 0755);
    write_file(dir / "opt/app/bin/relative", weak({"lib:"}, {}), 0755);
    write_file(dir / "opt/app/bin/missing", weak({}, {"/opt/nowhere/lib", "/home/user/new", "/opt/open/sub"}), 0755);
    write_file(dir / "opt/app/bin/writable", weak({}, {"/opt/open"}), 0755);
    write_file(dir / "opt/app/bin/platform", weak({}, {"/opt/app/$LIB"}), 0755);
    auto root = Sysroot::open(dir.path()).value();
    auto ids = IdentityTable::load(root);
    ElfQuery q;
    q.paths = {"/opt/app/bin"};
    auto facts = by_path(collect_elf(root, ids, nullptr, q));
    REQUIRE(facts.size() == 6);
    CHECK(field_text(facts.at("/opt/app/bin/safe"), kElfUnsafeRpath) == "(absent)");
    CHECK(field_text(facts.at("/opt/app/bin/origin"), kElfUnsafeRpath) == "(absent)");
    CHECK(field_text(facts.at("/opt/app/bin/platform"), kElfUnsafeRpath) == "(absent)");
    const std::string rel = field_text(facts.at("/opt/app/bin/relative"), kElfUnsafeRpath);
    CHECK(rel.find("lib (relative") != std::string::npos);
    CHECK(rel.find(" (relative") == 0);  // the empty element: the working directory
    const std::string missing = field_text(facts.at("/opt/app/bin/missing"), kElfUnsafeRpath);
    // A missing directory only root could create is no way in (issue 9); the others say who.
    CHECK(missing.find("/opt/nowhere/lib") == std::string::npos);
    CHECK(missing.find("/home/user/new (missing: uid 1000 can create it in /home/user (0755))") != std::string::npos);
    CHECK(missing.find("/opt/open/sub (missing: anyone can create it in /opt/open (1777))") != std::string::npos);
    CHECK(field_text(facts.at("/opt/app/bin/writable"), kElfUnsafeRpath) == "/opt/open (world-writable)");
    CHECK(field_text(facts.at("/opt/app/bin/writable"), kElfRunpath) == "/opt/open");
}

TEST_CASE("elf collector: a group-writable ancestor names the group; a file in the way blocks creation") {
    TempDir dir;
    triad::test::make_dirs(dir / "srv/shared", 0775);
    REQUIRE(::chown((dir / "srv/shared").c_str(), 0, 50) == 0);
    write_file(dir / "etc/group", "root:x:0:\nstaff:x:50:\n");
    write_file(dir / "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    write_file(dir / "opt/blocker", "a file\n");
    write_file(dir / "opt/app/bin/tool", weak({}, {"/srv/shared/deep/lib", "/opt/blocker/lib"}), 0755);
    auto root = Sysroot::open(dir.path()).value();
    auto ids = IdentityTable::load(root);
    ElfQuery q;
    q.paths = {"/opt/app/bin"};
    auto facts = by_path(collect_elf(root, ids, nullptr, q));
    CHECK(field_text(facts.at("/opt/app/bin/tool"), kElfUnsafeRpath) ==
          "/srv/shared/deep/lib (missing: group staff can create it in /srv/shared (0775))");
}

// FORTIFY from binaries gcc builds here (docs/binaries.md): one memcpy into a heap buffer of
// run-time size is the same binary with and without -D_FORTIFY_SOURCE=2, so it is
// undecided; the fortified and unfortified builds of a program with known sizes are decided.
TEST_CASE("elf collector: fortify is undecided when the imports cannot tell") {
    TempDir dir;
    write_file(dir / "heap.c",
               "#include <string.h>\n#include <stdlib.h>\n#include <unistd.h>\n"
               "int main(int c, char **v) { size_t n = strlen(v[0]); char *p = malloc(n + 1);\n"
               "  memcpy(p, v[0], n + 1); return write(1, p, n) < 0; }\n");
    write_file(dir / "known.c",
               "#include <stdio.h>\n#include <string.h>\n#include <unistd.h>\n"
               "int main(int c, char **v) { char b[64]; strcpy(b, c > 1 ? v[1] : \"x\");\n"
               "  printf(\"%s %d\\n\", b, c); return read(0, b, c > 3 ? sizeof b : 1) > 0; }\n");
    triad::test::make_dirs(dir / "root/usr/bin");
    const std::string out = dir.path() + "/root/usr/bin/";
    auto r = triad::test::sh("cd '" + dir.path() + "' && gcc -O2 -D_FORTIFY_SOURCE=2 -o '" + out + "heap-fortified' heap.c && " +
                             "gcc -O2 -U_FORTIFY_SOURCE -o '" + out + "heap-plain' heap.c && " +
                             "gcc -O2 -D_FORTIFY_SOURCE=2 -o '" + out + "known-fortified' known.c && " +
                             "gcc -O2 -U_FORTIFY_SOURCE -o '" + out + "known-plain' known.c", 120);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    auto root = Sysroot::open(dir.path() + "/root").value();
    auto ids = IdentityTable::load(root);
    ElfQuery q;
    q.paths = {"/usr/bin"};
    auto facts = by_path(collect_elf(root, ids, nullptr, q));
    REQUIRE(facts.size() == 4);
    for (const char* heap : {"/usr/bin/heap-fortified", "/usr/bin/heap-plain"}) {
        CAPTURE(heap);
        const Fact& f = facts.at(heap);
        CHECK(f.field(kElfFortify) == nullptr);
        REQUIRE(f.field_error(kElfFortify) != nullptr);
        CHECK(f.field_error(kElfFortify)->find("cannot tell: 1 fortifiable import(s) and none fortified") == 0);
    }
    CHECK(field_text(facts.at("/usr/bin/known-fortified"), kElfFortify) == "fortified");
    CHECK(field_text(facts.at("/usr/bin/known-plain"), kElfFortify) == "unfortified");
    CHECK(field_text(facts.at("/usr/bin/known-plain"), kElfFortifiable) == "3");
}

TEST_CASE("processes collector: each process's binary judged inside the root, with seccomp") {
    TempDir dir;
    write_file(dir / "usr/sbin/good", hardened(), 0755);
    write_file(dir / "usr/sbin/weak", weak(), 0755);
    ProcFixture proc;
    proc.add({2, "kthreadd", "", 0, 0, 0, {}});
    proc.add({20, "good", "/usr/sbin/good", 0, 2, 1, {601}});
    proc.add({21, "weak", "/usr/sbin/weak", 65534, 0, 0, {602}});
    proc.add({22, "idle", "/usr/sbin/weak", 0, 0, 0, {}});
    proc.add({23, "stale", "/usr/sbin/gone (deleted)", 0, 0, 0, {603}});
    proc.add({24, "outside", "/not/in/root", 0, 0, 0, {}});
    proc.net_table("", "tcp", {ProcFixture::socket_line(0, "00000000:0050", "00000000:0000", "0A", 601),
                               ProcFixture::socket_line(1, "00000000:0051", "00000000:0000", "0A", 602),
                               ProcFixture::socket_line(2, "00000000:0052", "00000000:0000", "0A", 603)});
    auto root = Sysroot::open(dir.path()).value();
    auto proc_root = Sysroot::open(proc.path()).value();
    auto ids = IdentityTable::load(root);
    const CollectContext ctx{root, ids, &proc_root, nullptr};

    SelectArgs listening;
    listening.values.emplace("listening", true);
    FactSet facts = collect_processes(ctx, listening);
    REQUIRE(facts.size() == 3);
    std::map<std::string, const Fact*> by_object;
    for (const Fact& f : facts) by_object[f.object] = &f;
    const Fact& good = *by_object.at("20 good");
    CHECK(good.status == FactStatus::ok);
    CHECK(good.field(kProcSeccomp)->to_string() == "filter");
    CHECK(good.field(kProcNoNewPrivs)->to_string() == "true");
    CHECK(good.field(kProcCanary)->to_string() == "true");
    CHECK(good.field(kProcListeningOn)->to_string() == "tcp 0.0.0.0:80");
    const Fact& bad = *by_object.at("21 weak");
    CHECK(bad.field(kProcPie)->to_string() == "false");
    CHECK(bad.field(kProcNx)->to_string() == "false");
    CHECK(bad.field(kProcSeccomp)->to_string() == "disabled");
    CHECK(bad.field(kProcUid)->to_string() == "65534");
    const Fact& stale = *by_object.at("23 stale");
    CHECK(stale.status == FactStatus::error);
    CHECK(stale.reason.find("deleted or replaced") != std::string::npos);

    FactSet all = collect_processes(ctx, SelectArgs{});
    CHECK(all.size() == 5);  // the kernel thread is not a process with a binary
    bool outside_error = false;
    for (const Fact& f : all)
        if (f.object == "24 outside") outside_error = f.status == FactStatus::error;
    CHECK(outside_error);

    const CollectContext offline{root, ids, nullptr, nullptr};
    FactSet none = collect_processes(offline, SelectArgs{});
    REQUIRE(none.size() == 1);
    CHECK(none[0].status == FactStatus::not_applicable);
}

TEST_CASE("elf collector: capabilities that cannot be read make the binary an error, not unexposed") {
    TempDir dir;
    write_file(dir / "usr/bin/capped", weak(), 0755);
    auto set = triad::test::sh("setcap cap_net_raw+ep '" + dir / "usr/bin/capped" + "'");
    REQUIRE_MESSAGE(set.exit_code == 0, set.err);
    auto root = Sysroot::open(dir.path()).value();
    auto ids = IdentityTable::load(root);
    ElfQuery q;
    q.paths = {"/usr/bin"};
    // An LSM denying the read (or an I/O error) must not read as "no capabilities".
    std::string problems = triad::test::in_child_refusing(
        {SYS_getxattr, SYS_lgetxattr, SYS_fgetxattr, triad::test::kSysGetxattrat}, EACCES, [&] {
            FactSet facts = collect_elf(root, ids, nullptr, q);
            if (facts.size() != 1) return std::string("expected one fact");
            if (facts[0].status != FactStatus::error)
                return "not an error fact: exposed " + field_text(facts[0], kElfExposed);
            if (facts[0].reason != "cannot read security.capability: permission denied") return "reason: " + facts[0].reason;
            return std::string();
        });
    CHECK(problems == "");
}
