// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/kernel/cpu.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "scanner/config/config_file.h"

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

}  // namespace triad::scanner
