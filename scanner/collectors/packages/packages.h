// SPDX-License-Identifier: Apache-2.0
// The Debian package collectors (libapt-pkg, scanner/packages/apt_inventory.h):
//   packages         — each installed package: version, source, the candidate apt would
//                      upgrade it to and whether a security archive offers it, holds, and
//                      whether any configured repository still provides it.
//   package_sources  — each repository apt is configured with: its Release file, whether it is
//                      a security archive, and how old the copy in the lists directory is.
//   automatic_updates — whether unattended-upgrades is installed and APT::Periodic runs it.
// All three are root scope: an offline image is audited from its own dpkg status, apt lists
// and sources. Never the dpkg lock; apt's binary cache is never written (read only on the
// running system, when valid: scanner/packages/apt_inventory.h).
#pragma once

#include <iterator>
#include <span>

#include "scanner/core/collector.h"
#include "scanner/core/fact.h"

namespace triad::scanner {

enum PackageField : std::size_t {
    kPkgName, kPkgArchitecture, kPkgVersion, kPkgSource, kPkgSourceVersion, kPkgState, kPkgHeld, kPkgAuto,
    kPkgUpgradable, kPkgCandidate, kPkgCandidateArchives, kPkgSecurityUpdate, kPkgProvided,
    kPkgPendingSince, kPkgPendingSinceSource, kPkgPendingDays, kPkgPendingAgeKnown, kPkgPendingDaysMax,
    kPkgPendingOverLimit, kPkgFieldCount
};

// The specs live here so that a build without TRIAD_WITH_APT still has them (left_out()).
inline constexpr FieldSpec kPackageFields[] = {
    {"name", ValueKind::string, "package name; a foreign architecture is appended (libc6:i386)"},
    {"architecture", ValueKind::string, "architecture of the installed version (amd64, all)"},
    {"version", ValueKind::version, "installed version"},
    {"source", ValueKind::string, "source package it was built from"},
    {"source_version", ValueKind::version, "version of that source package"},
    {"state", ValueKind::string, "dpkg state: installed, half-configured, unpacked, half-installed, triggers-awaited, triggers-pending"},
    {"held", ValueKind::boolean, "dpkg selection is hold (apt-mark hold): apt will not upgrade it"},
    {"auto_installed", ValueKind::boolean, "installed as a dependency (apt's extended_states)"},
    {"upgradable", ValueKind::boolean, "apt's candidate is newer than the installed version (as `apt list --upgradable`)"},
    {"candidate", ValueKind::version, "the version apt would install, after pinning; absent when no repository offers one"},
    {"candidate_archives", ValueKind::list, "ORIGIN/CODENAME of each repository offering the candidate; absent unless upgradable"},
    {"security_update", ValueKind::boolean, "upgradable, and a security archive offers the candidate (Codename *-security or Label Debian-Security)"},
    {"provided", ValueKind::boolean, "some configured repository offers some version of the package (false: apt's ?obsolete)"},
    {"pending_since", ValueKind::string, "upgradable: the earliest time the update is proven pending (UTC), from triad's history or the Release Date of the lists offering the candidate; absent when neither gives one"},
    {"pending_since_source", ValueKind::string, "where pending_since comes from: the scan of triad's history that first saw it pending, or the Release file whose Date it is"},
    {"pending_days", ValueKind::integer, "whole days from pending_since to the scan's start: a proven lower bound of how long the update has been pending"},
    {"pending_age_known", ValueKind::boolean, "upgradable: triad's history saw the package not pending in an earlier scan of this host, so the update became pending after that scan"},
    {"pending_days_max", ValueKind::integer, "with a known age: whole days (rounded up) from the last scan that saw it not pending to the scan's start, an upper bound; absent otherwise"},
    {"pending_over_limit", ValueKind::boolean, "with select argument pending_limit_days N: true when pending provably more than N days, false when its known age is at most N days; unreadable (the object is an error) when neither is proven"},
};
static_assert(std::size(kPackageFields) == kPkgFieldCount);

inline constexpr ArgSpec kPackageArgs[] = {
    {"pending_limit_days", ArgKind::integer, false,
     "compute pending_over_limit against this many days (the age of a pending update, see docs/packages.md)"},
};

enum PackageSourceField : std::size_t {
    kSrcUri, kSrcDist, kSrcDownloaded, kSrcReleaseFile, kSrcOrigin, kSrcLabel, kSrcSuite, kSrcCodename,
    kSrcSecurity, kSrcDate, kSrcAgeDays, kSrcFieldCount
};

inline constexpr FieldSpec kPackageSourceFields[] = {
    {"uri", ValueKind::string, "repository URI from sources.list or sources.list.d"},
    {"dist", ValueKind::string, "suite or codename the source line names (bookworm-security)"},
    {"downloaded", ValueKind::boolean, "its Release or InRelease file is in /var/lib/apt/lists (apt update fetched it)"},
    {"release_file", ValueKind::string, "that file, inside the audited root; absent when not downloaded"},
    {"origin", ValueKind::string, "Origin: of the Release file"},
    {"label", ValueKind::string, "Label: of the Release file"},
    {"suite", ValueKind::string, "Suite: of the Release file (moves: bookworm is now oldstable)"},
    {"codename", ValueKind::string, "Codename: of the Release file"},
    {"security", ValueKind::boolean, "a security archive: Codename *-security or Label Debian-Security (Ubuntu: Suite *-security)"},
    {"date", ValueKind::string, "Date: of the Release file (UTC): when the archive copy apt has was published"},
    {"age_days", ValueKind::integer, "whole days from that Date to now; absent when not downloaded"},
};
static_assert(std::size(kPackageSourceFields) == kSrcFieldCount);

enum AutomaticUpdatesField : std::size_t {
    kAutoInstalled, kAutoUpdateLists, kAutoUnattended, kAutoEnabled, kAutoSettings, kAutoFieldCount
};

inline constexpr FieldSpec kAutomaticUpdatesFields[] = {
    {"unattended_upgrades_installed", ValueKind::boolean, "the unattended-upgrades package is installed"},
    {"update_package_lists", ValueKind::string, "APT::Periodic::Update-Package-Lists: days between apt updates, 0 off, or always; absent when unset"},
    {"unattended_upgrade", ValueKind::string, "APT::Periodic::Unattended-Upgrade: days between runs, 0 off, or always; absent when unset"},
    {"enabled", ValueKind::boolean, "installed, and both settings above are a positive number of days or always: upgrades run by themselves"},
    {"settings", ValueKind::list, "every APT::Periodic and Unattended-Upgrade setting as KEY=VALUE"},
};
static_assert(std::size(kAutomaticUpdatesFields) == kAutoFieldCount);

inline constexpr CollectorEntry kPackagesCollectorSpec{
    "packages", Scope::root, kPackageFields, kPackageArgs, nullptr,
    "installed Debian packages: versions, pending and security updates, holds, obsolete packages\n"
    "\n"
    "One object per installed package (named as `apt list` names it), computed by libapt-pkg "
    "from the audited root's dpkg status, apt lists, sources and preferences, as `apt list "
    "--upgradable` computes it, without the dpkg lock and without writing apt's cache. A root "
    "without /var/lib/dpkg/status is not_applicable (not a Debian-family system); a file apt "
    "would read that is a symlink, or an error from libapt-pkg, is an error naming it.\n"
    "\n"
    "How long each upgradable package has been pending comes from triad's own history of this "
    "host (triadd's store, or `triad scan --history URL`): the first scan that saw it pending, "
    "and the scan before, in which it was not. Without such a history only the Release Date "
    "of the lists offering the candidate bounds it from below.",
};

inline constexpr CollectorEntry kPackageSourcesCollectorSpec{
    "package_sources", Scope::root, kPackageSourceFields, {}, nullptr,
    "each repository apt is configured with, its Release file and how old that copy is\n"
    "\n"
    "One object per source (URI and suite) of sources.list and sources.list.d, with the "
    "Release or InRelease file `apt update` stored for it. A root without a dpkg status file "
    "is not_applicable; one with no configured source gives no objects.",
};

inline constexpr CollectorEntry kAutomaticUpdatesCollectorSpec{
    "automatic_updates", Scope::root, kAutomaticUpdatesFields, {}, nullptr,
    "whether unattended-upgrades is installed and APT::Periodic runs it\n"
    "\n"
    "One object, `apt`, with the APT::Periodic settings of the audited root's apt "
    "configuration as libapt-pkg reads it (apt.conf and apt.conf.d in order, later files "
    "overriding earlier ones). A root without a dpkg status file is not_applicable.",
};

extern const CollectorEntry kPackagesCollector;
extern const CollectorEntry kPackageSourcesCollector;
extern const CollectorEntry kAutomaticUpdatesCollector;

}  // namespace triad::scanner
