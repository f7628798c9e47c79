// SPDX-License-Identifier: Apache-2.0
// Every operator, through the real loader, against facts shaped like the collectors' output.
#include "rules/eval/condition.h"
#include "rules/load/condition_compile.h"

#include <doctest/doctest.h>

#include "rules/load/policy_loader.h"
#include "scanner/collectors/files/config.h"
#include "scanner/walk/file_entry.h"

using namespace triad;
using namespace triad::rules;
using scanner::Fact;
using scanner::Value;

namespace {

// Compiles `expect` for a check on `collector` and returns the policy that owns it.
Policy compile(const std::string& collector, const std::string& expect) {
    std::string select = collector == "file" ? "{ collector: file, path: /x }"
                                             : "{ collector: config, path: /x, key: K }";
    std::string text = "policy: { id: p, title: t, version: \"1\" }\nchecks:\n  - id: C\n    title: t\n"
                       "    severity: low\n    impact: { c: low, i: none, a: none }\n    select: " +
                       select + "\n    expect: " + expect + "\n";
    LoadResult r = load_policy_text(text, "t.yml");
    if (!r.ok()) FAIL(r.diagnostics.front().str());
    return std::move(r.policies.front());
}

Fact file_fact(std::uint32_t mode, const std::string& owner, bool setuid = false) {
    Fact f;
    f.object = "/x";
    f.fields.resize(scanner::kFileFieldCount);
    f.fields[scanner::kFileMode] = Value{scanner::Mode{mode}};
    f.fields[scanner::kFileOwner] = Value{owner};
    f.fields[scanner::kFileSetuid] = Value{setuid};
    f.fields[scanner::kFileUid] = Value{std::int64_t{0}};
    return f;
}

Fact config_fact(const std::string& value, scanner::StringList values = {}) {
    Fact f;
    f.object = "/x: K";
    f.fields.resize(scanner::kConfigFieldCount);
    f.fields[scanner::kConfigValue] = Value{value};
    f.fields[scanner::kConfigValues] = Value{std::move(values)};
    return f;
}

bool holds(const Policy& p, const Fact& f) { return evaluate(*p.checks[0].expect.condition, f); }

}  // namespace

TEST_CASE("at_most compares permission bits, not numbers") {
    Policy p = compile("file", "{ field: mode, at_most: \"0644\" }");
    CHECK(holds(p, file_fact(0644, "root")));
    CHECK(holds(p, file_fact(0600, "root")));   // stricter passes
    CHECK(holds(p, file_fact(0400, "root")));
    CHECK_FALSE(holds(p, file_fact(0646, "root")));
    CHECK_FALSE(holds(p, file_fact(0700, "root")));  // 0700 < 0644 numerically is not the point: x for owner is extra
    CHECK_FALSE(holds(p, file_fact(04644, "root")));  // setuid is a bit too
}

TEST_CASE("eq, ne, in, exists") {
    CHECK(holds(compile("file", "{ field: owner, eq: root }"), file_fact(0, "root")));
    CHECK_FALSE(holds(compile("file", "{ field: owner, eq: root }"), file_fact(0, "bin")));
    CHECK(holds(compile("file", "{ field: owner, ne: root }"), file_fact(0, "bin")));
    CHECK(holds(compile("file", "{ field: owner, in: [root, bin] }"), file_fact(0, "bin")));
    CHECK(holds(compile("file", "{ field: setuid, eq: false }"), file_fact(0, "x", false)));
    CHECK(holds(compile("file", "{ field: mode, eq: \"0640\" }"), file_fact(0640, "x")));

    Fact unowned = file_fact(0644, "x");
    unowned.fields[scanner::kFileOwner].reset();
    CHECK(holds(compile("file", "{ field: owner, exists: false }"), unowned));
    CHECK_FALSE(holds(compile("file", "{ field: owner, eq: root }"), unowned));   // absent equals nothing
    CHECK(holds(compile("file", "{ field: owner, ne: root }"), unowned));
}

TEST_CASE("ordering: integers, converted config values, and Debian versions") {
    CHECK(holds(compile("config", "{ field: value, as: integer, le: 365 }"), config_fact("90")));
    CHECK_FALSE(holds(compile("config", "{ field: value, as: integer, le: 365 }"), config_fact("99999")));
    CHECK_FALSE(holds(compile("config", "{ field: value, as: integer, le: 365 }"), config_fact("many")));
    CHECK(holds(compile("config", "{ field: value, as: mode, at_most: \"027\" }"), config_fact("027")));
    CHECK(holds(compile("config", "{ field: value, as: mode, at_most: \"027\" }"), config_fact("022")));
    CHECK_FALSE(holds(compile("config", "{ field: value, as: mode, at_most: \"027\" }"), config_fact("077")));
    CHECK(holds(compile("config", "{ field: value, as: version, ge: \"1.2~rc1\" }"), config_fact("1.2")));
    CHECK_FALSE(holds(compile("config", "{ field: value, as: version, ge: \"1:0.1\" }"), config_fact("9.9")));
    CHECK(holds(compile("config", "{ field: value, as: version, lt: \"2.36-9+deb12u4\" }"), config_fact("2.36-9+deb12u3")));
}

TEST_CASE("matches and contains on strings and lists") {
    CHECK(holds(compile("config", "{ field: value, matches: \"^(no|prohibit-password)$\" }"), config_fact("no")));
    CHECK_FALSE(holds(compile("config", "{ field: value, matches: \"^no$\" }"), config_fact("yes")));
    CHECK(holds(compile("config", "{ field: value, contains: cbc }"), config_fact("aes128-cbc,aes256-ctr")));
    CHECK(holds(compile("config", "{ field: values, contains: \"2\" }"), config_fact("2", {"1", "2"})));
    CHECK_FALSE(holds(compile("config", "{ field: values, contains: \"3\" }"), config_fact("2", {"1", "2"})));
    CHECK(holds(compile("config", "{ field: values, matches: \"^1$\" }"), config_fact("2", {"1", "2"})));
}

TEST_CASE("all, any, none and their evidence") {
    Policy p = compile("file", "{ all: [ { field: mode, at_most: \"0640\" }, { field: owner, eq: root } ] }");
    std::vector<std::pair<std::string, std::string>> observed;
    CHECK_FALSE(evaluate(*p.checks[0].expect.condition, file_fact(0644, "bin"), &observed));
    REQUIRE(observed.size() == 2);  // both failing fields are shown, not only the first
    CHECK(observed[0] == std::pair<std::string, std::string>{"mode", "0644"});
    CHECK(observed[1] == std::pair<std::string, std::string>{"owner", "bin"});

    Policy any = compile("file", "{ any: [ { field: owner, eq: root }, { field: mode, eq: \"0600\" } ] }");
    CHECK(holds(any, file_fact(0600, "bin")));
    CHECK_FALSE(holds(any, file_fact(0644, "bin")));

    Policy none = compile("file", "{ none: [ { field: setuid, eq: true }, { field: owner, eq: games } ] }");
    CHECK(holds(none, file_fact(0755, "root", false)));
    CHECK_FALSE(holds(none, file_fact(04755, "root", true)));
    CHECK(describe(*none.checks[0].expect.condition) == "none(setuid eq true; owner eq games)");
}
