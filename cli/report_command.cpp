// SPDX-License-Identifier: Apache-2.0
// `triad report RESULT.json --format F`: renders a stored triad.result/1 document (a file, or
// store:SCAN_ID from triadd's store) in any format, so one scan feeds the console, a browser,
// CI and compliance alike.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "reporters/reporter.h"
#include "cli/result_input.h"
#include "store/scan_store.h"

namespace triad::cli {
namespace {

constexpr const char* kReportUsage = R"(usage: triad report RESULT.json|store:SCAN_ID [--format FORMAT] [--output FILE]

Renders a stored result (written by 'triad scan --format json', or a scan triadd stored:
store:SCAN_ID, the SCAN column of 'triad history') in another format.

options:
  --store URL       the store of store:SCAN_ID (default: sqlite:///var/lib/triad/triad.db;
                    postgresql://USER@HOST:PORT/DB for a fleet's database)
  --format FORMAT   console (default), json, html, junit, sarif, markdown or csv
  --output FILE     write the report to FILE atomically (mode 0640) instead of stdout
  --verbose         console: every listed evidence object, every fix, the passing checks
  --quiet           console: the scores and counts only
  --no-color        never colour the console report
  --help            this text

exit codes: 0 rendered, 2 usage error or not a triad.result/1 document, 3 cannot write
)";

}  // namespace

int run_report(int argc, char** argv, int first) {
    Args args;
    if (auto err = Args::parse(argc, argv, first,
                               {{"format", true}, {"output", true}, {"store", true}, {"verbose", false, 'v'}, {"quiet", false, 'q'},
                                {"no-color", false}, {"help", false, 'h'}},
                               args)) {
        print_error(*err + " (see 'triad report --help')");
        return kExitUsage;
    }
    if (args.flag("help")) {
        std::cout << kReportUsage;
        return kExitOk;
    }
    if (args.positional().size() != 1) {
        print_error("report takes exactly one RESULT.json or store:SCAN_ID (see 'triad report --help')");
        return kExitUsage;
    }
    const std::string format = args.value("format").value_or("console");
    const report::ReporterEntry* reporter = report::find_reporter(format);
    if (!reporter) {
        print_error("unknown format '" + format + "' (" + report::reporter_names() + ")");
        return kExitUsage;
    }
    if (args.flag("verbose") && args.flag("quiet")) {
        print_error("--verbose and --quiet exclude each other");
        return kExitUsage;
    }
    auto result = load_result(args.positional().front(), args.value("store").value_or(store::kDefaultStoreUrl));
    if (!result) {
        print_error(result.error().describe());
        return kExitUsage;
    }
    const auto output = args.value("output");
    report::RenderOptions render;
    render.verbose = args.flag("verbose");
    render.quiet = args.flag("quiet");
    render.color = format == "console" && !output && !args.flag("no-color") && ::isatty(STDOUT_FILENO) == 1 &&
                   std::getenv("NO_COLOR") == nullptr;
    const std::string bytes = reporter->render(*result, render);
    if (output) {
        if (auto written = write_file_atomic(*output, bytes); !written) {
            print_error("cannot write report: " + written.error().describe());
            return kExitCannotRun;
        }
    } else {
        std::cout << bytes << std::flush;
    }
    return kExitOk;
}

}  // namespace triad::cli
