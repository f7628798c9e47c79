// SPDX-License-Identifier: Apache-2.0
#include "tests/e2e/policy_checks.h"

#include <doctest/doctest.h>

#include <fstream>

#include <Poco/JSON/Array.h>

#include "rules/load/policy_loader.h"
#include "scanner/core/registry.h"
#include "tests/test_support.h"

namespace triad::test::fixture {

std::vector<std::string> policy_check_ids(const std::vector<std::string>& policy_files) {
    std::vector<std::string> ids;
    for (const std::string& file : policy_files) {
        std::ifstream in(file);
        REQUIRE_MESSAGE(in, "cannot read " << file);
        for (std::string line; std::getline(in, line);)
            if (line.rfind("  - id: ", 0) == 0) ids.push_back(line.substr(8));
    }
    return ids;
}

std::map<std::string, std::string> not_built_checks(const std::vector<std::string>& policy_files) {
    auto loaded = rules::load_policies(policy_files);
    REQUIRE(loaded.ok());
    std::map<std::string, std::string> out;
    for (const auto& p : loaded.policies)
        for (const auto& c : p.checks)
            if (std::string why = scanner::not_built_reason(*c.select.collector); !why.empty()) out[c.info.id] = why;
    return out;
}

ExpectedVerdicts::ExpectedVerdicts(const std::vector<std::string>& policy_files)
    : not_built_(not_built_checks(policy_files)) {}

std::string ExpectedVerdicts::of(const std::string& id, const std::string& verdict) const {
    return not_built_.count(id) ? "error" : verdict;
}

Scan scan_json(const std::vector<std::string>& args, int timeout_s) {
    return parse_report(run_triad(args, timeout_s));
}

std::string verdict(const Scan& scan, const std::string& id) {
    auto it = scan.by_id.find(id);
    REQUIRE_MESSAGE(it != scan.by_id.end(), id);
    return it->second->getValue<std::string>("verdict");
}

std::set<std::string> evidence_objects(const Scan& scan, const std::string& id) {
    std::set<std::string> out;
    auto evidence = scan.by_id.at(id)->getArray("evidence");
    for (std::size_t i = 0; evidence && i < evidence->size(); ++i)
        out.insert(evidence->getObject(static_cast<unsigned>(i))->getValue<std::string>("object"));
    return out;
}

}  // namespace triad::test::fixture
