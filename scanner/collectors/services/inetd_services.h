// SPDX-License-Identifier: Apache-2.0
// The `inetd_services` collector: the services an inetd (/etc/inetd.conf) or xinetd
// (/etc/xinetd.conf and the files it includes) configuration offers, and whether each is
// enabled there. One fact per service entry. Root scope.
#pragma once

#include "scanner/core/collector.h"

namespace triad::scanner {

extern const CollectorEntry kInetdServicesCollector;

}  // namespace triad::scanner
