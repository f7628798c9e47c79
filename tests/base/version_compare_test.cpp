// SPDX-License-Identifier: Apache-2.0
// Version order must be dpkg's: each case is also checked against `dpkg --compare-versions`.
#include "base/version_compare.h"

#include <doctest/doctest.h>

#include "tests/test_support.h"

TEST_CASE("Debian version order agrees with dpkg") {
    const char* pairs[][2] = {
        {"1.0", "1.0"},       {"1.0", "1.1"},         {"1.0~rc1", "1.0"},  {"1:1.0", "2.0"},
        {"2.30-4", "2.30-10"}, {"1.0+deb12u1", "1.0"}, {"1.0a", "1.0"},     {"0:1.2", "1.2"},
        {"1.2-1", "1.2-1~bpo"}, {"7.4p1-1", "7.10p1-1"}, {"1.0~~", "1.0~"},  {"3.0.9-1", "3.0.10-1"},
    };
    for (auto& p : pairs) {
        CAPTURE(p[0]);
        CAPTURE(p[1]);
        int ours = triad::compare_versions(p[0], p[1]);
        auto lt = triad::test::run({"dpkg", "--compare-versions", p[0], "lt", p[1]});
        auto eq = triad::test::run({"dpkg", "--compare-versions", p[0], "eq", p[1]});
        int dpkg = eq.exit_code == 0 ? 0 : lt.exit_code == 0 ? -1 : 1;
        CHECK((ours < 0 ? -1 : ours > 0 ? 1 : 0) == dpkg);
    }
}
