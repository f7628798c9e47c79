// SPDX-License-Identifier: Apache-2.0
#include "rules/scan.h"

#include <fcntl.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "base/utc_time.h"
#include "rules/eval/engine.h"
#include "rules/score/scoring.h"
#include "scanner/core/host_info.h"
#include "scanner/core/scan_inputs.h"
#include "scanner/core/sysroot.h"

namespace triad::rules {
namespace {

// Opens a live-state tree: the one the request names, else the host's own when the audited
// root is the running system. Null when there is none.
Result<std::optional<scanner::Sysroot>> open_live(const std::optional<std::string>& asked, const char* host_dir,
                                                  bool auditing_host) {
    std::optional<std::string> dir = asked;
    if (!dir && auditing_host) dir = host_dir;
    if (!dir) return std::optional<scanner::Sysroot>{};
    auto opened = scanner::Sysroot::open(*dir);
    if (!opened) return opened.error();
    return std::optional<scanner::Sysroot>{std::move(*opened)};
}

}  // namespace

Result<ScanResult> run_scan(const ScanRequest& request, std::span<EventSink* const> sinks, const CancelToken& cancel) {
    std::vector<std::string> unmatched;
    const std::vector<const Check*> checks = select_checks(request.policies, request.only, request.skip, &unmatched);
    if (!unmatched.empty())
        return Error{ErrorCode::usage, "--only/--skip '" + unmatched.front() + "' matches no check id or tag", ""};

    auto root = scanner::Sysroot::open(request.root);
    if (!root) return Error{root.error().code, "cannot open root " + request.root + ": " + root.error().message, ""};
    // A root we may enter but not list (mode 000 or 0711 for this user) would turn every
    // check into an error and leave scores of nothing: that is a scan that cannot run.
    if (auto listing = root->open_path("/", O_RDONLY | O_DIRECTORY, /*follow_final=*/true); !listing)
        return Error{listing.error().code, "cannot read root " + request.root + ": " + listing.error().message, ""};
    auto proc = open_live(request.proc, "/proc", root->is_host());
    if (!proc) return Error{proc.error().code, "cannot open --proc " + proc.error().describe(), ""};
    auto sys = open_live(request.sys, "/sys", root->is_host());
    if (!sys) return Error{sys.error().code, "cannot open --sys " + sys.error().describe(), ""};

    const auto started = std::chrono::steady_clock::now();
    ScanResult result;
    result.tool_version = request.tool_version;
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(request.root, ec);
    result.target.root = ec ? request.root : absolute.lexically_normal().string();
    const scanner::HostInfo host = scanner::read_host_info(*root);
    result.target.hostname = host.hostname;
    result.target.kernel = host.kernel;
    result.target.os = host.os;
    const std::time_t started_at = std::time(nullptr);
    result.started_at = rfc3339_utc(started_at);
    for (const Policy& p : request.policies) result.policies.push_back({p.id, p.version, p.path});
    for (EventSink* sink : sinks) sink->scan_started(result, checks.size());

    EngineOptions options;
    options.proc = *proc ? &**proc : nullptr;
    options.sys = *sys ? &**sys : nullptr;
    options.executor = request.executor;
    options.jobs = request.jobs;
    options.cancel = &cancel;
    // The collectors read the scan's inputs from its memo: one is made here when the caller
    // keeps none, so that they are set before any collector runs.
    scanner::ScanMemo scan_memo;
    options.memo = request.memo ? request.memo : &scan_memo;
    options.memo->get<scanner::ScanInputs>() =
        scanner::ScanInputs{request.cve_feed, static_cast<std::int64_t>(started_at), request.pending_history};
    options.memo->get<scanner::ScanOutputs>().clear();  // a kept memo still holds the last scan's
    options.on_walk_progress = request.on_walk_progress;
    const std::string today = today_utc();
    result.results = run_checks(checks, *root, options, [&](const CheckResult& r) {
        if (cancel.cancelled()) return;  // nothing of a cancelled scan is reported as a finding
        if (request.waivers.empty()) {
            for (EventSink* sink : sinks) sink->finding(r);
            return;
        }
        CheckResult waived = r;  // streamed findings show the verdict after waivers
        apply_waivers(waived, request.waivers, today);
        for (EventSink* sink : sinks) sink->finding(waived);
    });
    if (cancel.cancelled()) return Error{ErrorCode::cancelled, "scan cancelled", ""};

    apply_waivers(result, request.waivers, today);
    result.requirements = request.requirements;
    result.counts = count_verdicts(result.results);
    result.scores = compute_scores(result.results, request.requirements);
    result.duration_ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
    for (EventSink* sink : sinks) sink->scan_finished(result);
    return result;
}

}  // namespace triad::rules
