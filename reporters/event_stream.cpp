// SPDX-License-Identifier: Apache-2.0
#include "reporters/event_stream.h"

#include "reporters/text_escape.h"

namespace triad::report {

void ProgressSink::scan_started(const rules::ScanResult&, std::size_t check_count) { total_ = check_count; }

void ProgressSink::finding(const rules::CheckResult& r) {
    ++done_;
    // The id comes from a policy: shown inert like every other policy text.
    std::fprintf(out_, "\r\x1b[K[%zu/%zu] %s %s", done_, total_, terminal_safe(r.check.id).c_str(),
                 std::string(to_string(r.verdict)).c_str());
    std::fflush(out_);
}

void ProgressSink::walked(std::uint64_t entries) {
    std::fprintf(out_, "\r\x1b[K[%zu/%zu] walking the file system: %llu entries", done_, total_,
                 static_cast<unsigned long long>(entries));
    std::fflush(out_);
}

void ProgressSink::scan_finished(const rules::ScanResult&) {
    std::fprintf(out_, "\r\x1b[K");
    std::fflush(out_);
}

void JsonLinesSink::scan_started(const rules::ScanResult& header, std::size_t check_count) {
    out_ << event_scan_started_json(header, check_count) << std::flush;
}

void JsonLinesSink::finding(const rules::CheckResult& result) { out_ << event_finding_json(result) << std::flush; }

void JsonLinesSink::scan_finished(const rules::ScanResult& result) {
    out_ << event_scan_finished_json(result) << std::flush;
}

}  // namespace triad::report
