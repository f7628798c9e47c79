// SPDX-License-Identifier: Apache-2.0
// Options several subcommands share, parsed and reported the same way everywhere.
#include <stdexcept>

#include "cli/args.h"
#include "cli/commands.h"

namespace triad::cli {

std::optional<int> jobs_option(const Args& args) {
    auto text = args.value("jobs");
    if (!text) return 0;
    int jobs = -1;
    try {
        std::size_t used = 0;
        jobs = std::stoi(*text, &used);
        if (used != text->size()) jobs = -1;
    } catch (const std::exception&) {
    }
    if (jobs < 1 || jobs > 256) {
        print_error("--jobs takes a number from 1 to 256");
        return std::nullopt;
    }
    return jobs;
}

std::optional<rules::Severity> fail_on_option(const Args& args) {
    auto threshold = rules::parse_severity(args.value("fail-on").value_or("info"));
    if (!threshold) print_error("--fail-on takes info, low, medium, high or critical");
    return threshold;
}

}  // namespace triad::cli
