// SPDX-License-Identifier: Apache-2.0
// The Debian Security Tracker's JSON export (https://security-tracker.debian.org/tracker/
// data/json): one object keyed by source package, then by issue (CVE-…, TEMP-…), each with
// its per-release state — {"openssl": {"CVE-2024-4741": {"releases": {"bookworm":
// {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "low", …}}}}}.
//
// The real file is about 70 MB, so it is read as a stream of parse events (RapidJSON's SAX
// reader, iterative: no recursion on hostile nesting) and only the entries of one release
// and of the source packages asked for are kept. A malformed or truncated feed is an error
// naming the file and the line, column and byte offset where reading stopped.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/cancel.h"
#include "base/result.h"

namespace triad::scanner {

// One issue of one source package in the release asked for.
struct CveEntry {
    std::string source;          // source package: "openssl"
    std::string id;              // "CVE-2024-4741", "TEMP-0000000-A1B2C3"
    std::string status;          // resolved, open, undetermined (as the tracker says)
    std::string fixed_version;   // the first fixed source version; "0": never affected; empty: none
    bool has_fixed_version = false;
    std::string urgency;         // unimportant, low, medium, high, "not yet assigned", end-of-life (maybe with "**")
    std::string nodsa;           // why no advisory will come (the tracker's nodsa text), if any
    std::string description;     // the tracker's one-line description, cut to 300 bytes
    std::string scope;           // local, remote, or empty
};

struct CveFeed {
    std::vector<CveEntry> entries;  // in feed order
    std::uint64_t sources = 0;      // source packages in the whole feed
    bool release_seen = false;      // some issue in the feed has an entry for the release asked for
};

struct CveFeedQuery {
    std::string release;                 // the root's codename: "bookworm"
    std::set<std::string, std::less<>> sources;  // installed source packages; only these are kept
};

// Reads a feed from text (the fuzz target's entry; `where` names it in errors).
Result<CveFeed> parse_cve_feed(std::string_view text, const CveFeedQuery& query, const std::string& where,
                               const CancelToken* cancel = nullptr);

// Reads the feed file at `path` (a file the user gave, outside the audited root), streaming,
// at most 1 GiB. Not a regular file (a FIFO, a directory) is an error before anything is read.
Result<CveFeed> read_cve_feed(const std::string& path, const CveFeedQuery& query, const CancelToken* cancel = nullptr);

}  // namespace triad::scanner
