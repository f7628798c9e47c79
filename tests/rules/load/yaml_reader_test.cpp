// SPDX-License-Identifier: Apache-2.0
// The YAML reader: raw nodes keep the 1-based line and column of what they were read from,
// aliases become copies within a node budget, nesting is bounded, and every refusal is
// positioned.
#include "rules/load/yaml_reader.h"

#include <doctest/doctest.h>

#include <string>

using namespace triad::rules;

namespace {

std::string at(const RawNode& node) { return std::to_string(node.line) + ":" + std::to_string(node.column); }

RawNode read_ok(const std::string& text) {
    DiagnosticSink diags("r.yml");
    std::optional<RawNode> node = read_yaml(text, diags);
    REQUIRE_MESSAGE(diags.empty(), (diags.empty() ? "" : diags.take().front().str()));
    REQUIRE(node);
    return std::move(*node);
}

std::string refusal(const std::string& text, const ReadLimits& limits = {}) {
    DiagnosticSink diags("r.yml");
    std::optional<RawNode> node = read_yaml(text, diags, limits);
    CHECK_FALSE(node);
    std::vector<Diagnostic> d = diags.take();
    REQUIRE(d.size() == 1);
    return d.front().str();
}

}  // namespace

TEST_CASE("reader: nodes keep where they are written, keys included") {
    RawNode root = read_ok("a: 1\nlist:\n  - x\n  - { k: v }\n");
    REQUIRE(root.is_map());
    CHECK(at(root) == "1:1");
    REQUIRE(root.entries.size() == 2);
    CHECK(at(root.entries[0].key) == "1:1");
    CHECK(at(root.entries[0].value) == "1:4");
    CHECK(root.entries[0].value.text == "1");
    const RawNode* list = root.get("list");
    REQUIRE(list);
    REQUIRE(list->is_sequence());
    CHECK(at(*root.key_of("list")) == "2:1");
    CHECK(at(list->items[0]) == "3:5");
    CHECK(at(list->items[1]) == "4:5");
    CHECK(at(*list->items[1].key_of("k")) == "4:7");
    CHECK(list->items[1].get("k")->text == "v");
    CHECK(root.get("missing") == nullptr);
}

TEST_CASE("reader: a plain null is null, a quoted one is a string") {
    RawNode root = read_ok("a:\nb: ~\nc: null\nd: \"null\"\n");
    CHECK(root.get("a")->is_null());
    CHECK(root.get("b")->is_null());
    CHECK(root.get("c")->is_null());
    CHECK(root.get("d")->is_scalar());
    CHECK(root.get("d")->text == "null");
}

TEST_CASE("reader: the first of duplicate keys is the one looked up, both are kept") {
    RawNode root = read_ok("k: first\nk: second\n");
    CHECK(root.entries.size() == 2);
    CHECK(root.get("k")->text == "first");
}

TEST_CASE("reader: an empty document is a null node at 1:1") {
    CHECK(at(read_ok("")) == "1:1");
    CHECK(read_ok("# only a comment\n").is_null());
}

TEST_CASE("reader: only the first document is read") {
    RawNode root = read_ok("a: 1\n---\nb: 2\n");
    CHECK(root.get("a"));
    CHECK_FALSE(root.get("b"));
}

TEST_CASE("reader: an alias is a copy of its anchor, positioned where the anchor is written") {
    // A node with an anchor starts at its `&`, as yaml-cpp marks it.
    RawNode root = read_ok("base: &b { field: mode, eq: x }\nuse: *b\n");
    const RawNode* use = root.get("use");
    REQUIRE(use);
    REQUIRE(use->is_map());
    CHECK(use->get("eq")->text == "x");
    CHECK(at(*use) == "1:7");
    CHECK(at(*use->key_of("eq")) == "1:25");
}

TEST_CASE("reader: syntax errors are positioned") {
    CHECK(refusal("a: [unclosed\n").starts_with("r.yml:2:1: YAML syntax:"));
    CHECK(refusal("a: *nowhere\n").starts_with("r.yml:1:4: YAML syntax:"));
}

TEST_CASE("reader: an alias inside the node it names is refused, not expanded forever") {
    CHECK(refusal("a: &a [x, *a]\n") == "r.yml:1:11: a YAML alias refers to a node that contains it; refused");
}

TEST_CASE("reader: aliases cannot make a small text expand without bound") {
    // Ten levels of ten references each: 10^10 nodes if expanded; refused where the
    // expansion passes the budget, without building it.
    std::string text = "l0: &l0 [x, y]\n";
    for (int i = 1; i <= 10; ++i) {
        text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
        for (int k = 0; k < 10; ++k) text += std::string(k ? ", " : "") + "*l" + std::to_string(i - 1);
        text += "]\n";
    }
    CHECK(refusal(text) == "r.yml:7:10: the document has more than 1000000 nodes (YAML aliases expand); refused");

    ReadLimits small;
    small.max_nodes = 10;
    CHECK(refusal("[a, b, c, d, e, f, g, h, i, j, k]\n", small) ==
          "r.yml:1:29: the document has more than 10 nodes (YAML aliases expand); refused");
}

TEST_CASE("reader: nesting deeper than the limit is refused at the level that passes it") {
    const std::string deep = std::string(200, '[') + std::string(200, ']') + "\n";
    CHECK(refusal(deep) == "r.yml:1:129: YAML nested deeper than 128 levels; refused");
    ReadLimits shallow;
    shallow.max_depth = 3;
    CHECK(read_ok("a: [[x]]\n").is_map());
    CHECK(refusal("a: [[[x]]]\n", shallow) == "r.yml:1:6: YAML nested deeper than 3 levels; refused");
    // An alias counts with the depth of what it copies.
    CHECK(refusal("a: &a [[x]]\nb: [*a]\n", shallow) == "r.yml:2:5: YAML nested deeper than 3 levels; refused");
}

TEST_CASE("reader: integers read as the loader always has") {
    RawNode root = read_ok("[12, 0x10, 010, -3, 1.5, twelve, \"7\"]\n");
    CHECK(scalar_integer(root.items[0]) == 12);
    CHECK(scalar_integer(root.items[1]) == 16);
    CHECK(scalar_integer(root.items[2]) == 8);
    CHECK(scalar_integer(root.items[3]) == -3);
    CHECK_FALSE(scalar_integer(root.items[4]));
    CHECK_FALSE(scalar_integer(root.items[5]));
    CHECK(scalar_integer(root.items[6]) == 7);
    CHECK_FALSE(scalar_integer(root));
}
