// SPDX-License-Identifier: Apache-2.0
#include "reporters/text_escape.h"

#include <doctest/doctest.h>

using namespace triad::report;

TEST_CASE("valid_utf8 replaces every invalid sequence with U+FFFD") {
    const std::string r = "\xEF\xBF\xBD";
    SUBCASE("valid text is untouched") { CHECK(valid_utf8("caf\xC3\xA9 \xF0\x9F\x94\x92") == "caf\xC3\xA9 \xF0\x9F\x94\x92"); }
    SUBCASE("stray bytes") { CHECK(valid_utf8("a\xFF" "b\x80") == "a" + r + "b" + r); }
    SUBCASE("truncated sequence at the end") { CHECK(valid_utf8("x\xE2\x82") == "x" + r + r); }
    SUBCASE("overlong encoding of '/'") { CHECK(valid_utf8("\xC0\xAF") == r + r); }
    SUBCASE("UTF-16 surrogate") { CHECK(valid_utf8("\xED\xA0\x80") == r + r + r); }
    SUBCASE("beyond U+10FFFF") { CHECK(valid_utf8("\xF4\x90\x80\x80") == r + r + r + r); }
}

TEST_CASE("html_escape makes markup and quotes inert in text and attributes") {
    CHECK(html_escape("<script>alert(\"x\")</script>") == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    CHECK(html_escape("it's & that") == "it&#39;s &amp; that");
    CHECK(html_escape("tab\tnl\n\x1b[31m") == "tab\tnl\n\xEF\xBF\xBD[31m");
}

TEST_CASE("xml_escape keeps XML 1.0 well-formed") {
    CHECK(xml_escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&apos;");
    CHECK(xml_escape("\t\n\r") == "&#9;&#10;&#13;");
    CHECK(xml_escape(std::string("\x00\x01", 2)) == "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(xml_escape("\xEF\xBF\xBE\xEF\xBF\xBF") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // U+FFFE, U+FFFF
    CHECK(xml_escape("]]>") == "]]&gt;");
}

TEST_CASE("markdown_escape: nothing becomes markup, links, HTML, mentions or table breaks") {
    // A backslash shows as \\ (terminal_safe's escape of it), each half escaped for Markdown.
    CHECK(markdown_escape("*a* _b_ `c` [d](e) <f> | @g #h $i$ ~j~ \\") ==
          "\\*a\\* \\_b\\_ \\`c\\` \\[d\\]\\(e\\) \\<f\\> \\| \\@g \\#h \\$i\\$ \\~j\\~ \\\\\\\\");
    CHECK(markdown_escape("/etc/ssh/sshd_config") == "/etc/ssh/sshd\\_config");
    CHECK(markdown_escape("https://x") == "https\\://x");
}

TEST_CASE("csv fields follow RFC 4180 and neutralise formulas") {
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\r\nlines") == "\"two\r\nlines\"");
    CHECK(csv_untrusted_field("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"");
    CHECK(csv_untrusted_field("@SUM(A1)") == "'@SUM(A1)");
    CHECK(csv_untrusted_field("+1") == "+1");  // a plain number stays a number
    CHECK(csv_untrusted_field("-12.5") == "-12.5");
    CHECK(csv_untrusted_field("-cmd") == "'-cmd");
    CHECK(csv_untrusted_field("/etc/passwd") == "/etc/passwd");
}

TEST_CASE("scores and gains print with one decimal") {
    CHECK(format_score(std::nullopt) == "n/a");
    CHECK(format_score(87.25) == "87.2");
    CHECK(format_score(100.0) == "100.0");
    CHECK(format_gain(12.46) == "+12.5");
    CHECK(format_gain(1e-12) == "+0.0");
}

// ---------------------------------------------------------------- issue 9, class 7
// Hostile strings (terminal escapes, a bidi override, invalid UTF-8) in every field a result
// or a policy can carry must come out inert in every text format and in every message.

TEST_CASE("terminal_safe escapes controls unambiguously, so a name can be copied back") {
    CHECK(terminal_safe("a\x1b]0;title\x07z") == "a\\x1b]0;title\\x07z");
    CHECK(terminal_safe("two\nlines\tand\r") == "two\\nlines\\tand\\r");
    CHECK(terminal_safe("back\\slash") == "back\\\\slash");  // else "\x1b" would be ambiguous
    CHECK(terminal_safe("\xC2\x9B" "31m") == "\\u009b31m");   // C1 CSI
    CHECK(terminal_safe("file\xE2\x80\xAEtxt.exe") == "file\\u202etxt.exe");  // RIGHT-TO-LEFT OVERRIDE
    CHECK(terminal_safe("\xE2\x81\xA6x\xE2\x81\xA9") == "\\u2066x\\u2069");    // isolates
    CHECK(terminal_safe("bad\xFF\xC3") == "bad\\xff\\xc3");                    // invalid UTF-8, byte by byte
    CHECK(terminal_safe("caf\xC3\xA9 \xF0\x9F\x94\x92") == "caf\xC3\xA9 \xF0\x9F\x94\x92");  // text stays text
    CHECK(terminal_safe(std::string("nul\0x", 5)) == "nul\\x00x");
}

TEST_CASE("markdown and CSV neutralise controls and bidi overrides too") {
    CHECK(markdown_escape("a\x1b[31mb") == "a\\\\x1b\\[31mb");
    CHECK(markdown_escape("x\xE2\x80\xAEy") == "x\\\\u202ey");
    CHECK(markdown_escape("line\nbreak") == "line\\\\nbreak");
    CHECK(csv_untrusted_field("/tmp/\x1b]0;t\x07") == "/tmp/\\x1b]0;t\\x07");
    CHECK(csv_untrusted_field("a\nb") == "a\\nb");
    CHECK(csv_untrusted_field("\t=1+1") == "\\t=1+1");  // no longer starts a formula either
    CHECK(html_escape("x\xE2\x80\xAEy\xC2\x9B") == "x\xEF\xBF\xBDy\xEF\xBF\xBD");
    CHECK(xml_escape("x\xE2\x80\xAEy") == "x\xEF\xBF\xBDy");
}
