// SPDX-License-Identifier: Apache-2.0
// The fixed results under tests/golden/ that the reporter tests render and compare.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "reporters/result_reader.h"
#include "tests/test_support.h"

namespace triad::test {

inline std::string golden_path(const std::string& name) { return source_dir() + "/tests/golden/" + name; }

// result.json: two policies, every verdict, truncated and hostile evidence, waivers (active,
// per-object, expired) and non-default requirements. result-new.json: a week later.
inline rules::ScanResult golden_result(const std::string& name = "result.json") {
    auto r = report::read_result_file(golden_path(name));
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().describe()));
    return *r;
}

}  // namespace triad::test
