// SPDX-License-Identifier: Apache-2.0
#include "base/pattern.h"

#include <doctest/doctest.h>

using triad::Glob;
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
    CHECK(Regex::compile("^ssh-(rsa|dss)$").value().search("ssh-dss"));
    CHECK_FALSE(Regex::compile("^ssh-(rsa|dss)$").value().search("ssh-ed25519"));
    CHECK(Regex::compile("permit", true).value().search("PERMIT"));
    auto bad = Regex::compile("(unclosed");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.find("offset 9") != std::string::npos);
}

TEST_CASE("a catastrophic pattern gives up instead of hanging") {
    auto re = Regex::compile("^(a+)+$").value();
    std::string subject(5000, 'a');
    subject += 'b';
    CHECK_FALSE(re.search(subject));  // the match limit stops the backtracking
}
