// SPDX-License-Identifier: Apache-2.0
// What the user handed a scan besides the root and the live-state trees, for the collectors
// that read it: the offline CVE feed (--cve-feed) and triad's own history of pending updates
// (triadd's store, or `triad scan --history`). rules::run_scan stores them in the scan's
// ScanMemo before any collector runs, and collectors only read them, so the collector
// interface stays as it is for the few collectors that need them. A memo kept across scans
// (triadd's) serves one scan at a time, each setting its own inputs first.
//
// ScanOutputs goes the other way: what a collector observed that the caller may keep (the
// pending updates triadd records in its store). run_scan empties it before each scan.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "scanner/core/scan_memo.h"

namespace triad::scanner {

// One package the store has seen pending on this host, continuously since first_seen.
struct PendingRecord {
    std::string package, architecture;  // as the packages collector names them (libc6:i386, amd64)
    std::string installed;              // the installed version it was pending over
    std::string candidate;              // the candidate when it was first seen pending
    std::int64_t first_seen = 0;        // Unix time: start of the first scan that saw it pending
    // Start of the host's previous recorded scan, in which the package was not pending: the
    // update became pending after it. Empty when the package was already pending in the first
    // scan the store recorded for the host (pending since before tracking began: age unknown).
    std::optional<std::int64_t> not_pending_at;
};

// A host's history of pending updates, as the store holds it.
struct PendingHistory {
    std::string store;                  // the store URL, password redacted: named in reasons
    std::string host;                   // the host id the rows belong to
    std::string unreadable;             // why the store could not be read (then nothing else is set)
    std::optional<std::int64_t> tracking_began;  // first scan that recorded the pending set; empty: never
    std::optional<std::int64_t> last_recorded;   // the newest scan that recorded it; empty: never
    std::vector<PendingRecord> pending;
};

struct ScanInputs {
    std::string cve_feed;  // --cve-feed FILE, a path on the host (not inside the audited root); empty: none
    std::int64_t started_at = 0;  // the scan's start, Unix time (ScanResult::started_at)
    std::optional<PendingHistory> pending_history;  // empty: no store given (no triadd, no --history)
};

// The inputs of the scan `memo` belongs to; none without a memo.
inline ScanInputs scan_inputs(ScanMemo* memo) { return memo ? memo->get<ScanInputs>() : ScanInputs{}; }

// A package the packages collector saw pending (upgradable) in this scan.
struct PendingObservation {
    std::string package, architecture, installed, candidate;
    bool operator==(const PendingObservation&) const = default;
};

// What this scan's collectors observed for the caller to keep. Collectors of one scan run in
// parallel, hence the lock.
class ScanOutputs {
public:
    // The whole set of pending packages, from a complete reading of the package state.
    // Several selects of the packages collector in one scan record the same set.
    void set_pending(std::vector<PendingObservation> pending) {
        std::lock_guard lock(mutex_);
        pending_ = std::move(pending);
    }
    // Empty when no complete reading was made (the packages collector did not run, or apt's
    // state could not be read): then nothing is known about what stopped being pending.
    std::optional<std::vector<PendingObservation>> pending() const {
        std::lock_guard lock(mutex_);
        return pending_;
    }
    void clear() {
        std::lock_guard lock(mutex_);
        pending_.reset();
    }

private:
    mutable std::mutex mutex_;
    std::optional<std::vector<PendingObservation>> pending_;
};

}  // namespace triad::scanner
