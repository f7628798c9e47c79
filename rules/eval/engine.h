// SPDX-License-Identifier: Apache-2.0
// Plans and runs a scan: asks each collector only for what the selected checks need,
// answers every walk collector's check in one shared walk, runs the collectors side by side
// on the scan's executor, and decides each check's verdict.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "rules/model/policy.h"
#include "rules/model/result.h"
#include "base/cancel.h"
#include "base/executor.h"
#include "scanner/core/scan_memo.h"
#include "scanner/core/sysroot.h"

namespace triad::rules {

struct EngineOptions {
    // Live kernel state (/proc, /sys or fixture trees shaped like them); null: none, so
    // host-scope checks are not_applicable.
    const scanner::Sysroot* proc = nullptr;
    const scanner::Sysroot* sys = nullptr;
    // The scan's pool; null: one of `jobs` threads (0: one per core) for this call.
    Executor* executor = nullptr;
    int jobs = 0;
    // Once set, nothing further is collected or walked, and every check not decided by then
    // is an error ("scan cancelled").
    const CancelToken* cancel = nullptr;
    // What readers may remember across scans (the daemon keeps one); null: this scan only.
    scanner::ScanMemo* memo = nullptr;
    // Called every few thousand walked entries (from a walk thread): for progress lines.
    std::function<void(std::uint64_t entries)> on_walk_progress;
};

// Called once per check, in the order of `checks`, on the thread that called run_checks.
using FindingSink = std::function<void(const CheckResult&)>;

// Results come back in the order of `checks`, whatever order they were decided in.
std::vector<CheckResult> run_checks(std::span<const Check* const> checks, const scanner::Sysroot& root,
                                    const EngineOptions& options, const FindingSink& on_finding);

// --only / --skip: each term is a check id, an id glob ("DAC-*") or a tag. A term that
// matches nothing is reported in `unmatched` so the CLI can say so instead of scanning less.
std::vector<const Check*> select_checks(std::span<const Policy> policies, const std::vector<std::string>& only,
                                        const std::vector<std::string>& skip, std::vector<std::string>* unmatched);

}  // namespace triad::rules
