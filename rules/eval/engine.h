// SPDX-License-Identifier: Apache-2.0
// Plans and runs a scan: asks each collector only for what the selected checks need,
// answers every `files` check in one shared walk, and decides each check's verdict.
#pragma once

#include <atomic>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "rules/model/policy.h"
#include "rules/model/result.h"
#include "scanner/core/sysroot.h"

namespace triad::rules {

struct EngineOptions {
    // Live kernel state (/proc, /sys or fixture trees shaped like them); null: none, so
    // host-scope checks are not_applicable.
    const scanner::Sysroot* proc = nullptr;
    const scanner::Sysroot* sys = nullptr;
    int jobs = 0;                               // walk threads; 0: one per core
    const std::atomic<bool>* cancel = nullptr;  // stops the walk early when set
    // Called every few thousand walked entries (from a walk thread): for progress lines.
    std::function<void(std::uint64_t entries)> on_walk_progress;
};

// Called once per check as soon as it is decided, on the thread that called run_checks.
using FindingSink = std::function<void(const CheckResult&)>;

// Results come back in the order of `checks`, whatever order they were decided in.
std::vector<CheckResult> run_checks(std::span<const Check* const> checks, const scanner::Sysroot& root,
                                    const EngineOptions& options, const FindingSink& on_finding);

// --only / --skip: each term is a check id, an id glob ("DAC-*") or a tag. A term that
// matches nothing is reported in `unmatched` so the CLI can say so instead of scanning less.
std::vector<const Check*> select_checks(std::span<const Policy> policies, const std::vector<std::string>& only,
                                        const std::vector<std::string>& skip, std::vector<std::string>* unmatched);

}  // namespace triad::rules
