// SPDX-License-Identifier: Apache-2.0
// What a subscriber asks to receive (docs/events.md, "Filters"): sets of severities,
// pillars, tags and verdicts. A filter applies to `finding` and `drift` events only;
// scan_started, scan_finished, lost and the daemon's notices always pass, so a filtered
// subscriber still sees where each scan begins and ends and what it missed.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rules/model/policy.h"

namespace triad::daemon {

// What the filter looks at, taken from the check result behind a finding or drift event.
struct EventFacts {
    rules::Severity severity = rules::Severity::medium;
    rules::CiaImpact impact;
    const std::vector<std::string>* tags = nullptr;
    rules::Verdict verdict = rules::Verdict::pass;
    std::optional<rules::Verdict> old_verdict;  // drift: the verdict before the change
};

struct EventFilter {
    // Empty set: that attribute is not filtered. Within a set any value matches; every
    // non-empty set must match.
    std::set<rules::Severity> severities;
    std::set<rules::Pillar> pillars;  // the check's impact on it is not none
    std::set<std::string> tags;       // the check carries at least one of them
    std::set<rules::Verdict> verdicts;  // drift: its old or its new verdict

    bool empty() const { return severities.empty() && pillars.empty() && tags.empty() && verdicts.empty(); }
    // Events without facts (scan_started, scan_finished, lost, notices) always match.
    bool matches(const EventFacts* facts) const;
    // The canonical JSON object, as acknowledged in the `subscribed` event.
    std::string json() const;
};

// The first line a socket subscriber sends: {"filter":{"severity":[...],"pillar":[...],
// "tag":[...],"verdict":[...]}}. nullopt with `error` set for anything else (not JSON, an
// unknown key, an unknown value).
std::optional<EventFilter> parse_filter_line(const std::string& line, std::string& error);

// Adds one comma-separated list of values, as the SSE query (`severity=high,critical`) and
// `triad watch --severity high,critical` give it. `key` is severity, pillar, tag or verdict.
bool add_filter_values(EventFilter& filter, const std::string& key, const std::string& values, std::string& error);

// The filter in a request target's query (`/events?severity=high,critical&verdict=fail`);
// a repeated key adds its values. nullopt with `error` for an unknown key or value.
std::optional<EventFilter> filter_from_query(const std::string& target, std::string& error);

}  // namespace triad::daemon
