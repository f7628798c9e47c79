// SPDX-License-Identifier: Apache-2.0
// Every operator, through the loader's stages (reader, validation, compile), against facts
// shaped like the collectors' output.
#include "rules/eval/condition.h"
#include "rules/load/condition_compile.h"

#include <doctest/doctest.h>

#include "rules/load/validate.h"
#include "rules/load/yaml_reader.h"
#include "scanner/collectors/files/config.h"
#include "scanner/core/registry.h"
#include "scanner/walk/file_entry.h"

using namespace triad;
using namespace triad::rules;
using scanner::Fact;
using scanner::Value;

namespace {

// Compiles YAML text as the `expect` condition of a check on `collector`.
Condition compile(const std::string& collector, const std::string& expect) {
    DiagnosticSink diags("t.yml");
    std::optional<RawNode> node = read_yaml(expect, diags);
    std::optional<Condition> condition;
    if (node) validate_condition(*node, ConditionSite::expect, diags);
    if (node && diags.empty())
        condition = compile_condition(*node, ConditionSite::expect, scanner::find_collector(collector)->fields, diags);
    if (!condition) FAIL(diags.take().front().str());
    return std::move(*condition);
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

bool holds(const Condition& c, const Fact& f) { return evaluate(c, f) == Truth::yes; }

}  // namespace

TEST_CASE("at_most compares permission bits, not numbers") {
    Condition p = compile("file", "{ field: mode, at_most: \"0644\" }");
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
    Condition p = compile("file", "{ all: [ { field: mode, at_most: \"0640\" }, { field: owner, eq: root } ] }");
    std::vector<std::pair<std::string, std::string>> observed;
    CHECK(evaluate(p, file_fact(0644, "bin"), nullptr, &observed) == Truth::no);
    REQUIRE(observed.size() == 2);  // both failing fields are shown, not only the first
    CHECK(observed[0] == std::pair<std::string, std::string>{"mode", "0644"});
    CHECK(observed[1] == std::pair<std::string, std::string>{"owner", "bin"});

    Condition any = compile("file", "{ any: [ { field: owner, eq: root }, { field: mode, eq: \"0600\" } ] }");
    CHECK(holds(any, file_fact(0600, "bin")));
    CHECK_FALSE(holds(any, file_fact(0644, "bin")));

    Condition none = compile("file", "{ none: [ { field: setuid, eq: true }, { field: owner, eq: games } ] }");
    CHECK(holds(none, file_fact(0755, "root", false)));
    CHECK_FALSE(holds(none, file_fact(04755, "root", true)));
    CHECK(describe(none) == "none(setuid eq true; owner eq games)");
}

TEST_CASE("a regex that gives up leaves its leaf unknown, and all/any/none follow Kleene's logic") {
    // value: a subject on which ^(a+)+$ backtracks past PCRE2's match limit; values: {"1"}.
    const Fact f = config_fact(std::string(5000, 'a') + "!", {"1"});
    const std::string undecided = "{ field: value, matches: \"^(a+)+$\" }";
    const std::string yes = "{ field: values, contains: \"1\" }";
    const std::string no = "{ field: values, contains: \"9\" }";
    auto truth = [&](const std::string& expect) { return evaluate(compile("config", expect), f); };
    struct Case {
        std::string expect;
        Truth want;
    } cases[] = {
        {undecided, Truth::unknown},
        {"{ all: [" + yes + ", " + undecided + "] }", Truth::unknown},
        {"{ all: [" + undecided + ", " + no + "] }", Truth::no},  // one failure settles `all`
        {"{ any: [" + undecided + ", " + yes + "] }", Truth::yes},  // one success settles `any`
        {"{ any: [" + no + ", " + undecided + "] }", Truth::unknown},
        {"{ none: [" + undecided + ", " + yes + "] }", Truth::no},
        {"{ none: [" + no + ", " + undecided + "] }", Truth::unknown},  // was a pass: the defect
        {"{ none: [ { all: [" + no + ", " + undecided + "] } ] }", Truth::yes},
        {"{ any: [ { none: [" + undecided + "] }, " + no + "] }", Truth::unknown},
        {"{ field: value, ne: x }", Truth::yes},
    };
    for (const Case& c : cases) {
        CAPTURE(c.expect);
        CHECK(truth(c.expect) == c.want);
    }

    std::string why;
    CHECK(evaluate(compile("config", "{ all: [" + yes + ", " + undecided + "] }"), f, &why) ==
          Truth::unknown);
    CHECK(why == "value: regex '^(a+)+$' gave up on 5001 bytes: match limit exceeded");

    // In a list, one element that matches decides; one the regex gave up on leaves it open.
    CHECK(evaluate(compile("config", "{ field: values, matches: \"^(a+)+$\" }"),
                   config_fact("x", {std::string(5000, 'a') + "!", "aa"})) == Truth::yes);
    CHECK(evaluate(compile("config", "{ field: values, matches: \"^(a+)+$\" }"),
                   config_fact("x", {std::string(5000, 'a') + "!", "b"})) == Truth::unknown);
}
