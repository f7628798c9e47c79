// SPDX-License-Identifier: Apache-2.0
// The `security_support` collector: installed packages whose Debian security support has
// ended (or will end on a known date) or is limited, from the lists the audited root's
// debian-security-support package ships (/usr/share/debian-security-support/
// security-support-ended.debN for the root's Debian release N, and security-support-limited),
// matched against the source package of each installed package as check-support-status
// matches them. Root scope.
#pragma once

#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "scanner/core/collector.h"
#include "scanner/core/fact.h"

namespace triad::scanner {

enum SecuritySupportField : std::size_t {
    kSupName, kSupVersion, kSupSource, kSupStatus, kSupEndDate, kSupLastVersion, kSupDetails, kSupList, kSupFieldCount
};

inline constexpr FieldSpec kSecuritySupportFields[] = {
    {"name", ValueKind::string, "installed binary package"},
    {"version", ValueKind::version, "its installed version"},
    {"source", ValueKind::string, "its source package, which the list names"},
    {"status", ValueKind::string, "ended (the end date has passed), ending (a later end date is announced) or limited"},
    {"end_date", ValueKind::string, "YYYY-MM-DD the support ends or ended; absent for limited"},
    {"last_supported_version", ValueKind::version, "the last version the list says was supported; absent for limited"},
    {"details", ValueKind::string, "the list's explanation (a bug link, a reason)"},
    {"list", ValueKind::string, "the list file that names it, inside the audited root"},
};
static_assert(std::size(kSecuritySupportFields) == kSupFieldCount);

inline constexpr CollectorEntry kSecuritySupportCollectorSpec{
    "security_support", Scope::root, kSecuritySupportFields, {}, nullptr,
    "installed packages whose Debian security support ended, is ending or is limited\n"
    "\n"
    "One object per installed binary package whose source package the audited root's "
    "debian-security-support lists name. Without that package installed the lists are "
    "missing and the collector says so with an error: the support status cannot be decided. "
    "A root without a dpkg status file is not_applicable.",
};

extern const CollectorEntry kSecuritySupportCollector;

struct SupportEntry {
    std::string pattern;        // source package name or PCRE2 pattern matched whole
    std::string last_version;   // ended lists only
    std::string date;           // YYYY-MM-DD; ended lists only
    std::string details;
};

// Parses a debian-security-support list: whitespace-separated columns, '#' comments. An
// ended list has PATTERN VERSION DATE DETAILS..., a limited list PATTERN DETAILS...
Result<std::vector<SupportEntry>> parse_support_list(std::string_view text, bool ended, const std::string& where);

}  // namespace triad::scanner
