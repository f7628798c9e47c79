// SPDX-License-Identifier: Apache-2.0
// The event stream of a scan, defined once for every consumer: `scan_started`, one
// `finding` per check as soon as it is decided, `scan_finished` with counts and scores.
// The console prints from it as findings arrive, the JSON reporter gathers it, and the
// daemon forwards the same events (as event_json lines) to its subscribers.
// docs/events.md describes each event and its JSON form.
#pragma once

#include <string>

#include "rules/model/result.h"

namespace triad::report {

class EventSink {
public:
    virtual ~EventSink() = default;
    // `header` has tool, target, started_at and policies; no results yet.
    virtual void scan_started(const rules::ScanResult& header, std::size_t check_count) = 0;
    virtual void finding(const rules::CheckResult& result) = 0;
    virtual void scan_finished(const rules::ScanResult& result) = 0;
};

// One line of newline-delimited JSON per event:
// {"event":"scan_started",...}, {"event":"finding","result":{...}}, {"event":"scan_finished",...}.
std::string event_scan_started_json(const rules::ScanResult& header, std::size_t check_count);
std::string event_finding_json(const rules::CheckResult& result);
std::string event_scan_finished_json(const rules::ScanResult& result);

}  // namespace triad::report
