// SPDX-License-Identifier: Apache-2.0
// Renders a comparison of two results (rules/diff.h) for `triad diff`: console text, a
// triad.diff/1 JSON document (docs/reports.md), or Markdown for a pull-request comment.
#pragma once

#include <string>

#include "rules/score/diff.h"

namespace triad::report {

struct DiffInput {
    const rules::ScanResult& before;
    const rules::ScanResult& after;
    const rules::ResultDiff& diff;
};

std::string render_diff_console(const DiffInput& in);
std::string render_diff_json(const DiffInput& in);
std::string render_diff_markdown(const DiffInput& in);

}  // namespace triad::report
