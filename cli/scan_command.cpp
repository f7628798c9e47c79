// SPDX-License-Identifier: Apache-2.0
// `triad scan`: load policies, pick checks, audit the root, score, render, exit by --fail-on.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "reporters/event_stream.h"
#include "reporters/reporter.h"
#include "reporters/result_reader.h"
#include "rules/scan.h"
#include "rules/score/diff.h"
#include "rules/score/scoring.h"
#include "rules/score/waivers.h"
#include "store/scan_store.h"

namespace triad::cli {
namespace {

constexpr const char* kScanUsage = R"(usage: triad scan [options]

Audits this machine, or an offline root file system with --root, against the policies.

options:
  --policy FILE|DIR     policy file or directory of *.yml (repeatable; default: the shipped policies)
  --root DIR            audit the tree at DIR instead of this machine (default: /)
  --proc DIR            where live kernel state is read (default: /proc when auditing /,
                        none for --root, so checks of the running system are not_applicable)
  --sys DIR             likewise for /sys
  --cve-feed FILE       a Debian Security Tracker JSON export (security-tracker.debian.org/
                        tracker/data/json) to match the installed source packages against;
                        without it the CVE checks are not_applicable
  --history URL         read the history of pending updates triadd records in its store
                        (sqlite:///PATH or postgresql://USER[:PASSWORD]@HOST:PORT/DB, as
                        `triad history --store`), read-only: how long each pending update
                        has been pending. Without it PATCH-PENDING-UPDATE-AGE is an error for
                        each pending update it cannot date from the package lists
  --history-host ID     the host whose history to read (default: this machine's
                        /etc/machine-id, the id triadd stores it under)
  --format FORMAT       console (default), json, html, junit, sarif, markdown, csv, or
                        events (one JSON line per scan event as it happens: scan_started,
                        finding, scan_finished); docs/reports.md describes each
  --output FILE         write the report to FILE atomically (mode 0640) instead of stdout
  --only ID|GLOB|TAG    run only matching checks (repeatable)
  --skip ID|GLOB|TAG    leave out matching checks (repeatable)
  --fail-on LEVEL       exit 1 when a check of this severity or worse fails, or cannot be
                        decided (error): info (default: any), low, medium, high, critical
  --allow-errors        checks that end in error do not make the exit code 1 (they are
                        still reported, and still lower the coverage beside each score)
  --waivers FILE        accepted risks (YAML: check, reason, expires, optional owner and
                        objects globs); waived failures do not count, expired waivers stop
                        applying and are reported
  --baseline RESULT     a stored JSON result: exit 1 only for failures it did not have
                        (checks that newly fail, or failing checks with new objects)
  --requirements SPEC   the asset's C/I/A requirements, e.g. c=high,i=medium,a=low
  --jobs N              threads for all of the scan's work: the walk, reading binaries,
                        collectors side by side (default: one per core)
  --no-color            never colour the console report
  --verbose             console: every listed evidence object, every fix, the passing checks
  --quiet               console: the scores and counts only
  --help                this text
)";

// Set by SIGINT/SIGTERM; the scan stops wherever it is and no report is written.
CancelToken g_cancel;

// The first SIGINT/SIGTERM asks the scan to stop (exit 3, the previous report untouched);
// a second one means "now": the default action of that signal ends the process at once,
// whatever is still running. Only async-signal-safe calls (signal, raise) are made here.
void on_signal(int sig) {
    if (g_cancel.cancelled()) {
        std::signal(sig, SIG_DFL);
        std::raise(sig);  // delivered as the handler returns
        return;
    }
    g_cancel.cancel();
}

// A check that could not be decided may hide the very failure the gate is there to catch: it
// counts like a failure unless --allow-errors says otherwise.
bool fails_gate(const std::vector<rules::CheckResult>& results, rules::Severity threshold, bool allow_errors) {
    for (const auto& r : results) {
        if (r.check.severity < threshold) continue;
        if (r.verdict == rules::Verdict::fail) return true;
        if (r.verdict == rules::Verdict::error && !allow_errors) return true;
    }
    return false;
}

// With --baseline: an error counts when the check was not an error in the baseline already.
bool new_errors(const rules::ScanResult& baseline, const rules::ScanResult& now, rules::Severity threshold) {
    for (const auto& r : now.results) {
        if (r.verdict != rules::Verdict::error || r.check.severity < threshold) continue;
        const bool known = std::any_of(baseline.results.begin(), baseline.results.end(), [&](const auto& b) {
            return b.check.id == r.check.id && b.verdict == rules::Verdict::error;
        });
        if (!known) return true;
    }
    return false;
}

// The pending-update history of one host from a store, read-only (the store is never created
// or migrated by a scan).
Result<scanner::PendingHistory> read_pending_history(const std::string& url, const std::optional<std::string>& host) {
    if (!store::store_kind(url))
        return Error{ErrorCode::usage, "not a store URL (sqlite:///PATH or postgresql://USER@HOST:PORT/DB)",
                     store::redact_store_url(url)};
    const std::string id = host ? *host : store::machine_host_id();
    if (id.empty()) return Error{ErrorCode::usage, "/etc/machine-id cannot be read; name the host with --history-host", ""};
    auto opened = store::ScanStore::open(url, store::StoreAccess::read);
    if (!opened) return opened.error();
    return (*opened)->pending_history(id);
}

}  // namespace

int run_scan(int argc, char** argv, int first) {
    Args args;
    if (auto err = Args::parse(argc, argv, first,
                               {{"policy", true}, {"root", true}, {"proc", true}, {"sys", true}, {"cve-feed", true}, {"history", true}, {"history-host", true}, {"format", true}, {"output", true},
                                {"only", true}, {"skip", true}, {"fail-on", true}, {"requirements", true},
                                {"jobs", true}, {"no-color", false}, {"help", false, 'h'}, {"waivers", true},
                                {"baseline", true}, {"verbose", false, 'v'}, {"quiet", false, 'q'},
                                {"allow-errors", false}},
                               args)) {
        print_error(*err + " (see 'triad scan --help')");
        return kExitUsage;
    }
    // From here on Ctrl-C asks the scan to stop instead of killing it, whatever stage it has
    // reached (loading policies included): exit 3, and no report written.
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    if (args.flag("help")) {
        std::cout << kScanUsage;
        return kExitOk;
    }
    if (!args.positional().empty()) {
        print_error("unexpected argument '" + args.positional().front() + "' (see 'triad scan --help')");
        return kExitUsage;
    }
    const std::string format = args.value("format").value_or("console");
    const bool streaming = format == "events";
    const report::ReporterEntry* reporter = report::find_reporter(format);
    if (!reporter && !streaming) {
        print_error("unknown format '" + format + "' (" + report::reporter_names() + " or events)");
        return kExitUsage;
    }
    if (streaming && args.value("output")) {
        print_error("--format events streams to standard output; --output does not apply");
        return kExitUsage;
    }
    const auto threshold = fail_on_option(args);
    if (!threshold) return kExitUsage;
    auto requirements = rules::parse_requirements(args.value("requirements").value_or(""));
    if (!requirements) {
        print_error("--requirements takes c=LEVEL,i=LEVEL,a=LEVEL with LEVEL high, medium or low");
        return kExitUsage;
    }
    const std::optional<int> jobs_opt = jobs_option(args);
    if (!jobs_opt) return kExitUsage;
    const int jobs = *jobs_opt;

    std::vector<std::string> policy_paths = args.values("policy");
    if (policy_paths.empty()) policy_paths.push_back(default_policy_dir());
    rules::LoadResult loaded;
    if (!load_or_report(policy_paths, loaded)) return kExitUsage;
    // Waivers may name any loaded check, selected or not; a name that matches none is a typo.
    std::vector<rules::Waiver> waivers;
    if (auto file = args.value("waivers")) {
        rules::WaiverLoad w = rules::load_waivers_file(*file, rules::check_ids(loaded.policies));
        for (const auto& d : w.diagnostics) print_diagnostic(d.str());
        if (!w.ok()) return kExitUsage;
        waivers = std::move(w.waivers);
    }
    std::optional<rules::ScanResult> baseline;
    if (auto file = args.value("baseline")) {
        auto read = report::read_result_file(*file);
        if (!read) {
            print_error("--baseline " + read.error().describe());
            return kExitUsage;
        }
        baseline = std::move(*read);
    }
    const bool allow_errors = args.flag("allow-errors");
    auto gate = [&](const rules::ScanResult& r) {
        if (baseline)
            return !rules::diff_results(*baseline, r).regressions(*threshold).empty() ||
                   (!allow_errors && new_errors(*baseline, r, *threshold));
        return fails_gate(r.results, *threshold, allow_errors);
    };
    rules::ScanRequest request;
    request.policies = loaded.policies;
    request.only = args.values("only");
    request.skip = args.values("skip");
    request.root = args.value("root").value_or("/");
    request.proc = args.value("proc");
    request.sys = args.value("sys");
    request.cve_feed = args.value("cve-feed").value_or("");
    if (auto url = args.value("history")) {
        auto history = read_pending_history(*url, args.value("history-host"));
        if (!history) {
            print_error("--history " + history.error().describe());
            return history.error().code == ErrorCode::usage ? kExitUsage : kExitCannotRun;
        }
        request.pending_history = std::move(*history);
    } else if (args.value("history-host")) {
        print_error("--history-host needs --history URL");
        return kExitUsage;
    }
    request.waivers = std::move(waivers);
    request.requirements = *requirements;
    request.tool_version = TRIAD_VERSION;
    request.jobs = jobs;

    // The scan is a stream of events (rules/model/events.h): progress on a terminal and
    // --format events consume it as it happens; the other formats render the final result.
    std::vector<rules::EventSink*> sinks;
    report::ProgressSink progress(stderr);
    if (::isatty(STDERR_FILENO) == 1) {
        sinks.push_back(&progress);
        request.on_walk_progress = [&](std::uint64_t n) { progress.walked(n); };
    }
    report::JsonLinesSink events(std::cout);
    if (streaming) sinks.push_back(&events);

    auto scanned = rules::run_scan(request, sinks, g_cancel);
    // A signal that lands after the last check still means "stop": no report either.
    if (scanned && g_cancel.cancelled()) scanned = Error{ErrorCode::cancelled, "scan cancelled", ""};
    if (!scanned) {
        if (scanned.error().code == ErrorCode::cancelled) {
            print_error("scan cancelled; no report written");
            return kExitCannotRun;
        }
        print_error(scanned.error().describe());
        return scanned.error().code == ErrorCode::usage ? kExitUsage : kExitCannotRun;
    }
    const rules::ScanResult& result = *scanned;
    for (const rules::WaiverRecord& w : result.waivers)
        if (w.state == rules::WaiverState::expired)
            print_error("waiver for " + w.check + " at " + w.source + " expired on " + w.expires + "; not applied");
    if (streaming) return gate(result) ? kExitFindings : kExitOk;

    const auto output = args.value("output");
    report::RenderOptions render;
    render.color = format == "console" && !output && !args.flag("no-color") && ::isatty(STDOUT_FILENO) == 1 &&
                   std::getenv("NO_COLOR") == nullptr;
    render.verbose = args.flag("verbose");
    render.quiet = args.flag("quiet");
    const std::string bytes = reporter->render(result, render);
    if (output) {
        if (auto written = write_file_atomic(*output, bytes); !written) {
            print_error("cannot write report: " + written.error().describe());
            return kExitCannotRun;
        }
    } else {
        std::cout << bytes << std::flush;
    }
    return gate(result) ? kExitFindings : kExitOk;
}

}  // namespace triad::cli
