// SPDX-License-Identifier: Apache-2.0
// The `boot_integrity` and `cpu_vulnerabilities` collectors over sys trees shaped like the
// kernel's (securityfs, efivarfs with a SecureBoot variable written as the firmware stores
// it, the vulnerabilities directory), and on this machine against `cat`.
#include "scanner/collectors/kernel/boot_integrity.h"

#include <doctest/doctest.h>

#include "scanner/collectors/kernel/cpu.h"
#include "scanner/identity/identity.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet collect(const CollectorEntry& entry, const std::string& sys_dir, const std::string& proc_dir) {
    TempDir root;
    auto r = Sysroot::open(root.path()).value();
    const IdentityTable ids = IdentityTable::load(r);
    auto sys = Sysroot::open(sys_dir).value();
    auto proc = Sysroot::open(proc_dir).value();
    return entry.collect(CollectContext{r, ids, &proc, &sys}, SelectArgs{});
}

std::string field(const CollectorEntry& e, const FactSet& f, const std::string& object, const char* name) {
    const Fact* fact = find_object(f, object);
    REQUIRE_MESSAGE(fact, object);
    return field_text(*fact, e.fields, name);
}

// An efivarfs file: little-endian attributes (NV|BS|RT = 7), then the data byte.
std::string efi_var(char value) { return std::string("\x06\x00\x00\x00", 4) + value; }

}  // namespace

TEST_CASE("boot_integrity: lockdown, Secure Boot and module signatures enforced") {
    TempDir sys, proc;
    write_file(sys / "kernel/security/lsm", "lockdown,capability,yama,apparmor");
    write_file(sys / "kernel/security/lockdown", "none [integrity] confidentiality\n");
    write_file(sys / "firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e0c6bd5c6d8c", efi_var(1));
    write_file(sys / "module/module/parameters/sig_enforce", "Y\n");
    write_file(proc / "modules", "");
    FactSet f = collect(kBootIntegrityCollector, sys.path(), proc.path());
    REQUIRE(f.size() == 3);
    CHECK(field(kBootIntegrityCollector, f, "lockdown", "state") == "integrity");
    CHECK(field(kBootIntegrityCollector, f, "lockdown", "enforced") == "true");
    CHECK(field(kBootIntegrityCollector, f, "secure_boot", "state") == "enabled");
    CHECK(field(kBootIntegrityCollector, f, "module_signatures", "enforced") == "true");
}

TEST_CASE("boot_integrity: what is missing fails, what cannot be read is an error") {
    TempDir sys, proc;
    // securityfs mounted without the lockdown LSM; EFI with Secure Boot off; modules without enforcement.
    write_file(sys / "kernel/security/lsm", "capability,yama");
    write_file(sys / "firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e0c6bd5c6d8c", efi_var(0));
    write_file(sys / "module/module/parameters/sig_enforce", "N\n");
    write_file(proc / "modules", "ext4 1 0 - Live 0x0\n");
    FactSet f = collect(kBootIntegrityCollector, sys.path(), proc.path());
    CHECK(field(kBootIntegrityCollector, f, "lockdown", "state") == "none");
    CHECK(field(kBootIntegrityCollector, f, "lockdown", "enforced") == "false");
    CHECK(field(kBootIntegrityCollector, f, "secure_boot", "state") == "disabled");
    CHECK(field(kBootIntegrityCollector, f, "module_signatures", "state") == "not enforced");

    // securityfs and efivarfs not mounted, legacy BIOS elsewhere, no module support.
    TempDir sys2, proc2;
    triad::test::make_dirs(sys2 / "kernel/security");
    triad::test::make_dirs(sys2 / "firmware/efi/efivars");
    f = collect(kBootIntegrityCollector, sys2.path(), proc2.path());
    CHECK(find_object(f, "lockdown")->status == FactStatus::error);
    CHECK(find_object(f, "lockdown")->reason.find("securityfs") != std::string::npos);
    CHECK(find_object(f, "secure_boot")->status == FactStatus::error);
    CHECK(field(kBootIntegrityCollector, f, "module_signatures", "state") == "no loadable modules");
    CHECK(field(kBootIntegrityCollector, f, "module_signatures", "enforced") == "true");
    // `mechanism` picks one object, so the unreadable lockdown leaves this one alone.
    {
        TempDir r;
        auto root = Sysroot::open(r.path()).value();
        const IdentityTable ids = IdentityTable::load(root);
        auto s2 = Sysroot::open(sys2.path()).value();
        auto p2 = Sysroot::open(proc2.path()).value();
        SelectArgs one;
        one.values.emplace("mechanism", std::string("module_signatures"));
        FactSet only = kBootIntegrityCollector.collect(CollectContext{root, ids, &p2, &s2}, one);
        REQUIRE(only.size() == 1);
        CHECK(only[0].object == "module_signatures");
        CHECK(only[0].status == FactStatus::ok);
    }

    TempDir sys3;
    f = collect(kBootIntegrityCollector, sys3.path(), proc.path());
    CHECK(field(kBootIntegrityCollector, f, "secure_boot", "state") == "no EFI");
    CHECK(field(kBootIntegrityCollector, f, "secure_boot", "enforced") == "false");
    CHECK(field(kBootIntegrityCollector, f, "module_signatures", "enforced") == "false");  // modules, no sig_enforce
}

TEST_CASE("cpu_vulnerabilities: each file's state") {
    TempDir sys, proc;
    const std::string dir = sys / "devices/system/cpu/vulnerabilities";
    write_file(dir + "/meltdown", "Not affected\n");
    write_file(dir + "/spectre_v2", "Mitigation: Retpolines; IBPB: conditional; STIBP: disabled; RSB filling\n");
    write_file(dir + "/mds", "Mitigation: Clear CPU buffers; SMT vulnerable\n");
    write_file(dir + "/retbleed", "Vulnerable\n");
    FactSet f = collect(kCpuVulnerabilitiesCollector, sys.path(), proc.path());
    REQUIRE(f.size() == 4);
    const auto& e = kCpuVulnerabilitiesCollector;
    CHECK(field(e, f, "meltdown", "affected") == "false");
    CHECK(field(e, f, "spectre_v2", "mitigated") == "true");
    CHECK(field(e, f, "spectre_v2", "vulnerable") == "false");
    CHECK(field(e, f, "mds", "smt_vulnerable") == "true");
    CHECK(field(e, f, "retbleed", "vulnerable") == "true");

    TempDir old_kernel;
    f = collect(kCpuVulnerabilitiesCollector, old_kernel.path(), proc.path());
    REQUIRE(f.size() == 1);
    CHECK(f[0].status == FactStatus::not_applicable);
}

TEST_CASE("cpu_vulnerabilities on this machine agrees with cat") {
    auto r = triad::test::sh("cd /sys/devices/system/cpu/vulnerabilities 2>/dev/null && grep -H . * | sed 's/:/\\t/'");
    if (r.out.empty()) {
        MESSAGE("skipped: this kernel reports no CPU vulnerabilities");
        return;
    }
    FactSet f = collect(kCpuVulnerabilitiesCollector, "/sys", "/proc");
    std::size_t lines = 0;
    for (std::size_t pos = 0; pos < r.out.size(); ++lines) {
        const std::size_t end = r.out.find('\n', pos);
        const std::string line = r.out.substr(pos, end - pos);
        pos = end + 1;
        const std::size_t tab = line.find('\t');
        CAPTURE(line);
        CHECK(field(kCpuVulnerabilitiesCollector, f, line.substr(0, tab), "status") == line.substr(tab + 1));
    }
    CHECK(f.size() == lines);
}
