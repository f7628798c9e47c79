// SPDX-License-Identifier: Apache-2.0
// What the user handed a scan besides the root and the live-state trees, for the collectors
// that read it: today the offline CVE feed (--cve-feed). rules::run_scan stores it in the
// scan's ScanMemo before any collector runs, and collectors only read it, so the collector
// interface stays as it is for the one collector that needs it. A memo kept across scans
// (triadd's) serves one scan at a time, each setting its own inputs first.
#pragma once

#include <string>

#include "scanner/core/scan_memo.h"

namespace triad::scanner {

struct ScanInputs {
    std::string cve_feed;  // --cve-feed FILE, a path on the host (not inside the audited root); empty: none
};

// The inputs of the scan `memo` belongs to; none without a memo.
inline ScanInputs scan_inputs(ScanMemo* memo) { return memo ? memo->get<ScanInputs>() : ScanInputs{}; }

}  // namespace triad::scanner
