// SPDX-License-Identifier: Apache-2.0
// One stored scan as JSON, the same object for `triad history --format json` and the
// daemon's GET /v1/scans, so the two can never drift apart.
#pragma once

#include <Poco/JSON/Object.h>

#include "store/scan_store.h"

namespace triad::store {

// {"id", "host", "started_at", "duration_ms", "scores": {confidentiality, integrity,
// availability, overall (null when not scored)}, "counts": {...}, "policies"}, keys in that order.
Poco::JSON::Object scan_row_json(const ScanRow& row);

}  // namespace triad::store
