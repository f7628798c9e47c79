// SPDX-License-Identifier: Apache-2.0
// Event sinks the CLI uses: progress on a terminal, and newline-delimited JSON events.
#pragma once

#include <cstdio>
#include <ostream>

#include "reporters/events.h"
#include "reporters/reporter.h"

namespace triad::report {

// One updating line on a terminal (stderr) while checks are decided and the walk runs.
class ProgressSink final : public EventSink {
public:
    explicit ProgressSink(std::FILE* terminal) : out_(terminal) {}
    void scan_started(const rules::ScanResult& header, std::size_t check_count) override;
    void finding(const rules::CheckResult& result) override;
    void scan_finished(const rules::ScanResult& result) override;
    void walked(std::uint64_t entries);  // called from a walk thread

private:
    std::FILE* out_;
    std::size_t total_ = 0;
    std::size_t done_ = 0;
};

// Writes each event as one JSON line as it happens (`triad scan --format events`).
class JsonLinesSink final : public EventSink {
public:
    explicit JsonLinesSink(std::ostream& out) : out_(out) {}
    void scan_started(const rules::ScanResult& header, std::size_t check_count) override;
    void finding(const rules::CheckResult& result) override;
    void scan_finished(const rules::ScanResult& result) override;

private:
    std::ostream& out_;
};

// One finding as the console report shows a check (`triad watch`): a failure or error with
// its pillars, reason, evidence and fix; any other verdict on one line.
std::string render_console_finding(const rules::CheckResult& result, const RenderOptions& options);

}  // namespace triad::report
