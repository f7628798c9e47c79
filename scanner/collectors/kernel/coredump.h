// SPDX-License-Identifier: Apache-2.0
// The `coredump` collector: what limits core dumps in the audited root — the `* hard core`
// limit of /etc/security/limits.conf and limits.d (pam_limits) and systemd-coredump's
// Storage= and ProcessSizeMax= (coredump.conf and its drop-ins). One fact, "coredump". Root scope.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum CoredumpField : std::size_t {
    kCoreLimitSet, kCoreHardLimit, kCoreLimitFile, kCoreLimitLine, kCoreSystemdCoredump, kCoreStorage, kCoreStorageFile,
    kCoreProcessSizeMax, kCoreProcessSizeMaxFile, kCoreFieldCount
};

struct CoreLimit {
    std::string value;
    int line = 0;
};

// The last line of a limits.conf-style file that sets the hard core limit for every user:
// domain '*', type hard or '-', item core.
std::optional<CoreLimit> wildcard_hard_core(std::string_view text);

extern const CollectorEntry kCoredumpCollector;

}  // namespace triad::scanner
