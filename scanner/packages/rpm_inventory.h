// SPDX-License-Identifier: Apache-2.0
// The installed RPM packages of an audited root, from its rpmdb, read with librpm and never
// written to. The sqlite rpmdb (Fedora 33+, RHEL 9: rpmdb.sqlite) is opened by sqlite as an
// immutable read-only file through the Sysroot's descriptor — librpm's own sqlite backend
// creates rpmdb.sqlite-shm and -wal beside it even for a query — and each row's header blob
// is decoded by librpm (headerImport). The Berkeley DB rpmdb of older releases (Packages)
// is read by librpm's read-only bdb_ro backend.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

struct RpmPackage {
    std::string name;
    std::optional<std::int64_t> epoch;  // absent when the package has none
    std::string version, release, arch;
    std::string source_rpm;  // "bash-5.1.8-6.el9.src.rpm"; empty for gpg-pubkey pseudo packages
    std::string nevra;       // name-[epoch:]version-release.arch
};

struct RpmInventory {
    std::string database;  // the rpmdb file read, inside the root
    std::string backend;   // sqlite or bdb_ro
    std::vector<RpmPackage> packages;  // sorted by nevra
};

// The rpmdb directories looked at, in order: RHEL/CentOS and Fedora before 36, then
// Fedora 36+ (/usr/lib/sysimage/rpm, /var/lib/rpm being a symlink to it there).
// not_found when the root has no rpmdb; an error naming the file for anything unreadable or
// malformed, or for an sqlite database with changes still in its write-ahead log.
Result<RpmInventory> read_rpm_inventory(const Sysroot& root);

}  // namespace triad::scanner
