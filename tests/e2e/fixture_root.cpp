// SPDX-License-Identifier: Apache-2.0
#include "tests/e2e/fixture_root.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "tests/test_support.h"

namespace triad::test::fixture {

std::string policy_path() { return source_dir() + "/rules/policies/file-permissions.yml"; }

bool can_build_fixtures() {
    if (::geteuid() == 0) return true;
    MESSAGE("skipped: fixture roots need root (chown to the fixture's users, setcap)");
    return false;
}

bool build_fixture(const std::string& dir, const std::string& state) {
    RunResult r = run({"bash", source_dir() + "/tests/fixtures/make-root.sh", dir, state});
    if (r.exit_code != 0) MESSAGE("make-root.sh " << state << " failed (" << r.exit_code << "): " << r.err);
    return r.exit_code == 0;
}

Scan run_scan(const std::string& root, const std::vector<std::string>& extra,
              const std::vector<std::string>& prefix, int timeout_s) {
    std::vector<std::string> argv = prefix;
    argv.insert(argv.end(), {triad_binary(), "scan", "--root", root, "--policy", policy_path(), "--format", "json"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return parse_report(run(argv, timeout_s));
}

Scan parse_report(const RunResult& r) {
    Scan scan{r.exit_code, r.out, r.err, nullptr, {}};
    try {
        scan.json = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
        auto results = scan.json->getArray("results");
        for (std::size_t i = 0; results && i < results->size(); ++i) {
            auto o = results->getObject(i);
            scan.by_id[o->getValue<std::string>("id")] = o;
        }
    } catch (const std::exception& e) {
        MESSAGE("scan output is not the JSON report (" << e.what() << "); exit " << r.exit_code << ", stderr: " << r.err);
        scan.json = nullptr;
    }
    return scan;
}

}  // namespace triad::test::fixture
