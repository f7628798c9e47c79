// SPDX-License-Identifier: Apache-2.0
// The event stream of a scan, defined once for every consumer: `scan_started`, one
// `finding` per check, `scan_finished` with counts and scores. run_scan (rules/scan.h)
// produces it; the console's progress line, `--format events` and the daemon's
// subscribers consume it. docs/events.md describes each event and its JSON form
// (reporters/events.h renders them).
#pragma once

#include <cstddef>

#include "rules/model/result.h"

namespace triad::rules {

class EventSink {
public:
    virtual ~EventSink() = default;
    // `header` has tool, target, started_at and policies; no results yet.
    virtual void scan_started(const ScanResult& header, std::size_t check_count) = 0;
    virtual void finding(const CheckResult& result) = 0;
    virtual void scan_finished(const ScanResult& result) = 0;
};

}  // namespace triad::rules
