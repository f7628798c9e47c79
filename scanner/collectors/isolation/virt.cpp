// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/isolation/virt.h"

#include <sys/statfs.h>
#include <linux/magic.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <algorithm>
#include <cstring>
#include <set>

#include "scanner/collectors/kernel/cpu.h"
#include "scanner/proc/proc_isolation.h"

namespace triad::scanner {
namespace {

constexpr FieldSpec kFields[] = {
    {"hypervisor", ValueKind::string, "kvm, xen, vmware, microsoft, qemu, virtualbox, ...; \"unknown\" when only the CPU flag says one is there; \"none\""},
    {"hypervisor_evidence", ValueKind::list, "what says so: \"cpuid KVMKVMKVM\", \"cpu flag hypervisor\", \"/sys/hypervisor/type xen\", \"dmi sys_vendor QEMU\""},
    {"cpuid_vendor", ValueKind::string, "the CPUID hypervisor leaf's signature (x86, live /proc only)"},
    {"hypervisor_flag", ValueKind::boolean, "/proc/cpuinfo lists the `hypervisor` flag (x86)"},
    {"container", ValueKind::string, "the container engine this process runs under, \"unknown\" when the namespaces say it is isolated but nothing names the engine, or \"none\""},
    {"container_evidence", ValueKind::list, "the namespaces it does not share with the host and the cgroup path that names a container"},
    {"initial_namespaces", ValueKind::boolean, "this process is in the kernel's initial pid, mount, user and cgroup namespaces"},
    {"own_namespaces", ValueKind::list, "namespace types in which it is not in the initial namespace"},
    {"cgroup", ValueKind::string, "its cgroup path (/proc/self/cgroup)"},
    {"markers", ValueKind::list, "container markers present: /.dockerenv, /run/.containerenv, /run/systemd/container (with its content)"},
    {"contradicting_markers", ValueKind::list, "markers that claim a container which the namespaces and cgroup contradict"},
};
static_assert(std::size(kFields) == kVirtFieldCount);

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\0')) s.pop_back();
    return s;
}

// The CPUID hypervisor leaf describes the CPU this scanner runs on, so it is read only when
// the proc tree is the live kernel's (a procfs), never for a fixture tree.
bool live_procfs(const Sysroot& proc) {
    struct statfs st {};
    return ::fstatfs(proc.fd(), &st) == 0 && st.f_type == PROC_SUPER_MAGIC;
}

std::string cpuid_signature() {
#if defined(__x86_64__) || defined(__i386__)
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31))) return {};  // ECX bit 31: a hypervisor is present
    __cpuid(0x40000000, a, b, c, d);
    char sig[13] = {};
    std::memcpy(sig, &b, 4);
    std::memcpy(sig + 4, &c, 4);
    std::memcpy(sig + 8, &d, 4);
    return trimmed(sig);
#else
    return {};
#endif
}

}  // namespace

std::string hypervisor_from_cpuid(std::string_view sig) {
    static const std::pair<std::string_view, const char*> kSignatures[] = {
        {"KVMKVMKVM", "kvm"},     {"Microsoft Hv", "microsoft"}, {"VMwareVMware", "vmware"}, {"XenVMMXenVMM", "xen"},
        {"TCGTCGTCGTCG", "qemu"}, {"ACRNACRNACRN", "acrn"},      {"bhyve bhyve", "bhyve"},   {"VBoxVBoxVBox", "virtualbox"},
        {" lrpepyh  vr", "parallels"}, {"QNXQVMBSQG", "qnx"},   {"Linux KVM Hv", "kvm"},
    };
    for (const auto& [s, name] : kSignatures)
        if (sig.starts_with(s)) return name;
    return sig.empty() ? std::string() : "unknown";
}

std::string hypervisor_from_dmi(std::string_view vendor, std::string_view product) {
    static const std::pair<std::string_view, const char*> kVendors[] = {
        {"QEMU", "qemu"}, {"VMware", "vmware"}, {"innotek GmbH", "virtualbox"}, {"Xen", "xen"}, {"Amazon EC2", "amazon"},
        {"Google", "google"}, {"Parallels", "parallels"}, {"Bochs", "bochs"}, {"Red Hat", "kvm"}, {"Apple Virtualization", "apple"},
    };
    for (const auto& [v, name] : kVendors)
        if (vendor.starts_with(v) || product.starts_with(v)) return name;
    if (vendor.starts_with("Microsoft Corporation") && product.starts_with("Virtual Machine")) return "microsoft";
    if (product.starts_with("KVM") || product.starts_with("VirtualBox")) return product.starts_with("KVM") ? "kvm" : "virtualbox";
    return {};
}

namespace {

FactSet collect_virt(const CollectContext& ctx, const SelectArgs&) {
    if (!ctx.proc) return {Fact::not_applicable("virt", "needs the running system (/proc)")};
    Fact f;
    f.object = "virt";
    f.fields.resize(kVirtFieldCount);

    // --- the hypervisor
    StringList hv_evidence;
    std::string hypervisor;
    if (live_procfs(*ctx.proc)) {
        const std::string sig = cpuid_signature();
        if (!sig.empty()) {
            f.fields[kVirtCpuidVendor] = Value{sig};
            hv_evidence.push_back("cpuid " + sig);
            hypervisor = hypervisor_from_cpuid(sig);
        }
    }
    if (auto cpuinfo = ctx.proc->read_file("cpuinfo", 16 * 1024 * 1024)) {
        const CpuInfo info = parse_cpuinfo(*cpuinfo);
        if (info.has_flags) {
            const bool flag = std::binary_search(info.flags.begin(), info.flags.end(), "hypervisor");
            f.fields[kVirtCpuFlag] = Value{flag};
            if (flag) hv_evidence.push_back("cpu flag hypervisor");
            if (flag && hypervisor.empty()) hypervisor = "unknown";
        }
    }
    if (ctx.sys) {
        if (auto type = ctx.sys->read_file("hypervisor/type", 256)) {
            const std::string t = trimmed(*type);
            if (!t.empty()) {
                hv_evidence.push_back("/sys/hypervisor/type " + t);
                if (hypervisor.empty() || hypervisor == "unknown") hypervisor = t;
            }
        }
        auto vendor = ctx.sys->read_file("class/dmi/id/sys_vendor", 256);
        auto product = ctx.sys->read_file("class/dmi/id/product_name", 256);
        const std::string v = vendor ? trimmed(*vendor) : "", p = product ? trimmed(*product) : "";
        if (const std::string dmi = hypervisor_from_dmi(v, p); !dmi.empty()) {
            hv_evidence.push_back("dmi " + (v.empty() ? "product_name " + p : "sys_vendor " + v));
            if (hypervisor.empty() || hypervisor == "unknown") hypervisor = dmi;
        }
    }
    f.fields[kVirtHypervisor] = Value{hypervisor.empty() ? std::string("none") : hypervisor};
    f.fields[kVirtHypervisorEvidence] = Value{hv_evidence};

    // --- the container layer: what the namespaces and the cgroup say
    auto self = read_process_isolation(*ctx.proc, "self");
    if (!self) return {Fact::error("virt", "cannot read this process's namespaces: " + self.error().describe())};
    if (!self->namespace_error.empty()) return {Fact::error("virt", "cannot read this process's namespaces: " + self->namespace_error)};
    const auto own = self->own_namespaces();
    auto owns = [&own](const char* t) { return std::find(own.begin(), own.end(), t) != own.end(); };
    const bool isolated = owns("pid") || owns("mnt") || owns("user") || owns("cgroup");
    const std::string cgroup = self->cgroup_path();
    const ContainerRef ref = classify_cgroup_path(cgroup);
    StringList ct_evidence;
    for (const std::string& t : own) ct_evidence.push_back("own " + t + " namespace");
    if (!ref.engine.empty()) ct_evidence.push_back("cgroup " + cgroup + " names " + ref.name());
    f.fields[kVirtInitialNamespaces] = Value{!isolated};
    f.fields[kVirtOwnNamespaces] = Value{StringList(own)};
    f.fields[kVirtCgroup] = Value{cgroup};

    // --- markers, each with the engine it claims
    std::vector<std::pair<std::string, std::string>> markers;  // text, claimed engine
    if (ctx.root.lstat("/.dockerenv")) markers.emplace_back("/.dockerenv", "docker");
    if (ctx.root.lstat("/run/.containerenv")) markers.emplace_back("/run/.containerenv", "podman");
    if (auto c = ctx.root.read_file("/run/systemd/container", 256)) {
        const std::string v = trimmed(*c);
        markers.emplace_back("/run/systemd/container " + v, v.empty() ? "unknown" : v);
    }
    std::string engine = ref.engine;
    if (engine.empty() && isolated) engine = markers.empty() ? "unknown" : markers.front().second;
    if (!ref.engine.empty() || isolated) f.fields[kVirtContainer] = Value{engine};
    else f.fields[kVirtContainer] = Value{std::string("none")};
    f.fields[kVirtContainerEvidence] = Value{ct_evidence};

    StringList marker_text, contradicting;
    for (const auto& [text, claimed] : markers) {
        marker_text.push_back(text);
        if (!isolated && ref.engine.empty())
            contradicting.push_back(text + " claims " + claimed + ", but this process is in the kernel's initial pid, mnt, user and cgroup "
                                    "namespaces and its cgroup " + (cgroup.empty() ? std::string("(none)") : cgroup) + " names no container");
    }
    f.fields[kVirtMarkers] = Value{marker_text};
    f.fields[kVirtContradictingMarkers] = Value{contradicting};
    return {f};
}

}  // namespace

const CollectorEntry kVirtCollector{
    "virt", Scope::host, kFields, {}, collect_virt,
    "the hypervisor and the container this system runs in, each with its evidence\n"
    "\n"
    "One object, \"virt\". The hypervisor from the CPUID hypervisor leaf (read only when "
    "--proc is the live procfs), /sys/hypervisor/type, the DMI vendor and product, and the "
    "`hypervisor` CPU flag. The container layer from this process's namespaces compared with "
    "the kernel's initial ones and from its cgroup path; engine markers (/.dockerenv, "
    "/run/.containerenv, /run/systemd/container) are listed, and a marker the namespaces "
    "and cgroup contradict is reported in `contradicting_markers`: a marker alone does not "
    "make a container.",
};

}  // namespace triad::scanner
