// SPDX-License-Identifier: Apache-2.0
// The `cve` collector: the issues of an offline Debian Security Tracker feed (`triad scan
// --cve-feed FILE`) that affect the audited root's installed source packages in its release
// (VERSION_CODENAME of its os-release). Every version order is libapt-pkg's (dpkg's). Root
// scope.
#pragma once

#include <iterator>
#include <span>
#include <string>
#include <string_view>

#include "scanner/core/collector.h"
#include "scanner/core/fact.h"

namespace triad::scanner {

enum CveField : std::size_t {
    kCveId, kCveSource, kCveBinaries, kCveInstalled, kCveFixed, kCveState, kCveTrackerStatus, kCveUrgency,
    kCveUrgencyLevel, kCveFixPending, kCveCandidate, kCveNoDsa, kCveDescription, kCveScope, kCveRelease, kCveFeed,
    kCveFieldCount
};

inline constexpr FieldSpec kCveFields[] = {
    {"cve", ValueKind::string, "the tracker's issue id: CVE-2024-4741, or TEMP-… for one without a CVE yet"},
    {"source", ValueKind::string, "the installed source package the issue is filed against"},
    {"binaries", ValueKind::list, "the installed binary packages built from it, as NAME=VERSION"},
    {"installed", ValueKind::version, "the installed source version (the oldest, when its binaries differ)"},
    {"fixed", ValueKind::version, "the first source version the tracker says is fixed in this release; absent when none is"},
    {"state", ValueKind::string, "fixable (a fixed version newer than the installed one exists) or open (no fix in this release yet)"},
    {"tracker_status", ValueKind::string, "the tracker's status for the release: resolved, open or undetermined"},
    {"urgency", ValueKind::string, "the tracker's urgency as written (high, medium, low, unimportant, not yet assigned, end-of-life; ** marks a guess)"},
    {"urgency_level", ValueKind::string, "the urgency without the guess mark, and unassigned for not yet assigned: high, medium, low, unimportant, unassigned, end-of-life"},
    {"fix_pending", ValueKind::boolean, "apt's candidate for one of the binaries is built from the fixed version or newer: apt-get upgrade installs the fix"},
    {"candidate", ValueKind::version, "that candidate's source version, or the newest candidate's when none is fixed; absent when apt has none newer"},
    {"nodsa", ValueKind::string, "why no advisory will be issued (the tracker's nodsa note); absent when none"},
    {"description", ValueKind::string, "the tracker's description (at most 300 bytes)"},
    {"scope", ValueKind::string, "local or remote, when the tracker says"},
    {"release", ValueKind::string, "the release codename matched (the root's VERSION_CODENAME)"},
    {"feed", ValueKind::string, "the feed file read"},
};
static_assert(std::size(kCveFields) == kCveFieldCount);

inline constexpr CollectorEntry kCveCollectorSpec{
    "cve", Scope::root, kCveFields, {}, nullptr,
    "issues of an offline Debian Security Tracker feed (--cve-feed) affecting installed source packages\n"
    "\n"
    "The feed (https://security-tracker.debian.org/tracker/data/json, about 70 MB) is read as a "
    "stream and only the entries of the root's release (VERSION_CODENAME in its os-release) "
    "and of its installed source packages are kept. One object per issue that affects an "
    "installed source version: fixable when the tracker's fixed version is newer than the "
    "installed one (libapt-pkg's version order), open when the release has no fix yet "
    "(status open or undetermined). A fixed version of 0 means never affected; an installed "
    "version at or above the fixed one is not reported. Without --cve-feed the collector is "
    "not_applicable (no --cve-feed given); a malformed or truncated feed is an error naming "
    "the file, line, column and byte; a feed without any entry for the root's release is an "
    "error too, since nothing in it could be matched. A root without a dpkg status file is "
    "not_applicable.",
};

extern const CollectorEntry kCveCollector;

}  // namespace triad::scanner
