// SPDX-License-Identifier: Apache-2.0
// docs/collectors/NAME.md is generated from each collector's specs: it must be what
// `triad collectors show NAME --format markdown` prints today, byte for byte, and no page may
// describe a collector triad does not know. scripts/update-collector-docs rewrites them.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "tests/test_support.h"

using triad::test::run_triad;

namespace {

struct Listing {
    std::set<std::string> built, left_out;
};

// `triad collectors`: one line per built collector, then, after a blank line and a heading,
// one per collector this build left out. The name is each line's first word.
Listing list_collectors() {
    auto r = run_triad({"collectors"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    Listing out;
    std::istringstream lines(r.out);
    bool after_blank = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) {
            after_blank = true;
            continue;
        }
        if (after_blank && line.starts_with("not built")) continue;
        std::string name = line.substr(0, line.find(' '));
        (after_blank ? out.left_out : out.built).insert(name);
    }
    return out;
}

}  // namespace

TEST_CASE("docs/collectors: one page per collector, equal to what `triad collectors show` prints") {
    const Listing listing = list_collectors();
    REQUIRE(listing.built.size() >= 10);
    const std::filesystem::path dir = triad::test::source_dir() + "/docs/collectors";
    for (const std::string& name : listing.built) {
        CAPTURE(name);
        const std::filesystem::path page = dir / (name + ".md");
        REQUIRE_MESSAGE(std::filesystem::exists(page), page.string() << " is missing: run scripts/update-collector-docs");
        auto r = run_triad({"collectors", "show", name, "--format", "markdown"});
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        CHECK_MESSAGE(triad::test::read_file(page.string()) == r.out,
                      page.string() << " differs from the collector's specs: run scripts/update-collector-docs");
    }
    // A build without a collector still has its specs, so its page can be checked as well.
    for (const std::string& name : listing.left_out) {
        CAPTURE(name);
        const std::filesystem::path page = dir / (name + ".md");
        if (!std::filesystem::exists(page)) continue;
        auto r = run_triad({"collectors", "show", name, "--format", "markdown"});
        CHECK(triad::test::read_file(page.string()) == r.out);
    }
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".md") continue;
        const std::string name = entry.path().stem().string();
        CHECK_MESSAGE((listing.built.count(name) || listing.left_out.count(name)),
                      entry.path().string() << " describes no collector triad knows");
    }
}

TEST_CASE("triad collectors: the listing, one collector in full, and usage errors") {
    auto list = run_triad({"collectors"});
    REQUIRE(list.exit_code == 0);
    CHECK(list.out.find("file ") == 0);
    CHECK(list.out.find("\nfiles ") != std::string::npos);
    CHECK(list.out.find("  host  ") != std::string::npos);

    auto show = run_triad({"collectors", "show", "config"});
    REQUIRE(show.exit_code == 0);
    CHECK(show.out.starts_with("config — one key of a key/value configuration file\n"));
    CHECK(show.out.find("  key               string   required  the key to read\n") != std::string::npos);
    CHECK(show.out.find("  separator         choice   optional  how a key ends (default: auto) "
                        "[auto|whitespace|equals|colon]\n") != std::string::npos);
    CHECK(show.out.find("\nfields:\n  file_exists  boolean  ") != std::string::npos);
    CHECK(run_triad({"collectors", "show", "files"}).out.find("\nwalk   yes — ") != std::string::npos);

    auto help = run_triad({"collectors", "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("show NAME") != std::string::npos);
    CHECK(run_triad({"--help"}).out.find("collectors") != std::string::npos);

    for (const auto& args : std::vector<std::vector<std::string>>{
             {"collectors", "show", "nope"}, {"collectors", "show"}, {"collectors", "frob"},
             {"collectors", "show", "file", "--format", "html"}, {"collectors", "--format", "markdown"}}) {
        CAPTURE(args.back());
        auto r = run_triad(args);
        CHECK(r.exit_code == 2);
        CHECK(r.out.empty());
        CHECK_FALSE(r.err.empty());
    }
    CHECK(run_triad({"collectors", "show", "nope"}).err ==
          "triad: unknown collector 'nope' (see 'triad collectors')\n");
}
