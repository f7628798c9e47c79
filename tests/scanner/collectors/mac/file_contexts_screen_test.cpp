// SPDX-License-Identifier: Apache-2.0
// Crafted file_contexts lines (issue 15): a pattern that backtracks without end on a path
// makes that path an error naming the line, never a minutes-long lookup; the other paths are
// still judged; too many specs or an oversized pattern make the whole file an error.
#include "scanner/collectors/mac/file_contexts_screen.h"

#include <doctest/doctest.h>

#include <chrono>

#include <string>

#include "scanner/collectors/mac/selinux.h"
#include "scanner/identity/identity.h"
#include "tests/scanner/access_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

// Nested stars before a class the subject's last byte fails: PCRE2 tries every split of the
// path between the two groups, which no match limit of real patterns comes near.
constexpr const char* kRunaway = "/(.*)*(.*)*/[^x]";

}  // namespace

TEST_CASE("file_contexts patterns are screened under a PCRE2 match limit, per path") {
    auto screen = FileContextsScreen::build({{"/fc", "# comment\n\n/etc(/.*)?\tsystem_u:object_r:etc_t:s0\n" +
                                                         std::string(kRunaway) + "\tsystem_u:object_r:bad_t:s0\n"}});
    REQUIRE(screen.has_value());
    CHECK(screen->size() == 2);
    // The crafted pattern decides a short path (no match) ...
    CHECK(screen->check("/etc/x") == "");
    // ... and gives up on a longer one: that path is named as undecidable, with the line.
    const std::string why = screen->check("/usr/share/doc/x");
    CHECK(why.find("the pattern '/(.*)*(.*)*/[^x]' at /fc:4 cannot decide this path within the file_contexts match "
                   "budget") != std::string::npos);
}

// Issue 15 (helper fuzz15): the time budget of one select's paths. A deadline already past
// stands for a budget spent on earlier paths (no clock is raced here).
TEST_CASE("file_contexts: a path screened after the select's time budget ran out is not looked up, naming it") {
    auto screen = FileContextsScreen::build({{"/fc", "/etc(/.*)?\tsystem_u:object_r:etc_t:s0\n/usr(/.*)?\tu:r:usr_t:s0\n"}});
    REQUIRE(screen.has_value());
    const auto spent = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    CHECK(screen->check("/etc/x", spent) ==
          "the expected context was not looked up: the file_contexts time budget (10 s for the paths of one select) ran "
          "out after 0 of 2 patterns were tried on this path");
    CHECK(screen->check("/etc/x", std::chrono::steady_clock::now() + std::chrono::hours(1)) == "");
}

TEST_CASE("file_contexts: more specs than the count budget, or an oversized pattern, is an error naming the line") {
    std::string many;
    for (std::size_t i = 0; i <= kMaxFileContextSpecs; ++i) many += "/p" + std::to_string(i) + "\tu:r:t:s0\n";
    auto too_many = FileContextsScreen::build({{"/fc", many}});
    REQUIRE_FALSE(too_many.has_value());
    CHECK(too_many.error().where == "/fc:" + std::to_string(kMaxFileContextSpecs + 1));
    CHECK(too_many.error().message.find("(the count budget)") != std::string::npos);

    auto too_big = FileContextsScreen::build({{"/fc", "/ok\tu:r:t:s0\n/" + std::string(5000, 'a') + "\tu:r:t:s0\n"}});
    REQUIRE_FALSE(too_big.has_value());
    CHECK(too_big.error().where == "/fc:2");
    CHECK(too_big.error().message == "a pattern of 5001 bytes, over the 4096-byte budget; not loaded");
}

TEST_CASE("selinux_files: a crafted file_contexts line makes only the paths it cannot decide errors") {
    TempDir dir;
    triad::test::build_access_root(dir.path(), true);
    write_file(dir / "etc/selinux/default/contexts/files/file_contexts.local",
               std::string(kRunaway) + "\tsystem_u:object_r:bad_t:s0\n");
    write_file(dir / "usr/share/doc/x", "x");
    write_file(dir / "etc/x", "x");
    auto root = Sysroot::open(dir.path()).value();
    IdentityTable ids = IdentityTable::load(root);
    SelectArgs args;
    args.values["path"] = StringList{"/etc/x", "/usr/share/doc/x"};
    FactSet facts = collect_selinux_files(CollectContext{root, ids}, args);
    const Fact* doc = find_object(facts, "/usr/share/doc/x");
    REQUIRE(doc);
    CHECK(doc->status == FactStatus::error);
    CHECK(doc->reason.find("/etc/selinux/default/contexts/files/file_contexts.local:1 cannot decide this path") !=
          std::string::npos);
    // /etc/x is decided by every pattern (the crafted one fails at once on its last byte).
    const Fact* decided = find_object(facts, "/etc/x");
    REQUIRE(decided);
    CHECK(decided->reason.find("match budget") == std::string::npos);
}
