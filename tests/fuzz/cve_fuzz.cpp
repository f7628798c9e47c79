// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the Debian Security Tracker feed reader (--cve-feed): any bytes must
// give a feed or an error naming a position, without reading out of bounds, recursing on
// deep nesting or keeping more than the query asks for.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanner/packages/cve_feed.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace triad::scanner;
    static const CveFeedQuery query = [] {
        CveFeedQuery q;
        q.release = "bookworm";
        q.sources = {"openssl", "a", "zsrc"};
        return q;
    }();
    auto feed = parse_cve_feed(std::string_view(reinterpret_cast<const char*>(data), size), query, "fuzz.json");
    if (feed)
        for (const CveEntry& e : feed->entries)
            if (!query.sources.count(e.source)) __builtin_trap();  // kept a source nobody asked for
    return 0;
}
