// SPDX-License-Identifier: Apache-2.0
// Shared by the end-to-end tests of the shipped policies: which checks a policy file has,
// which of them this build leaves out, and a JSON report's results by check id.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/fixture_root.h"

namespace triad::test::fixture {

// The check ids of the policy files, in file order, read from their text (`  - id: ` lines):
// a test that walks them fails for a check added to a policy without a row in its table.
std::vector<std::string> policy_check_ids(const std::vector<std::string>& policy_files);

// The checks of the policy files whose collector this build left out (a TRIAD_WITH_* option
// off), with the reason their error verdict gives.
std::map<std::string, std::string> not_built_checks(const std::vector<std::string>& policy_files);

// The verdict a check should get in this build: the one the test expects, or error when the
// build left its collector out.
class ExpectedVerdicts {
public:
    explicit ExpectedVerdicts(const std::vector<std::string>& policy_files);
    std::string of(const std::string& id, const std::string& verdict) const;

private:
    std::map<std::string, std::string> not_built_;
};

// `triad ARGS...` whose standard output is a JSON report, with its results by check id
// (json is null, with a test message, when it is not).
Scan scan_json(const std::vector<std::string>& args, int timeout_s = 120);

// The verdict of check `id` in the report; a check missing from it fails the test.
std::string verdict(const Scan& scan, const std::string& id);

// The objects of the evidence of check `id`.
std::set<std::string> evidence_objects(const Scan& scan, const std::string& id);

}  // namespace triad::test::fixture
