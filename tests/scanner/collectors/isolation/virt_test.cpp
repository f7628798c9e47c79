// SPDX-License-Identifier: Apache-2.0
// The `virt` collector: fixture proc/sys trees for a Xen guest and a process inside a
// docker container, a marker that the namespaces contradict, and the live machine
// cross-checked with systemd-detect-virt (whose container answer rests on /.dockerenv
// alone, and is wrong here: see docs/isolation.md).
#include "scanner/collectors/isolation/virt.h"

#include <doctest/doctest.h>

#include "tests/scanner/collectors/isolation/isolation_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

std::string field(const Fact& f, const char* name) { return triad::test::field_text(f, kVirtCollector.fields, name); }

Fact collect(const std::string& root_dir, const std::string& proc_dir, const std::string& sys_dir) {
    auto root = Sysroot::open(root_dir).value();
    auto proc = Sysroot::open(proc_dir).value();
    auto sys = Sysroot::open(sys_dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    CollectContext ctx{root, ids, &proc, &sys};
    FactSet facts = kVirtCollector.collect(ctx, SelectArgs{});
    REQUIRE(facts.size() == 1);
    return facts[0];
}

}  // namespace

TEST_CASE("virt: a marker the namespaces contradict is reported as such") {
    TempDir root, sys;
    triad::test::IsolationProc proc;
    proc.add({.pid = 42, .name = "triad", .cgroup = "4:memory:/process_api/abc\n0::/\n"});
    proc.self(42);
    proc.write("cpuinfo", "processor\t: 0\nflags\t\t: fpu nx hypervisor\n");
    write_file(root / ".dockerenv", "");
    write_file(sys / "hypervisor/type", "xen\n");
    const Fact f = collect(root.path(), proc.path(), sys.path());
    CHECK(field(f, "hypervisor") == "xen");  // a fixture tree: no CPUID, the sysfs answer
    CHECK(field(f, "hypervisor_evidence") == "cpu flag hypervisor, /sys/hypervisor/type xen");
    CHECK(field(f, "cpuid_vendor") == "(absent)");
    CHECK(field(f, "container") == "none");
    CHECK(field(f, "initial_namespaces") == "true");
    CHECK(field(f, "cgroup") == "/process_api/abc");
    CHECK(field(f, "markers") == "/.dockerenv");
    CHECK(field(f, "contradicting_markers").find("/.dockerenv claims docker, but this process is in the kernel's initial") == 0);
}

TEST_CASE("virt: inside a docker container on a QEMU guest") {
    TempDir root, sys;
    triad::test::IsolationProc proc;
    const std::string id(64, 'c');
    proc.add({.pid = 7, .name = "triad", .ns = {{"pid", 4026532200}, {"mnt", 4026532201}, {"cgroup", 4026532202}},
              .cgroup = "0::/system.slice/docker-" + id + ".scope\n"});
    proc.self(7);
    write_file(root / ".dockerenv", "");
    write_file(sys / "class/dmi/id/sys_vendor", "QEMU\n");
    write_file(sys / "class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n");
    const Fact f = collect(root.path(), proc.path(), sys.path());
    CHECK(field(f, "hypervisor") == "qemu");
    CHECK(field(f, "container") == "docker");
    CHECK(field(f, "initial_namespaces") == "false");
    CHECK(field(f, "own_namespaces") == "cgroup, mnt, pid");
    CHECK(field(f, "contradicting_markers") == "");
    CHECK(field(f, "container_evidence").find("names docker cccccccccccc") != std::string::npos);
}

TEST_CASE("virt: CPUID signatures and DMI strings name their hypervisor") {
    CHECK(hypervisor_from_cpuid("KVMKVMKVM") == "kvm");
    CHECK(hypervisor_from_cpuid("Microsoft Hv") == "microsoft");
    CHECK(hypervisor_from_cpuid("VMwareVMware") == "vmware");
    CHECK(hypervisor_from_cpuid("SomethingNew") == "unknown");
    CHECK(hypervisor_from_dmi("Microsoft Corporation", "Virtual Machine") == "microsoft");
    CHECK(hypervisor_from_dmi("Dell Inc.", "PowerEdge R640").empty());
}

TEST_CASE("virt: this machine, cross-checked with systemd-detect-virt") {
    if (triad::test::sh("command -v systemd-detect-virt >/dev/null").exit_code != 0) {
        MESSAGE("systemd-detect-virt is not installed");
        return;
    }
    const Fact f = collect("/", "/proc", "/sys");
    REQUIRE(f.status == FactStatus::ok);
    // The VM layer: both read CPUID, so both name the same hypervisor.
    auto vm = triad::test::sh("systemd-detect-virt --vm");
    std::string want = vm.out.substr(0, vm.out.find('\n'));
    if (want == "none" && field(f, "hypervisor") == "none") want = "none";
    CHECK(field(f, "hypervisor") == want);
    // The container layer: systemd-detect-virt believes /.dockerenv; triad believes the
    // namespaces. Where they disagree, triad names the marker it did not believe.
    auto ct = triad::test::sh("systemd-detect-virt --container");
    const std::string theirs = ct.out.substr(0, ct.out.find('\n'));
    if (theirs != "none" && field(f, "container") == "none") {
        CHECK(field(f, "initial_namespaces") == "true");
        CHECK(field(f, "contradicting_markers") != "");
        MESSAGE("systemd-detect-virt says " << theirs << "; the namespaces say none: " << field(f, "contradicting_markers"));
    } else {
        CHECK(field(f, "container") == theirs);
    }
}
