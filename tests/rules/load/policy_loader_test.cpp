// SPDX-License-Identifier: Apache-2.0
// Every policy mistake is rejected whole, with the exact FILE:LINE:COLUMN.
#include "rules/load/policy_loader.h"

#include <doctest/doctest.h>

#include "tests/test_support.h"

using triad::rules::load_policies;
using triad::rules::load_policy_text;
using triad::rules::LoadResult;

namespace {

constexpr const char* kValid = R"(policy: { id: p, title: t, version: "1" }
checks:
  - id: A-1
    title: shadow
    severity: high
    impact: { c: high, i: high, a: none }
    select: { collector: file, path: /etc/shadow }
    expect: { field: mode, at_most: "0640" }
)";

std::string first_error(const LoadResult& r) {
    REQUIRE_FALSE(r.ok());
    return r.diagnostics.front().str();
}

}  // namespace

TEST_CASE("a valid policy loads with its checks compiled") {
    LoadResult r = load_policy_text(kValid, "valid.yml");
    REQUIRE(r.ok());
    REQUIRE(r.policies.size() == 1);
    CHECK(r.policies[0].checks.size() == 1);
    CHECK(r.policies[0].checks[0].pos.str() == "valid.yml:3:5");
}

TEST_CASE("policy errors carry their position") {
    SUBCASE("YAML syntax error") {
        auto r = load_policy_text("policy: { id: p, title: t, version: 1 }\nchecks:\n  - id: [unclosed\n", "syntax.yml");
        CHECK(first_error(r).starts_with("syntax.yml:4:1: YAML syntax:"));
        CHECK(r.policies.empty());
    }
    SUBCASE("unknown key, with a suggestion") {
        std::string text = kValid;
        text.replace(text.find("severity"), 8, "severty");
        auto r = load_policy_text(text, "unknown.yml");
        CHECK(first_error(r) == "unknown.yml:5:5: unknown key 'severty' in a check (did you mean 'severity'?)");
    }
    SUBCASE("bad regex") {
        std::string text = kValid;
        text.replace(text.find("{ field: mode, at_most: \"0640\" }"), 32, "{ field: name, matches: \"(x\" }");
        auto r = load_policy_text(text, "regex.yml");
        CHECK(first_error(r).starts_with("regex.yml:8:37: bad regex '(x' at offset 2"));
    }
    SUBCASE("duplicate id in one file") {
        std::string text = kValid;
        text += text.substr(text.find("  - id: A-1"));
        auto r = load_policy_text(text, "dup.yml");
        CHECK(first_error(r) == "dup.yml:9:5: duplicate check id 'A-1' (first defined at dup.yml:3:5)");
    }
    SUBCASE("unknown field, collector and enum values") {
        std::string text = kValid;
        text.replace(text.find("field: mode"), 11, "field: mdoe");
        CHECK(first_error(load_policy_text(text, "f.yml")) == "f.yml:8:22: unknown field 'mdoe' (did you mean 'mode'?)");
        text = kValid;
        text.replace(text.find("collector: file"), 15, "collector: fiel");
        CHECK(first_error(load_policy_text(text, "c.yml")) == "c.yml:7:26: unknown collector 'fiel' (did you mean 'file'?)");
        text = kValid;
        text.replace(text.find("severity: high"), 14, "severity: severe");
        CHECK(first_error(load_policy_text(text, "s.yml")) ==
              "s.yml:5:15: severity must be one of info, low, medium, high, critical");
        text = kValid;
        text.replace(text.find("a: none"), 7, "a: some");
        CHECK(first_error(load_policy_text(text, "i.yml")) == "i.yml:6:36: impact must be none, low or high");
    }
    SUBCASE("operand types") {
        std::string text = kValid;
        text.replace(text.find("\"0640\""), 6, "\"0986\"");
        CHECK(first_error(load_policy_text(text, "m.yml")) ==
              "m.yml:8:37: '0986' is not an octal mode such as \"0640\"");
        text = kValid;
        text.replace(text.find("at_most: \"0640\""), 15, "lt: \"x\"");
        CHECK(first_error(load_policy_text(text, "o.yml")) == "o.yml:8:32: 'x' is not an octal mode such as \"0640\"");
        text = kValid;
        text.replace(text.find("field: mode, at_most: \"0640\""), 28, "field: owner, at_most: \"0640\"");
        CHECK(first_error(load_policy_text(text, "k.yml")).find("'at_most' does not apply to string field 'owner'") !=
              std::string::npos);
    }
    SUBCASE("missing required keys") {
        auto r = load_policy_text("policy: { id: p, title: t, version: \"1\" }\nchecks:\n  - id: X\n", "m.yml");
        REQUIRE(r.diagnostics.size() >= 4);
        CHECK(r.diagnostics[0].str() == "m.yml:3:5: check X needs 'title'");
        for (const auto& d : r.diagnostics) CHECK_MESSAGE(d.pos.str() == "m.yml:3:5", d.str());  // a missing key is reported at its map
    }
    SUBCASE("an empty file") {
        CHECK(first_error(load_policy_text("", "e.yml")) == "e.yml:1:1: a policy is a map with 'policy' and 'checks'");
    }
    SUBCASE("hostile nesting is refused, not recursed into") {
        std::string deep = "{ field: mode, at_most: \"0640\" }";
        for (int i = 0; i < 40; ++i) deep = "{ all: [ " + deep + " ] }";
        std::string text = kValid;
        text.replace(text.find("{ field: mode, at_most: \"0640\" }"), 32, deep);
        CHECK(first_error(load_policy_text(text, "deep.yml")).find("nested deeper than 32 levels") != std::string::npos);
    }
}

TEST_CASE("YAML aliases cannot make a small policy expand without bound") {
    // Ten levels of ten references each: 10^10 leaves if expanded.
    std::string text = "policy: { id: p, title: t, version: \"1\" }\nx0: &l0 { field: mode, at_most: \"0640\" }\n";
    for (int i = 1; i <= 10; ++i) {
        std::string prev = "*l" + std::to_string(i - 1);
        text += "x" + std::to_string(i) + ": &l" + std::to_string(i) + " { all: [";
        for (int k = 0; k < 10; ++k) text += (k ? ", " : "") + prev;
        text += "] }\n";
    }
    text += "checks:\n  - id: BOMB\n    title: t\n    severity: low\n    impact: { c: low, i: none, a: none }\n"
            "    select: { collector: file, path: /x }\n    expect: *l10\n";
    auto r = load_policy_text(text, "bomb.yml");
    // The reader counts every node it materialises, so the refusal comes before anything is
    // expanded, at the anchor whose copy would pass the budget.
    CHECK(first_error(r) == "bomb.yml:7:5: the document has more than 1000000 nodes (YAML aliases expand); refused");
    CHECK(r.diagnostics.size() == 1);
}

TEST_CASE("a condition under expect beside 'objects' reports its own position") {
    // `objects:` is the quantifier's key; the condition is the rest of the same map, compiled in
    // place, so its errors point into the file (they once printed FILE:0:0).
    const std::string head = std::string(kValid).substr(0, std::string(kValid).find("    expect:"));
    auto with_expect = [&](const std::string& expect) { return head + "    expect:\n" + expect; };
    SUBCASE("no operator: reported at the expect map") {
        auto r = load_policy_text(with_expect("      objects: any\n      field: mode\n"), "e.yml");
        CHECK(first_error(r) ==
              "e.yml:9:7: a condition needs one operator: eq ne in lt le gt ge at_most matches contains exists");
    }
    SUBCASE("two operators, in flow style") {
        auto r = load_policy_text(with_expect("      { objects: any, field: mode, eq: \"0600\", ne: \"0644\" }\n"), "e.yml");
        CHECK(first_error(r) == "e.yml:9:7: a condition takes exactly one operator");
    }
    SUBCASE("unknown field") {
        auto r = load_policy_text(with_expect("      objects: any\n      field: mdoe\n      eq: x\n"), "e.yml");
        CHECK(first_error(r) == "e.yml:10:14: unknown field 'mdoe' (did you mean 'mode'?)");
    }
    SUBCASE("bad operand") {
        auto r = load_policy_text(with_expect("      objects: any\n      field: mode\n      at_most: \"0986\"\n"), "e.yml");
        CHECK(first_error(r) == "e.yml:11:16: '0986' is not an octal mode such as \"0640\"");
    }
    SUBCASE("a misspelt key, with 'objects' known at this level") {
        auto r = load_policy_text(with_expect("      objects: any\n      field: mode\n      eq: \"0600\"\n      fild: x\n"), "e.yml");
        CHECK(first_error(r) == "e.yml:12:7: unknown key 'fild' in a condition (did you mean 'field'?)");
    }
    SUBCASE("a loaded condition carries the position of the expect map") {
        auto r = load_policy_text(with_expect("      objects: any\n      all:\n        - { field: owner, eq: root }\n"), "e.yml");
        REQUIRE(r.ok());
        const auto& expect = r.policies[0].checks[0].expect;
        CHECK(expect.objects == triad::rules::Quantifier::any);
        REQUIRE(expect.condition);
        CHECK(expect.condition->pos.str() == "e.yml:9:7");
        CHECK(expect.condition->children.at(0).pos.str() == "e.yml:11:11");
    }
}

TEST_CASE("a mistake in one check's shape does not hide another check's compile error") {
    std::string text = kValid;
    text.replace(text.find("field: mode"), 11, "field: mdoe");
    text += "  - id: B-1\n    title: t\n    impact: { c: high, i: high, a: none }\n"
            "    select: { collector: file, path: /x }\n    expect: none\n";
    auto r = load_policy_text(text, "two.yml");
    REQUIRE(r.diagnostics.size() == 2);
    CHECK(r.diagnostics[0].str() == "two.yml:9:5: check B-1 needs 'severity'");
    CHECK(r.diagnostics[1].str() == "two.yml:8:22: unknown field 'mdoe' (did you mean 'mode'?)");
    CHECK(r.policies.empty());
}

TEST_CASE("duplicate check ids across files are rejected with both positions") {
    triad::test::TempDir dir;
    triad::test::write_file(dir / "a.yml", kValid);
    std::string other = kValid;
    other.replace(other.find("id: p,"), 6, "id: q,");
    triad::test::write_file(dir / "b.yml", other);
    auto r = load_policies({dir.path()});
    CHECK(first_error(r) == dir / "b.yml" + ":3:5: duplicate check id 'A-1' (first defined at " + dir / "a.yml" + ":3:5)");
}

TEST_CASE("a policy path that is not a readable regular file is an error naming it") {
    triad::test::TempDir dir;
    auto r = load_policies({dir / "missing.yml"});
    CHECK(first_error(r) == dir / "missing.yml" + ":0:0: no such file or directory");
    triad::test::TempDir empty;
    CHECK(first_error(load_policies({empty.path()})).find("no *.yml or *.yaml policy") != std::string::npos);
}
