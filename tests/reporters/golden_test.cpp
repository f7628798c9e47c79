// SPDX-License-Identifier: Apache-2.0
// Every format rendered from the fixed results in tests/golden/ and compared byte for byte.
// A deliberate format change regenerates them with scripts/update-golden.
#include <doctest/doctest.h>

#include "reporters/diff_render.h"
#include "reporters/reporter.h"
#include "rules/score/diff.h"
#include "tests/reporters/golden_support.h"

using namespace triad;
using triad::test::golden_path;

namespace {

// On a mismatch, the first differing line is more useful than two whole documents.
void check_golden(const std::string& file, const std::string& actual) {
    const std::string expected = test::read_file(golden_path(file));
    if (actual == expected) return;
    std::size_t at = 0;
    while (at < actual.size() && at < expected.size() && actual[at] == expected[at]) ++at;
    const std::size_t line_start = expected.rfind('\n', at == 0 ? 0 : at - 1);
    const std::size_t from = line_start == std::string::npos ? 0 : line_start + 1;
    FAIL_CHECK("tests/golden/" << file << " differs at byte " << at << "\n  expected: "
                               << expected.substr(from, expected.find('\n', at) - from) << "\n  actual:   "
                               << actual.substr(from, actual.find('\n', at) - from)
                               << "\n(a deliberate change: run scripts/update-golden BUILD_DIR and review git diff)");
}

}  // namespace

TEST_CASE("golden: every reporter renders the fixed result byte for byte") {
    const rules::ScanResult result = test::golden_result();
    struct Case {
        const char* format;
        const char* file;
        report::RenderOptions options;
    };
    report::RenderOptions verbose, quiet;
    verbose.verbose = true;
    quiet.quiet = true;
    const Case cases[] = {
        {"console", "report.txt", {}},         {"console", "report-verbose.txt", verbose},
        {"console", "report-quiet.txt", quiet}, {"html", "report.html", {}},
        {"junit", "report.junit.xml", {}},     {"sarif", "report.sarif.json", {}},
        {"markdown", "report.md", {}},         {"csv", "report.csv", {}},
        {"json", "result.json", {}},
    };
    for (const Case& c : cases) {
        CAPTURE(c.file);
        const report::ReporterEntry* reporter = report::find_reporter(c.format);
        REQUIRE(reporter != nullptr);
        check_golden(c.file, reporter->render(result, c.options));
    }
    // Every registered format has a golden file above.
    for (const report::ReporterEntry& r : report::reporters()) {
        bool covered = false;
        for (const Case& c : cases) covered = covered || std::string(c.format) == r.name;
        CHECK_MESSAGE(covered, "no golden file for format " << r.name);
    }
}

TEST_CASE("golden: diff in every format") {
    const rules::ScanResult before = test::golden_result("result.json");
    const rules::ScanResult after = test::golden_result("result-new.json");
    const rules::ResultDiff diff = rules::diff_results(before, after);
    const report::DiffInput in{before, after, diff};
    check_golden("diff.txt", report::render_diff_console(in));
    check_golden("diff.json", report::render_diff_json(in));
    check_golden("diff.md", report::render_diff_markdown(in));
}

TEST_CASE("golden: the CLI renders what the library renders") {
    // scripts/update-golden goes through `triad report`; the test above through the library.
    auto r = test::run_triad({"report", golden_path("result.json"), "--format", "markdown"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == test::read_file(golden_path("report.md")));
}
