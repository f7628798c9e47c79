// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/kernel/cpu.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "scanner/config/config_file.h"
#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace {

constexpr FieldSpec kFields[] = {
    {"nx", ValueKind::boolean, "every processor enforces no-execute pages (x86 `nx` flag; always on arm64)"},
    {"processors", ValueKind::integer, "processors listed"},
    {"vendor", ValueKind::string, "vendor_id (x86) or CPU implementer"},
    {"model", ValueKind::string, "model name"},
    {"flags", ValueKind::list, "flags every processor has (x86)"},
    {"bugs", ValueKind::list, "hardware bugs the kernel knows the processors have (x86)"},
};
static_assert(std::size(kFields) == kCpuFieldCount);

std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    std::istringstream in{std::string(s)};
    for (std::string w; in >> w;) out.push_back(w);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace

CpuInfo parse_cpuinfo(std::string_view text) {
    CpuInfo info;
    std::set<std::string> bugs;
    // "key<TAB>: value" lines, one block per processor.
    for (const ConfigEntry& e : parse_config(text, ConfigSyntax{ConfigSeparator::colon, false, ""})) {
        const std::string_view key = e.key, value = e.value;
        if (key == "processor") ++info.processors;
        else if ((key == "vendor_id" || key == "CPU implementer") && info.vendor.empty()) info.vendor = value;
        else if (key == "model name" && info.model.empty()) info.model = value;
        else if (key == "CPU architecture" && value == "8") info.arm64 = true;
        else if (key == "flags") {
            auto f = words(value);
            if (!info.has_flags) info.flags = std::move(f);
            else {
                std::vector<std::string> common;
                std::set_intersection(info.flags.begin(), info.flags.end(), f.begin(), f.end(), std::back_inserter(common));
                info.flags = std::move(common);
            }
            info.has_flags = true;
        } else if (key == "bugs") {
            for (auto& b : words(value)) bugs.insert(std::move(b));
        }
    }
    info.bugs.assign(bugs.begin(), bugs.end());
    return info;
}

std::span<const FieldSpec> cpu_fields() { return kFields; }

FactSet collect_cpu(const CollectContext& ctx, const SelectArgs&) {
    if (!ctx.proc) return {Fact::not_applicable("cpu", "needs the running system (/proc/cpuinfo)")};
    auto text = ctx.proc->read_file("cpuinfo", 16 * 1024 * 1024);
    if (!text) return {Fact::error("cpu", text.error().describe())};
    CpuInfo info = parse_cpuinfo(*text);
    if (!info.has_flags && !info.arm64)
        return {Fact::not_applicable("cpu", "/proc/cpuinfo does not say whether this architecture's processors enforce NX")};
    Fact f;
    f.object = "cpu";
    f.fields.resize(kCpuFieldCount);
    const bool nx = info.arm64 || std::binary_search(info.flags.begin(), info.flags.end(), "nx");
    f.fields[kCpuNx] = Value{nx};
    f.fields[kCpuProcessors] = Value{std::int64_t{info.processors}};
    if (!info.vendor.empty()) f.fields[kCpuVendor] = Value{info.vendor};
    if (!info.model.empty()) f.fields[kCpuModel] = Value{info.model};
    f.fields[kCpuFlags] = Value{StringList(info.flags)};
    f.fields[kCpuBugs] = Value{StringList(info.bugs)};
    return {f};
}

const CollectorEntry kCpuCollector{
    "cpu", Scope::host, kFields, {}, collect_cpu,
    "processor features from /proc/cpuinfo (NX)\n"
    "\n"
    "One object, `cpu`: the flags every processor lists and the bugs any processor lists, "
    "above all whether the processors enforce no-execute pages (`nx`), which firmware can "
    "hide. On arm64 NX is part of the architecture; on an architecture whose "
    "/proc/cpuinfo does not say, the object is not_applicable.",
};

namespace {

constexpr FieldSpec kVulnFields[] = {
    {"name", ValueKind::string, "the vulnerability as the kernel names it (spectre_v2, mds, l1tf, ...)"},
    {"status", ValueKind::string, "the kernel's line: \"Not affected\", \"Mitigation: ...\" or \"Vulnerable...\""},
    {"vulnerable", ValueKind::boolean, "the status starts with Vulnerable: the processor is exposed and no mitigation is active"},
    {"mitigated", ValueKind::boolean, "the status starts with Mitigation"},
    {"affected", ValueKind::boolean, "the processor has the flaw (status other than Not affected)"},
    {"smt_vulnerable", ValueKind::boolean, "the status says SMT vulnerable: mitigated, but not across sibling threads"},
};
static_assert(std::size(kVulnFields) == kVulnFieldCount);

constexpr std::size_t kMaxVulnerabilities = 256;

FactSet collect_cpu_vulnerabilities(const CollectContext& ctx, const SelectArgs&) {
    const std::string object = "cpu_vulnerabilities";
    if (!ctx.sys) return {Fact::not_applicable(object, "needs the running system (/sys); not available for an offline root")};
    auto files = expand_path_glob(*ctx.sys, "/devices/system/cpu/vulnerabilities/*");
    if (!files) return {Fact::error(object, "/sys/devices/system/cpu/vulnerabilities: " + files.error().message)};
    if (files->empty())
        return {Fact::not_applicable(object, "this kernel reports no processor vulnerabilities (no /sys/devices/system/cpu/vulnerabilities; before Linux 4.15)")};
    FactSet out;
    for (const std::string& path : *files) {
        if (ctx.cancelled() || out.size() == kMaxVulnerabilities) break;
        const std::string name = path.substr(path.rfind('/') + 1);
        auto text = ctx.sys->read_file(path, 4096);
        if (!text) {
            out.push_back(Fact::error(name, "/sys" + path + ": " + text.error().message));
            continue;
        }
        std::string status = *text;
        while (!status.empty() && (status.back() == '\n' || status.back() == ' ')) status.pop_back();
        Fact f;
        f.object = name;
        f.fields.resize(kVulnFieldCount);
        f.fields[kVulnName] = Value{name};
        f.fields[kVulnStatus] = Value{status};
        f.fields[kVulnVulnerable] = Value{status.starts_with("Vulnerable")};
        f.fields[kVulnMitigated] = Value{status.starts_with("Mitigation")};
        f.fields[kVulnAffected] = Value{!status.starts_with("Not affected")};
        f.fields[kVulnSmtVulnerable] = Value{status.find("SMT vulnerable") != std::string::npos};
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

const CollectorEntry kCpuVulnerabilitiesCollector{
    "cpu_vulnerabilities", Scope::host, kVulnFields, {}, collect_cpu_vulnerabilities,
    "the kernel's state of each processor vulnerability (/sys/devices/system/cpu/vulnerabilities)\n"
    "\n"
    "One object per file, named like it (spectre_v2, mds, retbleed, ...), with the line the "
    "kernel prints: `Not affected`, `Mitigation: HOW` or `Vulnerable...`. `cpu` reads the "
    "bugs /proc/cpuinfo lists; this collector says whether each is mitigated. A kernel "
    "without the directory (before 4.15) is not_applicable.",
};

}  // namespace triad::scanner
