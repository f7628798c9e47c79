// SPDX-License-Identifier: Apache-2.0
// The `audit_config` collector: how the audited root configures its audit trail — the
// audit daemon's /etc/audit/auditd.conf (what happens when the log fills or the disk does),
// the control lines of its rules files (-e, -f, -b), and whether auditd is installed and
// enabled at boot. One fact. Root scope; needs no library.
#pragma once

#include "scanner/core/collector.h"

namespace triad::scanner {

extern const CollectorEntry kAuditConfigCollector;

}  // namespace triad::scanner
