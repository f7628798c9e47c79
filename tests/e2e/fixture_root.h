// SPDX-License-Identifier: Apache-2.0
// Shared by the end-to-end tests of the shipped file-permission policy: building fixture
// roots with tests/fixtures/make-root.sh and scanning them with `triad scan --format json`.
#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace triad::test::fixture {

// rules/policies/file-permissions.yml in the source tree.
std::string policy_path();

// Fixture roots need root (chown to other users, setcap). False, with a printed reason,
// when the tests do not run as root: the caller then returns (the test is skipped).
bool can_build_fixtures();

// Runs make-root.sh DIR STATE (pass, fail or mixed); prints the script's stderr on failure.
bool build_fixture(const std::string& dir, const std::string& state);

struct Scan {
    int exit_code = -1;
    std::string out, err;
    Poco::JSON::Object::Ptr json;                          // null when stdout is not JSON
    std::map<std::string, Poco::JSON::Object::Ptr> by_id;  // results[] by check id
};

// A finished triad run whose standard output should be a JSON report, with its results by
// check id (json is null, with a test message, when it is not).
Scan parse_report(const RunResult& run);

// `triad scan --root ROOT --policy <the policy> --format json EXTRA...`, optionally run
// through a wrapper such as setpriv (prefix). A hang is killed after timeout_s.
Scan run_scan(const std::string& root, const std::vector<std::string>& extra = {},
              const std::vector<std::string>& prefix = {}, int timeout_s = 120);

}  // namespace triad::test::fixture
