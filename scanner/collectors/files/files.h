// SPDX-License-Identifier: Apache-2.0
// The `files` collector: every object under the walked directories, from the one shared
// parallel walk of the audited root (scanner/walk/), with the fields of a walk entry
// (scanner/walk/file_entry.h). A walk collector: it has no collect function, only the part
// of the walk its select wants. Root scope.
#pragma once

#include "scanner/core/collector.h"

namespace triad::scanner {

extern const CollectorEntry kFilesCollector;

}  // namespace triad::scanner
