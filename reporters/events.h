// SPDX-License-Identifier: Apache-2.0
// The JSON form of the scan events (rules/model/events.h): one line each, as
// `--format events` prints them and the daemon forwards them to its subscribers.
// docs/events.md describes each event.
#pragma once

#include <string>

#include "rules/model/events.h"
#include "rules/model/result.h"

namespace triad::report {

using rules::EventSink;

// One line of newline-delimited JSON per event:
// {"event":"scan_started",...}, {"event":"finding","result":{...}}, {"event":"scan_finished",...}.
std::string event_scan_started_json(const rules::ScanResult& header, std::size_t check_count);
std::string event_finding_json(const rules::CheckResult& result);
std::string event_scan_finished_json(const rules::ScanResult& result);

}  // namespace triad::report
