// SPDX-License-Identifier: Apache-2.0
#include "base/pattern.h"

#include <doctest/doctest.h>

using triad::Glob;
using triad::MatchOutcome;
using triad::Regex;

TEST_CASE("globs: '*' stays in a component, '**' crosses them") {
    struct Case {
        const char* glob;
        const char* path;
        bool matches;
    } cases[] = {
        {"/tmp/**", "/tmp/a/b/c", true},
        {"/tmp/**", "/tmpfoo/a", false},
        {"/etc/*.conf", "/etc/a.conf", true},
        {"/etc/*.conf", "/etc/sub/a.conf", false},
        {"/var/**/*.log", "/var/log/syslog.log", true},
        {"/var/**/*.log", "/var/x.log", true},
        {"/dev/sd[a-c]", "/dev/sdb", true},
        {"/dev/sd[!a-c]", "/dev/sdb", false},
        {"/home/?", "/home/a", true},
        {"/a+b(c)", "/a+b(c)", true},
    };
    for (const Case& c : cases) {
        CAPTURE(c.glob);
        CAPTURE(c.path);
        CHECK(Glob::compile(c.glob).value().matches(c.path) == c.matches);
    }
    CHECK(Glob::compile("/tmp/**").value().subtree().value() == "/tmp");
    CHECK_FALSE(Glob::compile("/tmp/*/x/**").value().subtree().has_value());
    CHECK(Glob::compile("/etc/ssh/*_key").value().literal_prefix() == "/etc/ssh");
    CHECK_FALSE(Glob::compile("/dev/[abc").has_value());
}

TEST_CASE("regexes are PCRE2 and reject bad patterns with the offset") {
    CHECK(Regex::compile("^ssh-(rsa|dss)$").value().search("ssh-dss").outcome == MatchOutcome::match);
    CHECK(Regex::compile("^ssh-(rsa|dss)$").value().search("ssh-ed25519").outcome == MatchOutcome::no_match);
    CHECK(Regex::compile("permit", true).value().search("PERMIT").outcome == MatchOutcome::match);
    auto bad = Regex::compile("(unclosed");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.find("offset 9") != std::string::npos);
}

TEST_CASE("a catastrophic pattern gives up instead of hanging, and says so") {
    auto re = Regex::compile("^(a+)+$").value();
    std::string subject(5000, 'a');
    subject += 'b';
    // The match limit stops the backtracking; giving up is not "no match", which would
    // let an `expect: none` check pass on a subject nobody looked at.
    auto result = re.search(subject);
    CHECK(result.outcome == MatchOutcome::gave_up);
    CHECK(result.reason == "regex '^(a+)+$' gave up on 5001 bytes: match limit exceeded");
    CHECK(re.search("aaaa").outcome == MatchOutcome::match);
    CHECK(re.search("aaab").outcome == MatchOutcome::no_match);
}
