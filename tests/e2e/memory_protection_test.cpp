// SPDX-License-Identifier: Apache-2.0
// rules/policies/memory-protection.yml end to end: `triad scan --root FIXTURE --proc
// FIXTUREPROC --only 'MEM-*' --format json` over a fixture root (binaries written byte by
// byte, set-id bits, sysctl.d files) and a fixture proc tree (a listening daemon, /proc/sys,
// cpuinfo). Every check's verdict is asserted, weak binaries land in the check of their
// exposure, and without --proc the live checks are not_applicable.
#include <doctest/doctest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <map>
#include <set>

#include "tests/e2e/policy_checks.h"
#include "tests/scanner/elf/elf_builder.h"
#include "tests/scanner/proc_fixture.h"
#include "tests/test_support.h"

using triad::test::build_elf;
using triad::test::ElfSpec;
using triad::test::ProcFixture;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

namespace fixture = triad::test::fixture;
using fixture::Scan;
using fixture::evidence_objects;
using fixture::verdict;

std::string policy_path() { return triad::test::source_dir() + "/rules/policies/memory-protection.yml"; }

std::vector<std::string> policy_ids() { return fixture::policy_check_ids({policy_path()}); }

std::string exe(bool pie, bool nx, bool canary, bool full_relro, bool fortified, std::vector<std::string> runpath = {}) {
    ElfSpec s;
    s.type = pie ? ET_DYN : ET_EXEC;
    s.interp = "/lib64/ld-linux-x86-64.so.2";
    s.exec_stack = !nx;
    s.relro = true;
    if (pie) s.tags.emplace_back(DT_FLAGS_1, DF_1_PIE | (full_relro ? DF_1_NOW : 0));
    else if (full_relro) s.tags.emplace_back(DT_BIND_NOW, 0);
    if (canary) s.imports.push_back("__stack_chk_fail");
    // Unfortified: three plain fortifiable imports, enough to tell (docs/binaries.md).
    if (fortified) s.imports.push_back("__memcpy_chk");
    else s.imports.insert(s.imports.end(), {"memcpy", "strcpy", "printf"});
    s.runpath = std::move(runpath);
    return build_elf(s);
}

std::string lib(bool nx) {
    ElfSpec s;
    s.exec_stack = !nx;
    s.relro = true;
    s.tags = {{DT_SONAME, 0}, {DT_FLAGS, DF_BIND_NOW}};
    s.imports = {"__stack_chk_fail", "__strcpy_chk"};
    return build_elf(s);
}

struct Fixture {
    TempDir root;
    ProcFixture proc;
    Fixture() {
        // Exposed: set-uid and a listening daemon, each weak in one way.
        write_file(root / "usr/bin/su-weak", exe(false, true, true, true, true), 04755);
        write_file(root / "usr/sbin/netd", exe(true, true, false, false, true), 0755);
        // Unexposed: one weak in every way, one strong.
        write_file(root / "usr/bin/old-tool", exe(false, false, false, false, false), 0755);
        write_file(root / "usr/bin/good", exe(true, true, true, true, true), 0755);
        write_file(root / "usr/bin/script", "#!/bin/sh\n", 0755);
        // A missing RUNPATH directory only root could create is no finding; one under a
        // world-writable directory is.
        write_file(root / "usr/local/bin/plugin-host", exe(true, true, true, true, true, {"$ORIGIN/plugins", "/opt/vendor/lib"}), 0755);
        triad::test::make_dirs(root / "opt/vendor");
        triad::test::sh("chmod 0777 '" + root.path() + "/opt/vendor'");
        write_file(root / "usr/lib/x86_64-linux-gnu/libgood.so.1", lib(true));
        write_file(root / "usr/lib/x86_64-linux-gnu/libexecstack.so.2", lib(false));
        // Owned by packages (a dpkg database listing them as a merged-/usr system's lists do,
        // under /bin): judged by the -PACKAGED checks, one evidence line per package.
        triad::test::make_dirs(root / "usr/bin");
        triad::test::sh("ln -s usr/bin '" + root.path() + "/bin'");
        write_file(root / "usr/bin/pkg-weak-a", exe(false, false, false, false, false), 0755);
        write_file(root / "usr/bin/pkg-weak-b", exe(false, true, true, true, true), 0755);
        write_file(root / "usr/bin/pkg-setuid", exe(false, true, true, true, true), 04755);
        write_file(root / "usr/lib/x86_64-linux-gnu/libpkgexec.so.3", lib(false));
        write_file(root / "var/lib/dpkg/info/weakpkg.list", "/.\n/bin\n/bin/pkg-weak-a\n/bin/pkg-weak-b\n/bin/pkg-setuid\n");
        write_file(root / "var/lib/dpkg/info/libpkgexec3:amd64.list",
                   "/.\n/usr\n/usr/lib/x86_64-linux-gnu/libpkgexec.so.3\n");
        write_file(root / "etc/sysctl.d/60-weak.conf", "kernel.randomize_va_space = 1\nkernel.kptr_restrict = 1\n");
        write_file(root / "usr/lib/sysctl.d/50-default.conf", "fs.suid_dumpable = 2\n");

        proc.add({700, "netd", "/usr/sbin/netd", 0, 0, 0, {9001}});
        proc.add({701, "good", "/usr/bin/good", 0, 2, 1, {9002}});
        proc.net_table("", "tcp", {ProcFixture::socket_line(0, "00000000:0019", "00000000:0000", "0A", 9001),
                                   ProcFixture::socket_line(1, "00000000:01BB", "00000000:0000", "0A", 9002)});
        proc.sysctl("kernel/randomize_va_space", "2");
        proc.sysctl("vm/mmap_min_addr", "4096");
        proc.sysctl("kernel/kptr_restrict", "0");
        proc.sysctl("fs/suid_dumpable", "0");
        proc.sysctl("kernel/dmesg_restrict", "1");
        proc.cpuinfo("processor\t: 0\nflags\t\t: fpu pae nx lm\n");
    }
};

Scan scan(const Fixture& f, bool with_proc) {
    std::vector<std::string> args{"scan", "--root", f.root.path(), "--only", "MEM-*", "--format", "json"};
    if (with_proc) args.insert(args.end(), {"--proc", f.proc.path()});
    return fixture::scan_json(args);
}

}  // namespace

TEST_CASE("memory-protection policy: every check's verdict on a fixture host") {
    Fixture f;
    const Scan s = scan(f, true);
    INFO(s.err);
    CHECK(s.exit_code == 1);  // failures at or above the default --fail-on
    const std::map<std::string, std::string> expected = {
        {"MEM-EXEC-PIE-EXPOSED", "fail"},        {"MEM-EXEC-NX-EXPOSED", "pass"},
        {"MEM-EXEC-CANARY-EXPOSED", "fail"},     {"MEM-EXEC-RELRO-EXPOSED", "fail"},
        {"MEM-EXEC-FORTIFY-EXPOSED", "pass"},    {"MEM-EXEC-PIE", "fail"},
        {"MEM-EXEC-NX", "fail"},                 {"MEM-EXEC-CANARY", "fail"},
        {"MEM-EXEC-RELRO", "fail"},              {"MEM-EXEC-FORTIFY", "fail"},
        {"MEM-EXEC-RPATH", "fail"},              {"MEM-LIB-NX", "fail"},
        {"MEM-LIB-TEXTREL", "pass"},             {"MEM-LIB-RELRO", "pass"},
        {"MEM-LIB-CANARY", "pass"},              {"MEM-LIB-FORTIFY", "pass"},
        {"MEM-LIB-RPATH", "pass"},               {"MEM-ASLR-LIVE", "pass"},
        {"MEM-ASLR-CONFIGURED", "fail"},         {"MEM-CPU-NX", "pass"},
        {"MEM-MMAP-MIN-ADDR", "fail"},           {"MEM-MMAP-MIN-ADDR-CONFIGURED", "not_applicable"},
        {"MEM-KPTR-RESTRICT", "fail"},           {"MEM-KPTR-RESTRICT-CONFIGURED", "pass"},
        {"MEM-SUID-DUMPABLE", "pass"},           {"MEM-SUID-DUMPABLE-CONFIGURED", "fail"},
        {"MEM-DMESG-RESTRICT", "pass"},          {"MEM-DMESG-RESTRICT-CONFIGURED", "not_applicable"},
        {"MEM-PTRACE-SCOPE", "fail"},            {"MEM-PTRACE-SCOPE-CONFIGURED", "not_applicable"},
        {"MEM-PROC-LISTENING-HARDENED", "fail"}, {"MEM-PROC-LISTENING-SECCOMP", "fail"},
        {"MEM-EXEC-PIE-EXPOSED-PACKAGED", "fail"},    {"MEM-EXEC-NX-EXPOSED-PACKAGED", "pass"},
        {"MEM-EXEC-CANARY-EXPOSED-PACKAGED", "pass"}, {"MEM-EXEC-RELRO-EXPOSED-PACKAGED", "pass"},
        {"MEM-EXEC-FORTIFY-EXPOSED-PACKAGED", "pass"}, {"MEM-EXEC-PIE-PACKAGED", "fail"},
        {"MEM-EXEC-NX-PACKAGED", "fail"},             {"MEM-EXEC-CANARY-PACKAGED", "fail"},
        {"MEM-EXEC-RELRO-PACKAGED", "fail"},          {"MEM-EXEC-FORTIFY-PACKAGED", "fail"},
        {"MEM-LIB-NX-PACKAGED", "fail"},              {"MEM-LIB-TEXTREL-PACKAGED", "pass"},
        {"MEM-LIB-RELRO-PACKAGED", "pass"},           {"MEM-LIB-CANARY-PACKAGED", "pass"},
        {"MEM-LIB-FORTIFY-PACKAGED", "pass"},
    };
    // A check added to the policy without a row here fails the test.
    for (const std::string& id : policy_ids()) {
        CAPTURE(id);
        REQUIRE(expected.count(id) == 1);
        CHECK(verdict(s, id) == expected.at(id));
    }
    CHECK(s.by_id.size() == expected.size());

    // Exposure decides which check (and severity) a weak binary fails.
    CHECK(evidence_objects(s, "MEM-EXEC-PIE-EXPOSED") == std::set<std::string>{"/usr/bin/su-weak"});
    CHECK(evidence_objects(s, "MEM-EXEC-CANARY-EXPOSED") == std::set<std::string>{"/usr/sbin/netd"});
    CHECK(evidence_objects(s, "MEM-EXEC-RELRO-EXPOSED") == std::set<std::string>{"/usr/sbin/netd"});
    CHECK(evidence_objects(s, "MEM-EXEC-PIE") == std::set<std::string>{"/usr/bin/old-tool"});
    CHECK(evidence_objects(s, "MEM-EXEC-NX") == std::set<std::string>{"/usr/bin/old-tool"});
    CHECK(evidence_objects(s, "MEM-LIB-NX") == std::set<std::string>{"/usr/lib/x86_64-linux-gnu/libexecstack.so.2"});
    CHECK(evidence_objects(s, "MEM-EXEC-RPATH") == std::set<std::string>{"/usr/local/bin/plugin-host"});
    CHECK(evidence_objects(s, "MEM-PROC-LISTENING-HARDENED") == std::set<std::string>{"700 netd"});
    CHECK(evidence_objects(s, "MEM-PROC-LISTENING-SECCOMP") == std::set<std::string>{"700 netd"});
    // Package-owned binaries: one evidence line per package, with every file in `objects`,
    // at the lower severity, and none of them in the checks for local binaries.
    CHECK(evidence_objects(s, "MEM-EXEC-PIE-PACKAGED") == std::set<std::string>{"weakpkg"});
    auto pkg = s.by_id.at("MEM-EXEC-PIE-PACKAGED")->getArray("evidence")->getObject(0);
    CHECK(pkg->getObject("observed")->getValue<std::string>("files") == "2");
    CHECK(pkg->getObject("observed")->getValue<std::string>("examples") == "/usr/bin/pkg-weak-a, /usr/bin/pkg-weak-b");
    REQUIRE(pkg->getArray("objects"));
    CHECK(pkg->getArray("objects")->size() == 2);
    CHECK(s.by_id.at("MEM-EXEC-PIE-PACKAGED")->getValue<std::string>("reason").find("2 objects in 1 package fail") == 0);
    CHECK(s.by_id.at("MEM-EXEC-PIE-PACKAGED")->getValue<std::string>("severity") == "low");
    CHECK(evidence_objects(s, "MEM-EXEC-PIE-EXPOSED-PACKAGED") == std::set<std::string>{"weakpkg"});
    CHECK(s.by_id.at("MEM-EXEC-PIE-EXPOSED-PACKAGED")->getValue<std::string>("severity") == "medium");
    CHECK(evidence_objects(s, "MEM-EXEC-NX-PACKAGED") == std::set<std::string>{"weakpkg"});
    CHECK(evidence_objects(s, "MEM-LIB-NX-PACKAGED") == std::set<std::string>{"libpkgexec3:amd64"});
    // CSV and SARIF carry every object of a package's group too.
    for (const char* format : {"csv", "sarif"}) {
        CAPTURE(format);
        auto r = triad::test::run_triad({"scan", "--root", f.root.path(), "--only", "MEM-EXEC-PIE-PACKAGED", "--format", format});
        for (const char* file : {"/usr/bin/pkg-weak-a", "/usr/bin/pkg-weak-b"}) CHECK(r.out.find(file) != std::string::npos);
        CHECK(r.out.find("weakpkg") != std::string::npos);
    }
    CHECK(s.by_id.at("MEM-EXEC-PIE-EXPOSED")->getValue<std::string>("severity") == "high");
    CHECK(s.by_id.at("MEM-EXEC-PIE")->getValue<std::string>("severity") == "medium");
    CHECK(s.by_id.at("MEM-EXEC-RPATH")->getValue<std::string>("severity") == "critical");
    // A kernel without Yama has no ptrace restriction: a failure that names the missing LSM
    // (issue 9, class 3), not not_applicable.
    auto ptrace = s.by_id.at("MEM-PTRACE-SCOPE")->getArray("evidence")->getObject(0)->getObject("observed");
    CHECK(ptrace->getValue<std::string>("exists") == "false");
    CHECK(ptrace->getValue<std::string>("reason").find("Yama LSM is not active") != std::string::npos);
    auto rpath = s.by_id.at("MEM-EXEC-RPATH")->getArray("evidence")->getObject(0)->getObject("observed");
    CHECK(rpath->getValue<std::string>("unsafe_rpath") == "/opt/vendor/lib (missing: anyone can create it in /opt/vendor (0777))");
    // The configured value is reported apart from the live one, with where it is set.
    auto aslr = s.by_id.at("MEM-ASLR-CONFIGURED")->getArray("evidence")->getObject(0)->getObject("observed");
    CHECK(aslr->getValue<std::string>("value") == "1");
    CHECK(aslr->getValue<std::string>("file") == "/etc/sysctl.d/60-weak.conf");
    CHECK(aslr->getValue<std::string>("source") == "/etc/sysctl.d/60-weak.conf:1");
    auto mmap = s.by_id.at("MEM-MMAP-MIN-ADDR")->getArray("evidence")->getObject(0)->getObject("observed");
    CHECK(mmap->getValue<std::string>("source") == "/proc/sys/vm/mmap_min_addr");
}

TEST_CASE("memory-protection policy on an offline root: live checks are not_applicable") {
    Fixture f;
    const Scan s = scan(f, false);
    INFO(s.err);
    for (const char* id : {"MEM-ASLR-LIVE", "MEM-CPU-NX", "MEM-MMAP-MIN-ADDR", "MEM-KPTR-RESTRICT", "MEM-SUID-DUMPABLE",
                           "MEM-DMESG-RESTRICT", "MEM-PTRACE-SCOPE", "MEM-PROC-LISTENING-HARDENED", "MEM-PROC-LISTENING-SECCOMP"})
        CHECK_MESSAGE(verdict(s, id) == "not_applicable", id);
    CHECK(verdict(s, "MEM-ASLR-CONFIGURED") == "fail");
    // No processes run in an image: only the set-uid binary is exposed.
    CHECK(evidence_objects(s, "MEM-EXEC-CANARY") == std::set<std::string>{"/usr/bin/old-tool", "/usr/sbin/netd"});
    CHECK(verdict(s, "MEM-EXEC-CANARY-EXPOSED") == "pass");
}
