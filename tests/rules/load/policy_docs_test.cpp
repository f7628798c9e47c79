// SPDX-License-Identifier: Apache-2.0
// docs/policy-language.md is tested: each ```yaml block must load, or fail with the message
// its "# expect-error:" line names. A doc example that drifts from the loader fails here.
#include <doctest/doctest.h>

#include "rules/load/policy_loader.h"
#include "tests/test_support.h"

TEST_CASE("every example in docs/policy-language.md behaves as documented") {
    std::string doc = triad::test::read_file(triad::test::source_dir() + "/docs/policy-language.md");
    REQUIRE_FALSE(doc.empty());
    int blocks = 0;
    for (std::size_t pos = doc.find("```yaml\n"); pos != std::string::npos; pos = doc.find("```yaml\n", pos)) {
        pos += 8;
        std::size_t end = doc.find("```", pos);
        REQUIRE(end != std::string::npos);
        std::string block = doc.substr(pos, end - pos);
        pos = end + 3;
        ++blocks;
        std::string name = "policy-language.md#block" + std::to_string(blocks);
        CAPTURE(name);
        auto result = triad::rules::load_policy_text(block, name);
        const std::string marker = "# expect-error: ";
        if (auto m = block.find(marker); m != std::string::npos) {
            std::string expected = block.substr(m + marker.size(), block.find('\n', m) - m - marker.size());
            REQUIRE_FALSE(result.ok());
            CHECK(result.diagnostics.front().message.find(expected) != std::string::npos);
        } else {
            CHECK_MESSAGE(result.ok(), (result.ok() ? "" : result.diagnostics.front().str()));
        }
    }
    CHECK(blocks >= 8);
}
