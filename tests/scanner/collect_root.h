// SPDX-License-Identifier: Apache-2.0
// Running one root-scope collector over a fixture root in a test, as a scan of `--root DIR`
// with no live /proc or /sys would run it.
#pragma once

#include <string>

#include "scanner/core/collector.h"

namespace triad::test {

// The collector's facts for the fixture root `dir` (which must open as a Sysroot), with the
// root's own users and groups and the given arguments.
inline scanner::FactSet collect_root(const scanner::CollectorEntry& collector, const std::string& dir,
                                     const scanner::SelectArgs& args = {}) {
    auto root = scanner::Sysroot::open(dir).value();
    const scanner::IdentityTable ids = scanner::IdentityTable::load(root);
    return collector.collect(scanner::CollectContext{root, ids}, args);
}

}  // namespace triad::test
