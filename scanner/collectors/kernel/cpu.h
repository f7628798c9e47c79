// SPDX-License-Identifier: Apache-2.0
// The `cpu` collector: what /proc/cpuinfo of the proc tree says about the processors —
// above all whether they enforce no-execute pages (the `nx` flag; firmware can hide it).
// Host scope: one fact, "cpu". The same file holds `cpu_vulnerabilities`, the kernel's
// verdict on each known processor vulnerability.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum CpuField : std::size_t { kCpuNx, kCpuProcessors, kCpuVendor, kCpuModel, kCpuFlags, kCpuBugs, kCpuFieldCount };

struct CpuInfo {
    int processors = 0;
    std::string vendor, model;
    std::vector<std::string> flags;  // the flags every processor lists, sorted
    std::vector<std::string> bugs;   // the bugs any processor lists, sorted
    bool has_flags = false;          // x86 prints "flags"; other architectures do not
    bool arm64 = false;              // "CPU architecture: 8": NX (XN) is part of the architecture
};

CpuInfo parse_cpuinfo(std::string_view text);

std::span<const FieldSpec> cpu_fields();
FactSet collect_cpu(const CollectContext& ctx, const SelectArgs& args);

extern const CollectorEntry kCpuCollector;

// The `cpu_vulnerabilities` collector: what the running kernel says of each processor
// vulnerability it knows (/sys/devices/system/cpu/vulnerabilities/NAME): not affected,
// mitigated (and how) or vulnerable. Host scope: one fact per file.
enum CpuVulnerabilityField : std::size_t {
    kVulnName, kVulnStatus, kVulnVulnerable, kVulnMitigated, kVulnAffected, kVulnSmtVulnerable, kVulnFieldCount
};

extern const CollectorEntry kCpuVulnerabilitiesCollector;

}  // namespace triad::scanner
