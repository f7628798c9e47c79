// SPDX-License-Identifier: Apache-2.0
// run_scan: one audit from loaded policies to a scored result — the sequence the CLI's
// `triad scan` and the daemon's scheduler share: open the audited root and its live-state
// trees, pick the checks, run them, apply waivers, count and score, and report every step
// as an event.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/cancel.h"
#include "base/executor.h"
#include "base/result.h"
#include "rules/model/events.h"
#include "rules/model/policy.h"
#include "rules/model/result.h"
#include "rules/score/waivers.h"
#include "scanner/core/scan_inputs.h"
#include "scanner/core/scan_memo.h"

namespace triad::rules {

struct ScanRequest {
    std::span<const Policy> policies;
    std::vector<std::string> only, skip;  // check ids, id globs or tags (engine.h select_checks)
    std::string root = "/";               // the audited root
    // Live kernel state. Absent: /proc and /sys when auditing the running system ("/"),
    // none for an offline root, so its host-scope checks are not_applicable.
    std::optional<std::string> proc, sys;
    // --cve-feed: a Debian Security Tracker JSON export on the host; empty: none (the cve
    // collector is then not_applicable). Handed to collectors through the memo (scan_inputs.h).
    std::string cve_feed;
    // triad's history of this host's pending updates (triadd's store; `triad scan --history`),
    // for the age of each pending update; empty: none given. Handed over like cve_feed.
    std::optional<scanner::PendingHistory> pending_history;
    std::vector<Waiver> waivers;
    Requirements requirements;
    std::string tool_version;
    int jobs = 0;                        // threads in all (0: one per core), unless `executor` is given
    Executor* executor = nullptr;        // a pool the caller keeps (the daemon); null: one for this scan
    scanner::ScanMemo* memo = nullptr;   // readers' memory across scans; null: this scan only
    // Called from walk threads every few thousand entries: for a progress line.
    std::function<void(std::uint64_t entries)> on_walk_progress;
};

// Errors: ErrorCode::usage when --only/--skip name nothing (the message names the term);
// the root or a live-state tree cannot be opened (its code and path); ErrorCode::cancelled
// when `cancel` was set before the scan finished — no result then, so that no partial
// result is ever taken for a complete one. Sinks receive scan_started, one finding per
// check (after waivers) and scan_finished, on the calling thread.
Result<ScanResult> run_scan(const ScanRequest& request, std::span<EventSink* const> sinks, const CancelToken& cancel);

}  // namespace triad::rules
