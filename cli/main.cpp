// SPDX-License-Identifier: Apache-2.0
// triad: audits how well a Linux host or offline root is hardened, scored on the CIA triad.
#include <cstring>
#include <iostream>
#include <string_view>

#include "cli/commands.h"

namespace {

constexpr const char* kUsage = R"(usage: triad <command> [options]

Audit how well a Linux host or an offline root file system is hardened, scored on
confidentiality, integrity and availability.

commands:
  scan            audit this machine (or --root DIR) against policies
  policy check    validate policy files without scanning
  rules list      list the loaded checks
  rules explain   show one check in full
  collectors      list what checks can select; 'collectors show NAME' for its arguments and fields
  report          render a stored result as console, json, html, junit, sarif, markdown or csv
  diff            compare two stored results; exit 1 on new failures
  binaries        list the hardening of ELF files (PIE, NX, canary, RELRO, FORTIFY, CET)
  history         list the scans triadd stored, or one check's verdict across them
  watch           follow a running triadd's events (findings, drift, scores) as they happen

Run 'triad <command> --help' for a command's options.
  --help          this text
  --version       print the version

exit codes: 0 no failure at or above --fail-on, 1 failures at or above it,
            2 usage or policy error, 3 the scan could not run
)";

struct Command {
    std::string_view name;
    int (*run)(int, char**, int);
};

constexpr Command kCommands[] = {
    {"scan", triad::cli::run_scan},
    {"policy", triad::cli::run_policy},
    {"rules", triad::cli::run_rules},
    {"collectors", triad::cli::run_collectors},
    {"report", triad::cli::run_report},
    {"diff", triad::cli::run_diff},
    {"binaries", triad::cli::run_binaries},
    {"history", triad::cli::run_history},
    {"watch", triad::cli::run_watch},
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << kUsage;
        return triad::cli::kExitUsage;
    }
    std::string_view command = argv[1];
    if (command == "--help" || command == "-h" || command == "help") {
        std::cout << kUsage;
        return triad::cli::kExitOk;
    }
    if (command == "--version") {
        std::cout << "triad " << TRIAD_VERSION << "\n";
        return triad::cli::kExitOk;
    }
    for (const Command& c : kCommands)
        if (c.name == command) return c.run(argc, argv, 2);
    triad::cli::print_error("unknown command '" + std::string(command) + "' (see 'triad --help')");
    return triad::cli::kExitUsage;
}
