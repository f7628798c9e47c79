// SPDX-License-Identifier: Apache-2.0
// The `scheduler_access` collector: who may schedule jobs with cron's crontab and with at,
// from the audited root's /etc/cron.allow, /etc/cron.deny, /etc/at.allow and /etc/at.deny,
// judged as Debian's cron and at judge them. One fact per scheduler. Root scope.
#pragma once

#include "scanner/core/collector.h"

namespace triad::scanner {

extern const CollectorEntry kSchedulerAccessCollector;

}  // namespace triad::scanner
