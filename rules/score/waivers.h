// SPDX-License-Identifier: Apache-2.0
// Waivers: accepted risks, each with a reason, an optional owner and an expiry date, read from
// a YAML file (docs/reports.md) and applied after evaluation. A waiver of a whole check turns
// its failure into `waived`; a waiver with `objects` globs removes only matching evidence, and
// the check still fails while other evidence remains. An expired waiver stops applying and is
// reported in the result's `waivers` list with state `expired`.
#pragma once

#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rules/load/policy_loader.h"
#include "rules/model/result.h"
#include "base/pattern.h"

namespace triad::rules {

struct Waiver {
    std::string check;
    std::vector<Glob> objects;  // empty: the whole check
    std::string reason, owner;
    std::string expires;  // YYYY-MM-DD, the last day the waiver applies
    SourcePos pos;
};

struct WaiverLoad {
    std::vector<Waiver> waivers;
    std::vector<Diagnostic> diagnostics;  // any diagnostic rejects the whole file
    bool ok() const { return diagnostics.empty(); }
};

// Waiver files are small; anything larger is refused before parsing.
inline constexpr std::size_t kMaxWaiverBytes = 1024 * 1024;

// `known_checks` are the ids of every loaded check: a waiver naming another id is an error at
// its position (a typo would otherwise leave a finding unwaived without a word).
WaiverLoad load_waivers_text(const std::string& text, const std::string& name, const std::set<std::string>& known_checks);
WaiverLoad load_waivers_file(const std::string& path, const std::set<std::string>& known_checks);

std::set<std::string> check_ids(std::span<const Policy> policies);

// Applies the waivers to result.results and records each in result.waivers. `today` is
// YYYY-MM-DD: a waiver applies through its `expires` day. Counts and scores are the caller's
// to recompute afterwards.
void apply_waivers(ScanResult& result, std::span<const Waiver> waivers, std::string_view today);
// The same for one result as soon as it is decided (a streamed finding); records nothing.
void apply_waivers(CheckResult& result, std::span<const Waiver> waivers, std::string_view today);

// Today's date in UTC as YYYY-MM-DD.
std::string today_utc();

// True for a real calendar date written YYYY-MM-DD.
bool valid_date(std::string_view s);

}  // namespace triad::rules
