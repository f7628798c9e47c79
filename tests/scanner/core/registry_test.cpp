// SPDX-License-Identifier: Apache-2.0
// The registry table as the loader, the engine and `triad collectors` rely on it.
#include "scanner/core/registry.h"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <string_view>

using namespace triad::scanner;

TEST_CASE("every collector in the table is well formed and found by its name") {
    std::set<std::string> names;
    for (const CollectorEntry& c : collectors()) {
        CAPTURE(c.name);
        CHECK(names.insert(c.name).second);
        CHECK(find_collector(c.name) == &c);
        // A collector either collects or takes part in the walk; one left out of the build
        // only reports that it is missing.
        if (c.left_out_by) {
            CHECK((c.collect == collect_left_out));
            CHECK((c.walk == nullptr));
        } else {
            CHECK((c.collect == nullptr) != (c.walk == nullptr));
        }
        // The doc is a summary line, then optionally a blank line and a paragraph.
        const std::string_view doc = c.doc;
        const std::size_t nl = doc.find('\n');
        CHECK(nl != 0);
        CHECK(!doc.empty());
        if (nl != std::string_view::npos) CHECK(doc.substr(nl, 2) == "\n\n");
        CHECK_FALSE(c.fields.empty());
        std::set<std::string_view> fields, args;
        for (const FieldSpec& f : c.fields) CHECK_MESSAGE(fields.insert(f.name).second, "field " << f.name);
        for (const ArgSpec& a : c.args) {
            CHECK_MESSAGE(args.insert(a.name).second, "argument " << a.name);
            CHECK(std::string_view(a.name) != "collector");
            CHECK(std::string_view(a.name) != "where");
            CHECK((a.kind == ArgKind::choice) == (*a.choices != '\0'));
        }
    }
    CHECK(names.size() >= 19);
    CHECK(find_collector("no_such_collector") == nullptr);
}

TEST_CASE("a collector left out of the build keeps its specs and says which option was off") {
    const CollectorEntry& file = *find_collector("file");
    CHECK(not_built_reason(file).empty());
    const CollectorEntry gone = left_out(file, "TRIAD_WITH_EXAMPLE");
    CHECK(gone.fields.data() == file.fields.data());
    CHECK(gone.args.data() == file.args.data());
    CHECK(not_built_reason(gone) == "collector 'file' is not built into this triad (built without TRIAD_WITH_EXAMPLE)");
}
