// SPDX-License-Identifier: Apache-2.0
// The version order every package check relies on (candidate vs installed, kernels, support
// lists) against dpkg itself on 1,200 generated pairs: epochs, tildes, security suffixes
// (+deb12u1), backports (~bpo12+1), binNMUs (+b1), letters, leading zeros. Any disagreement
// fails. The pairs come from a fixed seed, so a failure can be reproduced.
#include <doctest/doctest.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "base/version_compare.h"
#include "tests/test_support.h"

namespace {

// A valid Debian version built from the pieces that make ordering hard.
std::string random_version(std::mt19937& rng) {
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    static const char* kParts[] = {"0", "1", "2", "9", "10", "01", "1.0", "1.10", "1.2", "2.30", "3.0.11", "3.0.13"};
    static const char* kTails[] = {"", "", "", "~rc1", "~", "~~", "a", "b", "+dfsg", ".1", "+really1.0", "~beta2"};
    static const char* kRevs[] = {"", "1", "2", "10", "1+deb12u1", "1+deb12u2", "1~deb12u1", "1~bpo12+1", "1+b1",
                                  "0.1", "1ubuntu1", "1build2"};
    std::string v;
    if (pick(4) == 0) v += std::to_string(pick(3)) + ":";
    v += kParts[pick(12)];
    if (pick(3) == 0) v += std::string(".") + kParts[pick(12)];
    v += kTails[pick(12)];
    const std::string rev = kRevs[pick(12)];
    if (!rev.empty()) v += "-" + rev;
    return v;
}

}  // namespace

TEST_CASE("version order agrees with dpkg --compare-versions on 1,200 generated pairs") {
    if (triad::test::run({"dpkg", "--version"}).exit_code != 0) {
        MESSAGE("skipped: dpkg is not installed");
        return;
    }
    std::mt19937 rng(20261202);
    std::vector<std::pair<std::string, std::string>> pairs = {
        {"1.0", "1.0-1"}, {"1:0.9", "2.0"}, {"1.0~rc1", "1.0"}, {"1.0+b1", "1.0"}, {"2.30-1", "2.4-1"},
        {"0", "0:0"},     {"1.0~", "1.0"},  {"1.0-1+deb12u14", "1.0-1+deb12u15"}, {"7.4p1-1", "7.10p1-1"},
    };
    while (pairs.size() < 1200) {
        std::string a = random_version(rng), b = random_version(rng);
        // A share of near-equal pairs: the same version with one piece changed.
        if (rng() % 4 == 0) b = a + (rng() % 2 ? "~1" : "+1");
        pairs.emplace_back(a, b);
    }
    // One shell for all pairs: dpkg answers lt / eq per pair, printed as -1, 0, 1.
    std::string script = "while read a b; do if dpkg --compare-versions \"$a\" lt \"$b\"; then echo -1; "
                         "elif dpkg --compare-versions \"$a\" eq \"$b\"; then echo 0; else echo 1; fi; done <<'EOF'\n";
    for (const auto& [a, b] : pairs) script += a + " " + b + "\n";
    script += "EOF\n";
    auto r = triad::test::sh(script, 600);
    REQUIRE(r.exit_code == 0);
    std::istringstream in(r.out);
    std::size_t i = 0, disagreements = 0;
    for (std::string line; std::getline(in, line) && i < pairs.size(); ++i) {
        const int dpkg = std::stoi(line);
        const int ours = triad::compare_versions(pairs[i].first, pairs[i].second);
        const int sign = ours < 0 ? -1 : ours > 0 ? 1 : 0;
        if (sign != dpkg) {
            ++disagreements;
            CHECK_MESSAGE(sign == dpkg, pairs[i].first << " vs " << pairs[i].second << ": dpkg " << dpkg << ", triad " << sign);
        }
    }
    CHECK(i == pairs.size());
    CHECK(disagreements == 0);
}
