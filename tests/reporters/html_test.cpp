// SPDX-License-Identifier: Apache-2.0
// The HTML report opened in a real browser (headless Chromium from Debian's `chromium`
// package, which scripts/bootstrap installs for the tests): the DOM after the page's script
// ran holds the scores and every failing check, the filter script works under the page's
// Content-Security-Policy, and file names carrying markup stay text. If Chromium cannot run,
// these tests fail: a browser check that silently passes would prove nothing.
#include <doctest/doctest.h>

#include "reporters/reporter.h"
#include "tests/reporters/golden_support.h"

using namespace triad;

namespace {

struct Browser {
    test::TempDir home;  // profile, caches and config: nothing is left in the real $HOME

    test::RunResult run(const std::vector<std::string>& args) {
        std::vector<std::string> argv{"env", "HOME=" + home.path(), "XDG_CONFIG_HOME=" + home / "config",
                                      "XDG_CACHE_HOME=" + home / "cache", "chromium", "--headless", "--no-sandbox",
                                      "--disable-gpu", "--no-first-run", "--disable-background-networking",
                                      "--disable-quic", "--disable-component-update", "--disable-sync",
                                      "--user-data-dir=" + home / "profile"};
        argv.insert(argv.end(), args.begin(), args.end());
        return test::run(argv, 90);
    }
    // The serialised DOM after the page's scripts ran.
    std::string dom(const std::string& url) {
        auto r = run({"--dump-dom", url});
        REQUIRE_MESSAGE(r.exit_code == 0, "chromium failed (exit " << r.exit_code << "): " << r.err);
        REQUIRE_MESSAGE(r.out.find("</html>") != std::string::npos, "no DOM from chromium: " << r.err);
        return r.out;
    }
};

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
}

// The opening tag of the element with this id, as serialised.
std::string tag_with_id(const std::string& dom, const std::string& id) {
    auto at = dom.find("id=\"" + id + "\"");
    REQUIRE_MESSAGE(at != std::string::npos, "no element with id " << id);
    auto open = dom.rfind('<', at);
    return dom.substr(open, dom.find('>', at) - open + 1);
}

}  // namespace

TEST_CASE("html in chromium: scores, weakest pillar, every failing check, working filters, screenshot") {
    const rules::ScanResult result = test::golden_result();
    test::TempDir dir;
    test::write_file(dir / "report.html", report::render_html(result, {}));
    Browser browser;

    // report.html#verdict=fail opens with the verdict filter set: the page's script must run.
    const std::string dom = browser.dom("file://" + dir / "report.html#verdict=fail");
    CHECK(dom.find("id=\"score-confidentiality\">6.8<") != std::string::npos);
    CHECK(dom.find("id=\"score-integrity\">17.0<") != std::string::npos);
    CHECK(dom.find("id=\"score-availability\">31.6<") != std::string::npos);
    CHECK(dom.find("id=\"score-overall\">12.8<") != std::string::npos);
    CHECK(dom.find("Weakest pillar: <strong>Confidentiality</strong>") != std::string::npos);
    std::size_t failing = 0;
    for (const rules::CheckResult& r : result.results) {
        CAPTURE(r.check.id);
        const std::string tag = tag_with_id(dom, "check-" + r.check.id);
        const bool hidden = tag.find(" hidden") != std::string::npos;
        CHECK(hidden == (r.verdict != rules::Verdict::fail));
        failing += r.verdict == rules::Verdict::fail;
    }
    REQUIRE(failing == 5);
    CHECK(dom.find("id=\"shown\">5<") != std::string::npos);
    // The top fixes list, in ranking order: SSH-ROOT-LOGIN gains most.
    const auto fixes = dom.find("<ol class=\"fixes\">");
    REQUIRE(fixes != std::string::npos);
    CHECK(dom.find("check-SSH-ROOT-LOGIN", fixes) < dom.find("check-DAC-SHADOW-MODE", fixes));

    auto shot = browser.run({"--screenshot=" + dir / "report.png", "--window-size=1280,1800", "file://" + dir / "report.html"});
    REQUIRE_MESSAGE(shot.exit_code == 0, shot.err);
    const std::string png = test::read_file(dir / "report.png");
    REQUIRE(png.size() > 24);
    CHECK(png.substr(0, 8) == "\x89PNG\r\n\x1a\n");
    auto be32 = [&](std::size_t at) {
        return (static_cast<unsigned char>(png[at]) << 24) | (static_cast<unsigned char>(png[at + 1]) << 16) |
               (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
    };
    CHECK(be32(16) == 1280);  // IHDR width and height
    CHECK(be32(20) == 1800);
}

TEST_CASE("html in chromium: markup and quotes from the audited system render as text") {
    rules::ScanResult result;
    result.tool_version = "0.1.0";
    result.target = {"/mnt/<b>img</b>", "host\"><script>document.body.setAttribute('data-pwned','host')</script>",
                     "6.1", "os</title><script>document.body.setAttribute('data-pwned','title')</script>"};
    result.started_at = "2026-03-01T00:00:00Z";
    result.policies.push_back({"p", "1", "/etc/triad/<script>.yml"});
    rules::CheckResult c;
    c.check.id = "WW";
    c.check.title = "No world-writable files <script>document.body.setAttribute('data-pwned','check')</script>";
    c.check.policy = "p";
    c.check.severity = rules::Severity::high;
    c.check.impact = {rules::Impact::high, rules::Impact::high, rules::Impact::none};
    c.check.tags = {"x\" data-injected=\"1", "<i>tag</i>"};
    c.check.remediation = "</pre><script>document.body.setAttribute('data-pwned','fix')</script>";
    c.verdict = rules::Verdict::fail;
    c.reason = "it's \"bad\" & <worse>";
    c.evidence = {{"/srv/<script>document.body.setAttribute('data-pwned','file')</script>", {{"mode", "0666"}}},
                  {"/srv/<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">", {{"mode", "0666"}}},
                  {"/srv/\" data-injected=\"1", {{"owner", "'\"><svg onload=alert(1)>"}}}};
    c.evidence_total = 3;
    result.results.push_back(c);
    rules::CheckResult pass = c;
    pass.check.id = "OK";
    pass.verdict = rules::Verdict::pass;
    pass.evidence.clear();
    pass.evidence_total = 0;
    result.results.push_back(pass);

    test::TempDir dir;
    test::write_file(dir / "hostile.html", report::render_html(result, {}));
    Browser browser;
    const std::string dom = browser.dom("file://" + dir / "hostile.html#verdict=fail");

    // Serialised text escapes '<', so every "<script" / "<img" / "<svg" left is a real element.
    CHECK(count(dom, "<script") == 1);  // the page's own
    CHECK(count(dom, "<img") == 0);
    CHECK(count(dom, "<svg") == 1);  // the chart
    CHECK(count(dom, "<b>") == 0);
    CHECK(count(dom, "<i>") == 0);
    CHECK(dom.find("data-pwned=\"") == std::string::npos);
    // A real attribute serialises with its closing quote; the escaped text never has one there.
    CHECK(dom.find("data-injected=\"1\"") == std::string::npos);
    // ... and the names are there, as text.
    CHECK(dom.find("/srv/&lt;script&gt;document.body.setAttribute('data-pwned','file')&lt;/script&gt;") !=
          std::string::npos);
    CHECK(dom.find("/srv/&lt;img src=x onerror=\"document.body.setAttribute('data-pwned','img')\"&gt;") !=
          std::string::npos);
    CHECK(dom.find("it's \"bad\" &amp; &lt;worse&gt;") != std::string::npos);
    // The page's script still ran with the hostile data present: the filter hid the pass.
    CHECK(tag_with_id(dom, "check-OK").find(" hidden") != std::string::npos);
    CHECK(tag_with_id(dom, "check-WW").find(" hidden") == std::string::npos);
}
