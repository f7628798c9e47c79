// SPDX-License-Identifier: Apache-2.0
// The Debian Security Tracker feed reader on feeds written by the test: what it keeps (one
// release, the sources asked for, the issue's fields whichever order they come in), and the
// position it names for a malformed, truncated or oddly shaped feed.
#include "scanner/packages/cve_feed.h"

#include <doctest/doctest.h>

#include "tests/test_support.h"

using namespace triad::scanner;

namespace {

CveFeedQuery query(std::set<std::string, std::less<>> sources) {
    CveFeedQuery q;
    q.release = "bookworm";
    q.sources = std::move(sources);
    return q;
}

const char* const kFeed = R"({
  "openssl": {
    "CVE-2024-1": {"releases": {"bookworm": {"status": "resolved", "repositories": {"bookworm": "3.0.13-1~deb12u1"},
                                             "fixed_version": "3.0.13-1~deb12u1", "urgency": "high"},
                                "trixie": {"status": "open", "urgency": "low"}},
                   "description": "after the releases", "scope": "remote", "debianbug": 1234},
    "TEMP-0000000-ABCDEF": {"description": "no CVE yet", "releases": {"bookworm": {"status": "undetermined",
                             "urgency": "not yet assigned", "nodsa": "Minor issue", "next_point_update": true}}}
  },
  "other": {"CVE-2024-2": {"releases": {"bookworm": {"status": "open", "urgency": "low"}}}},
  "trixie-only": {"CVE-2024-3": {"releases": {"trixie": {"status": "resolved", "fixed_version": "0", "urgency": "low"}}}}
})";

}  // namespace

TEST_CASE("cve feed: keeps the release and sources asked for, with the issue's fields") {
    auto feed = parse_cve_feed(kFeed, query({"openssl", "trixie-only"}), "feed.json");
    REQUIRE(feed);
    CHECK(feed->sources == 3);
    CHECK(feed->release_seen);
    REQUIRE(feed->entries.size() == 2);
    const CveEntry& a = feed->entries[0];
    CHECK(a.source == "openssl");
    CHECK(a.id == "CVE-2024-1");
    CHECK(a.status == "resolved");
    CHECK(a.has_fixed_version);
    CHECK(a.fixed_version == "3.0.13-1~deb12u1");
    CHECK(a.urgency == "high");
    CHECK(a.description == "after the releases");
    CHECK(a.scope == "remote");
    const CveEntry& b = feed->entries[1];
    CHECK(b.id == "TEMP-0000000-ABCDEF");
    CHECK(b.status == "undetermined");
    CHECK_FALSE(b.has_fixed_version);
    CHECK(b.nodsa == "Minor issue");
    CHECK(b.description == "no CVE yet");

    // A release no issue mentions.
    CveFeedQuery q = query({"openssl"});
    q.release = "jammy";
    auto none = parse_cve_feed(kFeed, q, "feed.json");
    REQUIRE(none);
    CHECK_FALSE(none->release_seen);
    CHECK(none->entries.empty());
}

TEST_CASE("cve feed: a malformed or truncated feed is an error with its line, column and byte") {
    // Missing comma on line 3, column 5.
    auto bad = parse_cve_feed("{\"a\": {\n  \"CVE-1\": {}\n    \"CVE-2\": {}}}", query({"a"}), "f.json");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().where == "f.json:3:5");
    CHECK(bad.error().message.find("byte 26") != std::string::npos);

    const std::string text = kFeed;
    auto cut = parse_cve_feed(std::string_view(text).substr(0, 300), query({"openssl"}), "f.json");
    REQUIRE_FALSE(cut);
    CHECK(cut.error().message.find("truncated") != std::string::npos);
    CHECK(cut.error().where.starts_with("f.json:"));

    auto empty = parse_cve_feed("", query({"a"}), "f.json");
    REQUIRE_FALSE(empty);
    CHECK(empty.error().where == "f.json:1:1");

    // Shapes the reader cannot use: errors naming the entry, not silently skipped.
    auto array = parse_cve_feed("[]", query({"a"}), "f.json");
    REQUIRE_FALSE(array);
    CHECK(array.error().message.find("not a JSON object") != std::string::npos);
    auto fixed_number = parse_cve_feed(R"({"a": {"CVE-1": {"releases": {"bookworm": {"fixed_version": 2}}}}})",
                                       query({"a"}), "f.json");
    REQUIRE_FALSE(fixed_number);
    CHECK(fixed_number.error().message.find("a CVE-1 bookworm fixed_version: expected a string") != std::string::npos);
    auto source_string = parse_cve_feed(R"({"a": "x"})", query({}), "f.json");
    REQUIRE_FALSE(source_string);
    CHECK(source_string.error().message.find("source package a: expected an object") != std::string::npos);

    // RapidJSON ends input at a NUL byte: what follows must not be ignored.
    auto nul = parse_cve_feed(std::string_view("{}\0{\"a\": 1}", 11), query({}), "f.json");
    REQUIRE_FALSE(nul);
    CHECK(nul.error().message.find("NUL") != std::string::npos);
    auto utf8 = parse_cve_feed("{\"a\xff\": {}}", query({}), "f.json");
    CHECK_FALSE(utf8);
}

TEST_CASE("cve feed: hostile nesting in a field the reader skips neither recurses nor crashes") {
    std::string deep = R"({"a": {"CVE-1": {"notes": )" + std::string(200000, '[') + std::string(200000, ']') + "}}}";
    auto ok = parse_cve_feed(deep, query({"a"}), "f.json");
    CHECK(ok);
    auto cut = parse_cve_feed(std::string_view(deep).substr(0, 150000), query({"a"}), "f.json");
    CHECK_FALSE(cut);
}

TEST_CASE("cve feed: read from a file; a directory or a missing file is an error naming it") {
    triad::test::TempDir dir;
    triad::test::write_file(dir / "feed.json", kFeed);
    auto feed = read_cve_feed(dir / "feed.json", query({"openssl"}));
    REQUIRE(feed);
    CHECK(feed->entries.size() == 2);
    auto not_file = read_cve_feed(dir.path(), query({"openssl"}));
    REQUIRE_FALSE(not_file);
    CHECK(not_file.error().where == dir.path());
    auto missing = read_cve_feed(dir / "none.json", query({"openssl"}));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == triad::ErrorCode::not_found);
    // Truncated on disk: the position is the end of the file.
    triad::test::write_file(dir / "cut.json", std::string(kFeed).substr(0, 200));
    auto cut = read_cve_feed(dir / "cut.json", query({"openssl"}));
    REQUIRE_FALSE(cut);
    CHECK(cut.error().where.starts_with(dir / "cut.json:"));
    CHECK(cut.error().message.find("(byte 200)") != std::string::npos);
}
