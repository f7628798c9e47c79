// SPDX-License-Identifier: Apache-2.0
// The `sysctl` collector: a kernel parameter's live value (from the proc tree's /proc/sys)
// or its configured value (what systemd-sysctl applies at boot from the root's sysctl.d
// files and /etc/sysctl.conf), or both compared (`drift`), chosen by `source`. Configured
// works on an offline root; live and drift need the running system. A parameter the kernel
// does not have is not_applicable.
#pragma once

#include <span>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum SysctlField : std::size_t {
    kSysctlKey, kSysctlSource, kSysctlValue, kSysctlSet, kSysctlFile, kSysctlLine, kSysctlDefaulted,
    kSysctlConfigured, kSysctlDrift, kSysctlFieldCount
};

std::span<const FieldSpec> sysctl_fields();

FactSet collect_sysctl(const CollectContext& ctx, const SelectArgs& args);

extern const CollectorEntry kSysctlCollector;

}  // namespace triad::scanner
