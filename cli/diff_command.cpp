// SPDX-License-Identifier: Apache-2.0
// `triad diff OLD NEW`: what changed between two stored results (files, or store:SCAN_ID from
// triadd's store, in any mix), and an exit code a pipeline can gate on (1 when a regression
// reaches --fail-on).
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "reporters/diff_render.h"
#include "cli/result_input.h"
#include "store/scan_store.h"
#include "rules/score/diff.h"

namespace triad::cli {
namespace {

constexpr const char* kDiffUsage = R"(usage: triad diff OLD NEW [options]

Compares two stored results: new failures, resolved checks, changed evidence of checks
failing in both, other verdict changes, and the change of each score. OLD and NEW are each
a RESULT.json file or store:SCAN_ID (a scan triadd stored; see 'triad history').

options:
  --store URL       the store of store:SCAN_ID (default: sqlite:///var/lib/triad/triad.db;
                    postgresql://USER@HOST:PORT/DB for a fleet's database)
  --format FORMAT   console (default), json (triad.diff/1) or markdown
  --output FILE     write the comparison to FILE atomically (mode 0640) instead of stdout
  --fail-on LEVEL   exit 1 when a regression of this severity or worse appears: a check
                    that newly fails, or a failing check with new failing objects
                    (info (default: any regression), low, medium, high, critical)
  --help            this text

exit codes: 0 no regression at or above --fail-on, 1 regressions, 2 usage error or
            unreadable result, 3 cannot write the output
)";

}  // namespace

int run_diff(int argc, char** argv, int first) {
    Args args;
    if (auto err = Args::parse(argc, argv, first,
                               {{"format", true}, {"output", true}, {"fail-on", true}, {"store", true}, {"help", false, 'h'}}, args)) {
        print_error(*err + " (see 'triad diff --help')");
        return kExitUsage;
    }
    if (args.flag("help")) {
        std::cout << kDiffUsage;
        return kExitOk;
    }
    if (args.positional().size() != 2) {
        print_error("diff takes OLD.json and NEW.json (see 'triad diff --help')");
        return kExitUsage;
    }
    const std::string format = args.value("format").value_or("console");
    using Render = std::string (*)(const report::DiffInput&);
    Render render = format == "console"    ? report::render_diff_console
                    : format == "json"     ? report::render_diff_json
                    : format == "markdown" ? report::render_diff_markdown
                                           : nullptr;
    if (!render) {
        print_error("unknown format '" + format + "' (console, json or markdown)");
        return kExitUsage;
    }
    const auto threshold = fail_on_option(args);
    if (!threshold) return kExitUsage;
    const std::string store_url = args.value("store").value_or(store::kDefaultStoreUrl);
    auto before = load_result(args.positional()[0], store_url);
    if (!before) {
        print_error(before.error().describe());
        return kExitUsage;
    }
    auto after = load_result(args.positional()[1], store_url);
    if (!after) {
        print_error(after.error().describe());
        return kExitUsage;
    }
    const rules::ResultDiff diff = rules::diff_results(*before, *after);
    const std::string bytes = render(report::DiffInput{*before, *after, diff});
    if (const auto output = args.value("output")) {
        if (auto written = write_file_atomic(*output, bytes); !written) {
            print_error("cannot write the comparison: " + written.error().describe());
            return kExitCannotRun;
        }
    } else {
        std::cout << bytes << std::flush;
    }
    return diff.regressions(*threshold).empty() ? kExitOk : kExitFindings;
}

}  // namespace triad::cli
