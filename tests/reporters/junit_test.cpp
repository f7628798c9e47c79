// SPDX-License-Identifier: Apache-2.0
// JUnit output validated by xmllint against tests/reporters/junit.xsd, with counts that
// agree with the elements, and still valid XML when file names hold control characters,
// invalid UTF-8 or markup.
#include <doctest/doctest.h>

#include "reporters/reporter.h"
#include "tests/reporters/golden_support.h"

using namespace triad;

namespace {

std::string xsd() { return test::source_dir() + "/tests/reporters/junit.xsd"; }

test::RunResult xmllint_schema(const std::string& file) {
    auto r = test::run({"xmllint", "--noout", "--nonet", "--schema", xsd(), file}, 60);
    // xmllint is in Debian's libxml2-utils (scripts/bootstrap); without it this test cannot pass.
    REQUIRE_MESSAGE(r.err.find("cannot run") == std::string::npos, "xmllint is not installed: " << r.err);
    return r;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("junit: the golden result validates against the JUnit schema") {
    const rules::ScanResult result = test::golden_result();
    const std::string xml = report::render_junit(result, {});
    test::TempDir dir;
    test::write_file(dir / "report.xml", xml);
    auto r = xmllint_schema(dir / "report.xml");
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.err.find("validates") != std::string::npos);

    // One suite per policy, one case per check, and the elements agree with the counts.
    CHECK(count(xml, "<testsuite ") == 2);
    CHECK(count(xml, "<testcase ") == result.results.size());
    CHECK(count(xml, "<failure ") == result.counts.fail);
    CHECK(count(xml, "<error ") == result.counts.error);
    CHECK(count(xml, "<skipped ") == result.counts.not_applicable + result.counts.waived);
    CHECK(xml.find("<testsuites name=\"triad\" tests=\"10\" failures=\"5\" errors=\"1\" skipped=\"2\"") !=
          std::string::npos);
    CHECK(xml.find("<testsuite name=\"demo-ssh\" id=\"1\" package=\"triad.demo-ssh\" tests=\"2\" failures=\"2\"") !=
          std::string::npos);
}

TEST_CASE("junit: the schema rejects what CI systems would reject") {
    // Proves the validation step can fail: a testcase without a name, and an unknown verdict element.
    test::TempDir dir;
    test::write_file(dir / "bad.xml",
                     "<testsuites tests=\"1\" failures=\"0\" errors=\"0\"><testsuite name=\"p\" tests=\"1\" "
                     "failures=\"0\" errors=\"0\" time=\"0\" timestamp=\"2026-01-01T00:00:00\" hostname=\"h\">"
                     "<testcase classname=\"c\" time=\"0\"><flaky/></testcase></testsuite></testsuites>\n");
    auto r = xmllint_schema(dir / "bad.xml");
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("fails to validate") != std::string::npos);
}

TEST_CASE("junit: hostile strings stay well-formed and valid") {
    rules::ScanResult result;
    result.tool_version = "0.1.0";
    result.target = {"/", "h\x01ost", "6.1", "os"};
    result.started_at = "2026-03-01T00:00:00Z";
    result.policies.push_back({"p", "1", "p.yml"});
    rules::CheckResult c;
    c.check.id = "X";
    c.check.title = "title ]]> <![CDATA[ & \"quotes\"";
    c.check.policy = "p";
    c.verdict = rules::Verdict::fail;
    c.reason = "bad\x1b[31m escape\r\nand \xff\xfe invalid UTF-8, \xef\xbf\xbf nonchar";
    c.evidence = {{"/srv/\x07\x08</failure><script>", {{"v", "\t<&>'\""}}}};
    c.evidence_total = 1;
    result.results.push_back(c);
    rules::CheckResult e = c;
    e.verdict = rules::Verdict::error;
    result.results.push_back(e);
    result.counts = rules::count_verdicts(result.results);

    test::TempDir dir;
    test::write_file(dir / "hostile.xml", report::render_junit(result, {}));
    auto r = xmllint_schema(dir / "hostile.xml");
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    // The values survive as text: xmllint reads the message back unchanged where XML allows it.
    auto back = test::run({"xmllint", "--xpath", "string(//failure/@message)", dir / "hostile.xml"});
    CHECK(back.out == "bad\xef\xbf\xbd[31m escape\r\nand \xef\xbf\xbd\xef\xbf\xbd invalid UTF-8, \xef\xbf\xbd nonchar\n");  // xmllint ends its output with a newline
}
