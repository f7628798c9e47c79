// SPDX-License-Identifier: Apache-2.0
// The `services` collector: each systemd service and socket unit of the audited root, read
// from its unit files without systemd (fragment, drop-ins, masks, aliases, .wants and
// .requires links), with the exposure score `systemd-analyze security` gives a service and
// the sandboxing settings behind it. One fact per unit. Root scope.
#pragma once

#include "scanner/core/collector.h"

namespace triad::scanner {

extern const CollectorEntry kServicesCollector;

}  // namespace triad::scanner
