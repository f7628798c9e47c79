// SPDX-License-Identifier: Apache-2.0
// The `rpm_packages` collector: the installed packages of an RPM-family root (RHEL, Fedora,
// CentOS) from its rpmdb, read with librpm without writing a byte (scanner/packages/
// rpm_inventory.h). One fact per package. Root scope, so a RHEL image can be inventoried
// from a Debian host.
#pragma once

#include <iterator>
#include <span>

#include "scanner/core/collector.h"
#include "scanner/core/fact.h"

namespace triad::scanner {

enum RpmPackageField : std::size_t {
    kRpmName, kRpmEpoch, kRpmVersion, kRpmRelease, kRpmArch, kRpmSourceRpm, kRpmDatabase, kRpmFieldCount
};

inline constexpr FieldSpec kRpmPackageFields[] = {
    {"name", ValueKind::string, "package name"},
    {"epoch", ValueKind::integer, "epoch; absent when the package has none"},
    {"version", ValueKind::string, "upstream version (RPM ordering, not dpkg's: compare as text only)"},
    {"release", ValueKind::string, "release (el9, fc40...)"},
    {"arch", ValueKind::string, "x86_64, noarch..."},
    {"source_rpm", ValueKind::string, "the source package it was built from; absent for gpg-pubkey entries"},
    {"database", ValueKind::string, "the rpmdb read and its format: /var/lib/rpm/rpmdb.sqlite (sqlite)"},
};
static_assert(std::size(kRpmPackageFields) == kRpmFieldCount);

inline constexpr CollectorEntry kRpmPackagesCollectorSpec{
    "rpm_packages", Scope::root, kRpmPackageFields, {}, nullptr,
    "installed RPM packages from the audited root's rpmdb (sqlite or Berkeley DB)\n"
    "\n"
    "One object per package, named by its NEVRA. Read with librpm, without writing: no "
    "-shm or -wal file appears beside rpmdb.sqlite. A root without an rpmdb is "
    "not_applicable; an unreadable or malformed one is an error naming it.",
};

extern const CollectorEntry kRpmPackagesCollector;

}  // namespace triad::scanner
